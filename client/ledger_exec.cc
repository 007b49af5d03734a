#include "client/ledger_exec.h"

#include <fstream>
#include <ostream>
#include <set>
#include <sstream>

#include "client/actor_header.h"
#include "client/csv.h"
#include "client/import.h"
#include "client/ledger.h"
#include "client/render.h"
#include "client/report_render.h"
#include "client/status_names.h"
#include "client/xlsx.h"
#include "rectify/v1/rectify.grpc.pb.h"

namespace rectify::client {
namespace {

void Prepare(const GlobalOptions& global, grpc::ClientContext* ctx) {
  ctx->set_deadline(std::chrono::system_clock::now() + global.timeout);
  if (!global.actor.empty()) ctx->AddMetadata(kActorMetadataKey, EncodeActorHeader(global.actor));
  if (!global.token.empty()) ctx->AddMetadata("authorization", "Bearer " + global.token);
}

int Fail(std::ostream& err, const grpc::Status& status) {
  err << FormatStatus(status) << '\n';
  return kExitRpcError;
}

}  // namespace

int RunReport(const GlobalOptions& global, const std::shared_ptr<grpc::Channel>& channel,
              const ReportCommand& cmd, std::ostream& out, std::ostream& err) {
  auto stub = v1::ReportService::NewStub(channel);
  v1::Report report;
  grpc::ClientContext ctx;
  Prepare(global, &ctx);
  const grpc::Status status = stub->GetReport(&ctx, cmd.request, &report);
  if (!status.ok()) return Fail(err, status);
  const ReportFormat format = cmd.format.value_or(
      global.output == OutputFormat::kJson ? ReportFormat::kJson : ReportFormat::kTable);
  switch (format) {
    case ReportFormat::kJson: out << ToJson(report) << '\n'; break;
    case ReportFormat::kCsv: out << ReportCsv(report, global.lang); break;
    case ReportFormat::kMd: out << ReportMarkdown(report); break;
    case ReportFormat::kTable: out << ReportTable(report, global.lang); break;
  }
  return kExitOk;
}

int RunExport(const GlobalOptions& global, const std::shared_ptr<grpc::Channel>& channel,
              const ExportCommand& cmd, std::ostream& out, std::ostream& err) {
  auto stub = v1::ItemService::NewStub(channel);
  v1::ListItemsRequest request = cmd.filter;
  request.set_page_size(1000);
  request.set_order_by(v1::ORDER_BY_ID);
  std::vector<v1::Item> items;
  uint64_t revision = 0;
  std::set<std::string> seen_tokens;
  while (true) {
    v1::ListItemsResponse page;
    grpc::ClientContext ctx;
    Prepare(global, &ctx);
    const grpc::Status status = stub->ListItems(&ctx, request, &page);
    if (!status.ok()) return Fail(err, status);
    if (revision == 0) revision = page.revision();
    for (auto& item : *page.mutable_items()) items.push_back(std::move(item));
    if (page.next_page_token().empty()) break;
    if (!seen_tokens.insert(page.next_page_token()).second) {
      err << "rectifyctl: the daemon returned the same page token twice; stopping\n";
      return kExitRpcError;
    }
    request.set_page_token(page.next_page_token());
  }
  if (cmd.format == ExportCommand::Format::kXlsx) {
    if (std::string error = WriteLedgerXlsx(cmd.file, items); !error.empty()) {
      err << "rectifyctl: " << error << '\n';
      return kExitRpcError;
    }
  } else {
    std::ofstream f(cmd.file, std::ios::binary | std::ios::trunc);
    // The BOM makes Excel read the file as UTF-8 instead of the system code page.
    f << kUtf8Bom;
    std::vector<std::string> header;
    for (const auto& c : LedgerColumns()) header.push_back(c.header);
    f << CsvLine(header);
    for (const auto& item : items) f << CsvLine(LedgerRow(item));
    f.close();
    if (!f) {
      err << "rectifyctl: cannot write " << cmd.file << '\n';
      return kExitRpcError;
    }
  }
  const bool zh = global.lang == Lang::kZh;
  out << (zh ? "已导出 " : "exported ") << items.size() << (zh ? " 项到 " : " items to ")
      << cmd.file << (zh ? "（台账第 " : " (revision ") << revision << (zh ? " 版）" : ")")
      << '\n';
  return kExitOk;
}

int RunImport(const GlobalOptions& global, const std::shared_ptr<grpc::Channel>& channel,
              const ImportCommand& cmd, std::ostream& out, std::ostream& err) {
  const bool zh = global.lang == Lang::kZh;
  std::ifstream f(cmd.file, std::ios::binary);
  if (!f) {
    err << "rectifyctl: cannot read " << cmd.file << '\n';
    return kExitRpcError;
  }
  std::stringstream buffer;
  buffer << f.rdbuf();
  const std::string bytes = buffer.str();
  auto plan = PlanImport(bytes);
  if (!plan.ok()) {
    err << "rectifyctl: " << cmd.file << ": " << plan.error() << '\n';
    return kExitRpcError;
  }
  const std::vector<ImportPlan::Row>& good = plan.value().good;
  const auto& bad = plan.value().bad;
  const std::string& encoding = plan.value().encoding;
  for (const auto& [line, reason] : bad) {
    err << cmd.file << (zh ? ":" : ":") << line << ": " << (zh ? "第 " : "line ") << line
        << (zh ? " 行：" : ": ") << reason << '\n';
  }
  const std::string summary_tail =
      (zh ? "（编码 " : " (encoding ") + encoding + (zh ? "）" : ")");
  if (!bad.empty() && !cmd.skip_bad) {
    err << (zh ? "未导入任何事项：" : "nothing imported: ") << bad.size()
        << (zh ? " 行有误（共 " : " bad rows of ") << bad.size() + good.size()
        << (zh ? " 行）；改正后重试，或用 --skip-bad 只导入正确的行" :
                 "; fix them, or use --skip-bad to import the good rows")
        << '\n';
    return kExitRpcError;
  }
  if (cmd.dry_run) {
    out << (zh ? "演练：将导入 " : "dry run: would import ") << good.size()
        << (zh ? " 项，跳过 " : " items, skip ") << bad.size() << (zh ? " 行有误的行" : " bad rows")
        << summary_tail << (zh ? "；未创建任何事项" : "; nothing created") << '\n';
    return kExitOk;
  }

  // The revision before the import tells a new item from one an earlier run created (a retry
  // with the same request id answers with the first item, whose revision is older).
  auto admin = v1::AdminService::NewStub(channel);
  v1::ServerInfo info;
  {
    grpc::ClientContext ctx;
    Prepare(global, &ctx);
    const grpc::Status status = admin->GetServerInfo(&ctx, v1::GetServerInfoRequest(), &info);
    if (!status.ok()) return Fail(err, status);
  }
  auto items = v1::ItemService::NewStub(channel);
  size_t created = 0, existing = 0, refused = 0;
  for (const ImportPlan::Row& g : good) {
    v1::Item item;
    grpc::ClientContext ctx;
    Prepare(global, &ctx);
    const grpc::Status status = items->CreateItem(&ctx, g.request, &item);
    if (!status.ok()) {
      err << cmd.file << ":" << g.line << ": " << (zh ? "第 " : "line ") << g.line
          << (zh ? " 行：" : ": ") << FormatStatus(status) << '\n';
      refused++;
      if (!cmd.skip_bad) {
        err << (zh ? "导入中止：已处理 " : "import stopped: ") << created + existing
            << (zh ? " 行；改正后用同一文件重跑不会重复创建已导入的行" :
                     " rows done; re-running the same file does not create them twice")
            << '\n';
        return kExitRpcError;
      }
      continue;
    }
    const bool is_new = item.revision() > info.revision();
    (is_new ? created : existing)++;
    out << (zh ? "第 " : "line ") << g.line << (zh ? " 行 → " : " -> ") << item.id()
        << (is_new ? "" : (zh ? "（已导入过）" : " (imported before)")) << '\n';
  }
  out << (zh ? "导入完成：新建 " : "imported: ") << created << (zh ? " 项，已存在 " : " new, ")
      << existing << (zh ? " 项，跳过 " : " existing, ") << bad.size() + refused
      << (zh ? " 行" : " skipped") << summary_tail << '\n';
  return refused > 0 ? kExitRpcError : kExitOk;
}

}  // namespace rectify::client

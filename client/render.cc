#include "client/render.h"

#include <google/protobuf/util/json_util.h>

#include <ctime>

#include "client/table.h"

namespace rectify::client {
namespace {

using google::protobuf::RepeatedPtrField;

// Picks the Chinese or English text.
std::string_view T(Lang lang, std::string_view zh, std::string_view en) {
  return lang == Lang::kZh ? zh : en;
}

std::string OrDash(std::string value) { return value.empty() ? "-" : value; }

std::string YesNo(bool value, Lang lang) {
  return std::string(value ? T(lang, "是", "yes") : T(lang, "否", "no"));
}

std::string StateLabel(int state, Lang lang) { return EnumLabel(StateTable(), state, lang); }

std::string StateChange(const v1::Event& event, Lang lang) {
  const std::string before = StateLabel(event.prev_state(), lang);
  const std::string after = event.has_item() ? StateLabel(event.item().state(), lang) : "";
  if (before == after) return after;
  return (before.empty() ? "" : before + " ") + "-> " + after;
}

std::string Join(const RepeatedPtrField<std::string>& parts, std::string_view sep) {
  std::string out;
  for (const std::string& p : parts) {
    if (!out.empty()) out.append(sep);
    out.append(p);
  }
  return out;
}

std::string EvidenceLine(const v1::Evidence& e, Lang lang) {
  std::string line = e.name() + "  sha256=" + e.sha256();
  if (e.size() > 0)
    line.append("  ").append(std::to_string(e.size())).append(T(lang, " 字节", " bytes"));
  if (!e.uri().empty()) line.append("  ").append(e.uri());
  return line;
}

std::string MeasuresText(const v1::Item& item, Lang lang) {
  std::string out;
  for (int i = 0; i < item.measures_size(); ++i) {
    const v1::Measure& m = item.measures(i);
    if (!out.empty()) out.push_back('\n');
    out.append("[" + std::to_string(i) + "] " + (m.done() ? "[x] " : "[ ] ") + m.text());
    std::string details;
    if (!m.due().empty()) details.append(T(lang, "期限 ", "due ")).append(m.due());
    if (m.has_done_at()) {
      if (!details.empty()) details.append(T(lang, "，", ", "));
      details.append(T(lang, "完成于 ", "done ")).append(FormatTime(m.done_at()));
    }
    if (!details.empty())
      out.append(T(lang, "（", " (")).append(details).append(T(lang, "）", ")"));
  }
  return out;
}

std::string ExtensionsText(const v1::Item& item, Lang lang) {
  std::string out;
  for (const v1::Extension& x : item.extensions()) {
    if (!out.empty()) out.push_back('\n');
    out.append(x.old_deadline() + " -> " + x.new_deadline());
    out.append(T(lang, "  原因：", "  reason: ")).append(x.reason());
    if (!x.approver().empty())
      out.append(T(lang, "  批准人：", "  approver: ")).append(x.approver());
    if (x.has_time()) out.append("  ").append(FormatTime(x.time()));
  }
  return out;
}

std::string ProgressText(const v1::Item& item, Lang lang) {
  std::string out;
  for (const v1::ProgressNote& p : item.progress()) {
    if (!out.empty()) out.push_back('\n');
    out.append(FormatTime(p.time())).append("  ").append(p.author()).append(T(lang, "：", ": "));
    out.append(p.note());
    for (const v1::Evidence& e : p.evidence()) {
      out.append("\n    ").append(T(lang, "佐证：", "evidence: ")).append(EvidenceLine(e, lang));
    }
  }
  return out;
}

std::string EvidenceText(const v1::Item& item, Lang lang) {
  std::string out;
  for (const v1::Evidence& e : item.evidence()) {
    if (!out.empty()) out.push_back('\n');
    out.append(EvidenceLine(e, lang));
  }
  return out;
}

std::string SignOffsText(const v1::Item& item, Lang lang) {
  std::string out;
  for (const v1::SignOff& s : item.signoffs()) {
    if (!out.empty()) out.push_back('\n');
    out.append(FormatTime(s.time())).append("  ");
    out.append(EnumLabel(SignOffRoleTable(), s.role(), lang)).append(" ").append(s.person());
    out.append("  ").append(EnumLabel(ActionTable(), s.action(), lang));
    if (!s.opinion().empty()) out.append(T(lang, "：", ": ")).append(s.opinion());
  }
  return out;
}

std::string Deadline(const v1::Item& item, Lang lang) {
  std::string out = item.deadline();
  if (item.deadline_version() > 0 && item.extensions_size() > 0) {
    out.append(lang == Lang::kZh ? "（已延期 " + std::to_string(item.extensions_size()) + " 次）"
                                 : " (extended " + std::to_string(item.extensions_size()) + "x)");
  }
  return out;
}

std::string Escalation(int escalation, Lang lang) {
  return escalation == v1::ESCALATION_NONE ? "" : EnumLabel(EscalationTable(), escalation, lang);
}

}  // namespace

std::string ToJson(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = false;
  options.always_print_primitive_fields = true;
  options.always_print_enums_as_ints = false;
  options.preserve_proto_field_names = false;
  std::string out;
  // Only fails for messages that cannot be represented (e.g. an Any without its type), which the
  // rectify.v1 messages never contain.
  if (!google::protobuf::util::MessageToJsonString(message, &out, options).ok()) return "{}";
  return out;
}

std::string ProgressJson(uint64_t revision) {
  return "{\"progress\":{\"revision\":\"" + std::to_string(revision) + "\"}}";
}

std::string FormatTime(const google::protobuf::Timestamp& time) {
  if (time.seconds() == 0 && time.nanos() == 0) return "";
  const std::time_t seconds = static_cast<std::time_t>(time.seconds());
  std::tm tm{};
  if (localtime_r(&seconds, &tm) == nullptr) return std::to_string(time.seconds());
  char buffer[32];
  const size_t n = std::strftime(buffer, sizeof buffer, "%Y-%m-%d %H:%M:%S", &tm);
  return std::string(buffer, n);
}

std::string ItemSheet(const v1::Item& item, Lang lang) {
  auto row = [&](std::string_view zh, std::string_view en, std::string value) {
    return SheetRow{std::string(T(lang, zh, en)), OrDash(std::move(value))};
  };
  const std::vector<SheetRow> rows = {
      row("编号", "ID", item.id()),
      row("标题", "Title", item.title()),
      row("状态", "State", StateLabel(item.state(), lang)),
      row("问题描述", "Description", item.description()),
      row("年度", "Year", item.year() ? std::to_string(item.year()) : ""),
      row("问题来源", "Source", EnumLabel(SourceTable(), item.source(), lang)),
      row("来源文号/会议", "Source ref", item.source_ref()),
      row("问题类别", "Category", EnumLabel(CategoryTable(), item.category(), lang)),
      row("整改类型", "Mode", EnumLabel(ModeTable(), item.mode(), lang)),
      row("责任单位", "Unit", item.unit()),
      row("配合单位", "Co-units", Join(item.co_units(), T(lang, "、", ", "))),
      row("责任人", "Owner", item.owner()),
      row("分管领导", "Leader", item.leader()),
      row("验收人", "Verifier", item.verifier()),
      row("整改时限", "Deadline", Deadline(item, lang)),
      row("预警灯", "Light", EnumLabel(LightTable(), item.light(), lang)),
      row("逾期", "Overdue", YesNo(item.overdue(), lang)),
      row("督办级别", "Escalation", EnumLabel(EscalationTable(), item.escalation(), lang)),
      row("整改措施", "Measures", MeasuresText(item, lang)),
      row("延期记录", "Extensions", ExtensionsText(item, lang)),
      row("整改进展", "Progress", ProgressText(item, lang)),
      row("佐证材料", "Evidence", EvidenceText(item, lang)),
      row("签字背书", "Sign-offs", SignOffsText(item, lang)),
      row("整改结果", "Result", item.result()),
      row("销号情况", "Closure", item.closure()),
      row("长期坚持计划", "Follow-up plan", item.follow_up_plan()),
      row("撤销原因", "Cancel reason", item.cancel_reason()),
      row("逾期后销号", "Closed overdue", YesNo(item.closed_overdue(), lang)),
      row("创建人", "Created by", item.created_by()),
      row("创建时间", "Created at", FormatTime(item.created_at())),
      row("交办时间", "Assigned at", FormatTime(item.assigned_at())),
      row("最近进展", "Last progress", FormatTime(item.last_progress_at())),
      row("销号时间", "Closed at", FormatTime(item.closed_at())),
      row("更新时间", "Updated at", FormatTime(item.updated_at())),
      row("版本", "Version", std::to_string(item.version())),
      row("修订号", "Revision", std::to_string(item.revision())),
  };
  return RenderSheet(rows);
}

std::string ItemsTable(const RepeatedPtrField<v1::Item>& items, Lang lang) {
  const std::vector<Column> columns = {
      {std::string(T(lang, "编号", "ID"))},
      {std::string(T(lang, "标题", "Title")), Align::kLeft, 30},
      {std::string(T(lang, "状态", "State"))},
      {std::string(T(lang, "问题来源", "Source")), Align::kLeft, 14},
      {std::string(T(lang, "责任单位", "Unit")), Align::kLeft, 16},
      {std::string(T(lang, "责任人", "Owner")), Align::kLeft, 12},
      {std::string(T(lang, "整改时限", "Deadline"))},
      {std::string(T(lang, "预警灯", "Light"))},
      {std::string(T(lang, "逾期", "Overdue"))},
      {std::string(T(lang, "督办", "Escalation"))},
  };
  std::vector<Row> rows;
  rows.reserve(items.size());
  for (const v1::Item& item : items) {
    rows.push_back({item.id(), item.title(), StateLabel(item.state(), lang),
                    EnumLabel(SourceTable(), item.source(), lang), item.unit(), item.owner(),
                    item.deadline(), EnumLabel(LightTable(), item.light(), lang),
                    item.overdue() ? std::string(T(lang, "逾期", "overdue")) : "",
                    Escalation(item.escalation(), lang)});
  }
  return RenderTable(columns, rows);
}

std::string HistoryTable(const RepeatedPtrField<v1::Event>& events, Lang lang) {
  const std::vector<Column> columns = {
      {std::string(T(lang, "修订号", "Revision")), Align::kRight},
      {std::string(T(lang, "时间", "Time"))},
      {std::string(T(lang, "事件", "Event"))},
      {std::string(T(lang, "操作人", "Actor"))},
      {std::string(T(lang, "状态", "State"))},
      {std::string(T(lang, "动作", "Action"))},
      {std::string(T(lang, "说明", "Comment")), Align::kLeft, 40},
  };
  std::vector<Row> rows;
  rows.reserve(events.size());
  for (const v1::Event& e : events) {
    rows.push_back({std::to_string(e.revision()), FormatTime(e.time()),
                    EnumLabel(EventKindTable(), e.kind(), lang), e.actor(), StateChange(e, lang),
                    EnumLabel(ActionTable(), e.action(), lang), e.comment()});
  }
  return RenderTable(columns, rows);
}

std::string ServerInfoSheet(const v1::ServerInfo& info, Lang lang) {
  std::string by_state;
  for (const v1::StateCount& c : info.items_by_state()) {
    if (!by_state.empty()) by_state.push_back('\n');
    by_state.append(PadToWidth(StateLabel(c.state(), lang), 12)).append(std::to_string(c.count()));
  }
  auto row = [&](std::string_view zh, std::string_view en, std::string value) {
    return SheetRow{std::string(T(lang, zh, en)), OrDash(std::move(value))};
  };
  return RenderSheet({
      row("服务版本", "Version", info.version()),
      row("当前修订号", "Revision", std::to_string(info.revision())),
      row("压缩修订号", "Compact revision", std::to_string(info.compact_revision())),
      row("事项总数", "Items", std::to_string(info.items_total())),
      row("各状态事项", "Items by state", by_state),
      row("存储格式版本", "Schema version", std::to_string(info.schema_version())),
      row("时区", "Time zone", info.time_zone()),
      row("启动时间", "Started at", FormatTime(info.started_at())),
      row("服务器时间", "Server time", FormatTime(info.now())),
      row("数据目录", "Data dir", info.data_dir()),
      row("同步写 WAL", "Sync WAL", YesNo(info.sync_wal(), lang)),
  });
}

std::string WatchEventLine(const v1::Event& event, Lang lang) {
  std::string line = std::to_string(event.revision());
  line.append("  ").append(OrDash(FormatTime(event.time())));
  line.append("  ").append(OrDash(event.item_id()));
  line.append("  ").append(EnumLabel(EventKindTable(), event.kind(), lang));
  line.append("  ").append(StateChange(event, lang));
  if (event.action() != v1::ACTION_UNSPECIFIED) {
    line.append(T(lang, "  动作：", "  action: "))
        .append(EnumLabel(ActionTable(), event.action(), lang));
  }
  line.append(T(lang, "  操作人：", "  by: ")).append(OrDash(event.actor()));
  return OneLine(line);
}

std::string MutationSummary(std::string_view command, v1::Action action, const v1::Item& item,
                            Lang lang) {
  std::string verb;
  if (action != v1::ACTION_UNSPECIFIED) {
    verb = lang == Lang::kZh ? "已" + EnumLabel(ActionTable(), action, lang)
                             : EnumLabel(ActionTable(), action, lang) + ":";
  } else if (command == "create") {
    verb = T(lang, "已创建", "created:");
  } else if (command == "update") {
    verb = T(lang, "已修改", "updated:");
  } else if (command == "progress") {
    verb = T(lang, "已记录进展", "progress added:");
  } else {
    verb = std::string(command) + ":";
  }
  std::string out = verb + " " + item.id();
  if (lang == Lang::kZh) {
    out += "（" + StateLabel(item.state(), lang) + "，版本 " + std::to_string(item.version());
    if (!item.deadline().empty()) out += "，整改时限 " + item.deadline();
    out += "）";
  } else {
    out += " (" + StateLabel(item.state(), lang) + ", version " + std::to_string(item.version());
    if (!item.deadline().empty()) out += ", deadline " + item.deadline();
    out += ")";
  }
  return out;
}

}  // namespace rectify::client

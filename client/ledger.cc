#include "client/ledger.h"

#include <charconv>
#include <cstdio>
#include <set>

#include "client/deadline.h"
#include "client/enums.h"
#include "client/render.h"

namespace rectify::client {
namespace {

constexpr char kDone[] = "（已完成）";
constexpr char kDuePrefix[] = "（完成时限 ";
constexpr char kDueSuffix[] = "）";

std::string Label(const EnumTable& table, int value) {
  return EnumLabel(table, value, Lang::kZh);
}

template <typename List, typename F>
std::string Lines(const List& list, F&& f) {
  std::string out;
  for (const auto& e : list) {
    if (!out.empty()) out += "\n";
    out += f(e);
  }
  return out;
}

std::string Trim(std::string_view s) {
  auto ws = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!s.empty() && ws(s.front())) s.remove_prefix(1);
  while (!s.empty() && ws(s.back())) s.remove_suffix(1);
  // Full-width spaces (U+3000) that Excel users type.
  while (s.starts_with("\xE3\x80\x80")) s.remove_prefix(3);
  while (s.ends_with("\xE3\x80\x80")) s.remove_suffix(3);
  return std::string(s);
}

// Splits on any of the separators (UTF-8 strings), dropping empty parts.
std::vector<std::string> Split(const std::string& text, const std::vector<std::string>& seps) {
  std::vector<std::string> out;
  size_t start = 0, i = 0;
  while (i <= text.size()) {
    size_t len = 0;
    if (i == text.size()) {
      len = 1;
    } else {
      for (const auto& s : seps) {
        if (text.compare(i, s.size(), s) == 0) {
          len = s.size();
          break;
        }
      }
    }
    if (len > 0) {
      std::string part = Trim(std::string_view(text).substr(start, i - start));
      if (!part.empty()) out.push_back(std::move(part));
      i += len;
      start = i;
    } else {
      ++i;
    }
  }
  return out;
}

// Dates as Excel writes them back into a CSV, depending on the cell format and locale:
// "2026/6/30", "2026-6-30", "2026.6.30", "2026年6月30日" -> "2026-06-30". Anything else is
// returned unchanged (and then refused by IsDate, quoting what the person typed).
std::string NormalizeDate(const std::string& text) {
  int parts[3] = {0, 0, 0};
  int digits[3] = {0, 0, 0};
  int k = 0;
  size_t i = 0;
  while (i < text.size() && k < 3) {
    const char c = text[i];
    if (c >= '0' && c <= '9') {
      parts[k] = parts[k] * 10 + (c - '0');
      if (++digits[k] > 4) return text;
      ++i;
      continue;
    }
    if (digits[k] == 0) return text;
    size_t len = 0;
    if (c == '-' || c == '/' || c == '.') len = 1;
    for (std::string_view sep : {"年", "月", "日"}) {
      if (std::string_view(text).substr(i).starts_with(sep)) len = sep.size();
    }
    if (len == 0) return text;
    ++k;
    i += len;
  }
  const bool complete = (k == 2 && i == text.size() && digits[2] > 0) ||
                        (k == 3 && i == text.size() && text.ends_with("日"));
  if (!complete || digits[0] != 4 || digits[1] > 2 || digits[2] > 2) return text;
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", parts[0], parts[1], parts[2]);
  return buf;
}

const std::set<std::string>& RequiredHeaders() {
  static const std::set<std::string> kRequired = {"问题标题", "问题描述", "问题来源", "问题类别",
                                                  "责任单位", "责任人",   "分管领导", "验收人"};
  return kRequired;
}

}  // namespace

const std::vector<LedgerColumn>& LedgerColumns() {
  static const std::vector<LedgerColumn> kColumns = {
      {"编号", CellKind::kText, 13, false},
      {"问题标题", CellKind::kText, 30, true},
      {"问题描述", CellKind::kText, 40, true},
      {"年度", CellKind::kNumber, 6, true},
      {"问题来源", CellKind::kText, 14, true},
      {"来源文号/会议", CellKind::kText, 20, true},
      {"问题类别", CellKind::kText, 10, true},
      {"整改类型", CellKind::kText, 10, true},
      {"责任单位", CellKind::kText, 14, true},
      {"配合单位", CellKind::kText, 14, true},
      {"责任人", CellKind::kText, 8, true},
      {"分管领导", CellKind::kText, 8, true},
      {"验收人", CellKind::kText, 8, true},
      {"整改措施", CellKind::kText, 40, true},
      {"整改时限", CellKind::kDate, 12, true},
      {"延期记录", CellKind::kText, 30, false},
      {"整改进展", CellKind::kText, 40, false},
      {"佐证材料", CellKind::kText, 30, false},
      {"签字背书", CellKind::kText, 40, false},
      {"整改结果", CellKind::kText, 30, false},
      {"销号情况", CellKind::kText, 20, false},
      {"督办级别", CellKind::kText, 8, false},
      {"预警灯", CellKind::kLight, 8, false},
      {"状态", CellKind::kText, 10, false},
      {"版本", CellKind::kNumber, 6, false},
      {"修订号", CellKind::kNumber, 8, false},
      {"创建时间", CellKind::kDateTime, 20, false},
      {"更新时间", CellKind::kDateTime, 20, false},
  };
  return kColumns;
}

std::vector<std::string> LedgerRow(const v1::Item& item) {
  const std::string measures = [&] {
    std::string out;
    for (int i = 0; i < item.measures_size(); ++i) {
      const v1::Measure& m = item.measures(i);
      if (!out.empty()) out += "\n";
      out += std::to_string(i + 1) + ". " + m.text();
      if (!m.due().empty()) out += kDuePrefix + m.due() + kDueSuffix;
      if (m.done()) out += kDone;
    }
    return out;
  }();
  std::string co_units;
  for (const auto& u : item.co_units()) co_units += (co_units.empty() ? "" : "、") + u;
  const std::string extensions = Lines(item.extensions(), [](const v1::Extension& e) {
    return e.old_deadline() + " → " + e.new_deadline() + "；原因：" + e.reason() + "；批准：" +
           e.approver() + "；" + FormatTime(e.time());
  });
  const std::string progress = Lines(item.progress(), [](const v1::ProgressNote& p) {
    return FormatTime(p.time()) + " " + p.author() + "：" + p.note();
  });
  const std::string evidence = Lines(item.evidence(), [](const v1::Evidence& e) {
    std::string s = e.name() + "；sha256 " + e.sha256() + "；" + std::to_string(e.size()) + " 字节";
    if (!e.uri().empty()) s += "；" + e.uri();
    return s;
  });
  const std::string signoffs = Lines(item.signoffs(), [](const v1::SignOff& s) {
    return FormatTime(s.time()) + " " + Label(SignOffRoleTable(), s.role()) + " " + s.person() +
           " " + Label(ActionTable(), s.action()) + "：" + s.opinion();
  });
  return {
      item.id(),
      item.title(),
      item.description(),
      item.year() ? std::to_string(item.year()) : "",
      Label(SourceTable(), item.source()),
      item.source_ref(),
      Label(CategoryTable(), item.category()),
      Label(ModeTable(), item.mode()),
      item.unit(),
      co_units,
      item.owner(),
      item.leader(),
      item.verifier(),
      measures,
      item.deadline(),
      extensions,
      progress,
      evidence,
      signoffs,
      item.result(),
      item.closure(),
      item.escalation() == v1::ESCALATION_NONE ? "" : Label(EscalationTable(), item.escalation()),
      Label(LightTable(), item.light()),
      Label(StateTable(), item.state()),
      std::to_string(item.version()),
      std::to_string(item.revision()),
      FormatTime(item.created_at()),
      FormatTime(item.updated_at()),
  };
}

Parsed<std::map<std::string, size_t>> MapHeader(const std::vector<std::string>& header) {
  using Out = Parsed<std::map<std::string, size_t>>;
  std::set<std::string> known;
  for (const auto& c : LedgerColumns()) known.insert(c.header);
  std::map<std::string, size_t> out;
  for (size_t i = 0; i < header.size(); ++i) {
    const std::string name = Trim(header[i]);
    if (name.empty()) continue;
    if (!known.count(name)) {
      return Out::Error("the header has an unknown column \"" + name + "\" (column " +
                        std::to_string(i + 1) + ")");
    }
    if (!out.emplace(name, i).second) {
      return Out::Error("the header names column \"" + name + "\" twice");
    }
  }
  std::string missing;
  for (const auto& r : RequiredHeaders()) {
    if (!out.count(r)) missing += (missing.empty() ? "" : "、") + r;
  }
  if (!missing.empty()) return Out::Error("the header lacks required columns: " + missing);
  return out;
}

Parsed<std::vector<v1::Measure>> ParseMeasures(const std::string& text) {
  std::vector<v1::Measure> out;
  for (std::string line : Split(text, {"\n"})) {
    // "1. ", "1、", "1．" numbering, as the export writes it or a person types it.
    size_t digits = 0;
    while (digits < line.size() && line[digits] >= '0' && line[digits] <= '9') ++digits;
    if (digits > 0) {
      std::string_view rest = std::string_view(line).substr(digits);
      for (std::string_view sep : {".", "、", "．"}) {
        if (rest.starts_with(sep)) {
          line = Trim(rest.substr(sep.size()));
          break;
        }
      }
    }
    v1::Measure m;
    if (line.ends_with(kDone)) line = Trim(line.substr(0, line.size() - std::string(kDone).size()));
    const size_t due_at = line.rfind(kDuePrefix);
    if (due_at != std::string::npos && line.ends_with(kDueSuffix)) {
      const size_t from = due_at + std::string(kDuePrefix).size();
      const std::string typed =
          Trim(line.substr(from, line.size() - std::string(kDueSuffix).size() - from));
      const std::string due = NormalizeDate(typed);
      if (!IsDate(due)) {
        return Parsed<std::vector<v1::Measure>>::Error("整改措施: due date \"" + typed +
                                                       "\" is not YYYY-MM-DD");
      }
      m.set_due(due);
      line = Trim(line.substr(0, due_at));
    }
    if (line.empty()) {
      return Parsed<std::vector<v1::Measure>>::Error("整改措施: a measure has no text");
    }
    m.set_text(line);
    out.push_back(std::move(m));
  }
  return out;
}

Parsed<v1::CreateItemRequest> RowToCreate(const std::map<std::string, size_t>& columns,
                                          const std::vector<std::string>& cells) {
  using Out = Parsed<v1::CreateItemRequest>;
  auto cell = [&](const char* header) -> std::string {
    auto it = columns.find(header);
    if (it == columns.end() || it->second >= cells.size()) return "";
    return Trim(cells[it->second]);
  };
  for (const auto& r : RequiredHeaders()) {
    if (cell(r.c_str()).empty()) return Out::Error(r + " is empty (required)");
  }
  v1::CreateItemRequest req;
  v1::Item* item = req.mutable_item();
  item->set_title(cell("问题标题"));
  item->set_description(cell("问题描述"));
  item->set_source_ref(cell("来源文号/会议"));
  item->set_unit(cell("责任单位"));
  item->set_owner(cell("责任人"));
  item->set_leader(cell("分管领导"));
  item->set_verifier(cell("验收人"));
  auto source = ParseSource("问题来源", cell("问题来源"));
  if (!source.ok()) return Out::Error(source.error());
  item->set_source(source.value());
  auto category = ParseCategory("问题类别", cell("问题类别"));
  if (!category.ok()) return Out::Error(category.error());
  item->set_category(category.value());
  if (const std::string mode = cell("整改类型"); !mode.empty()) {
    auto m = ParseMode("整改类型", mode);
    if (!m.ok()) return Out::Error(m.error());
    item->set_mode(m.value());
  }
  if (const std::string year = cell("年度"); !year.empty()) {
    int y = 0;
    const auto [ptr, ec] = std::from_chars(year.data(), year.data() + year.size(), y);
    if (ec != std::errc() || ptr != year.data() + year.size() || y < 2000 || y > 9999) {
      return Out::Error("年度 \"" + year + "\" is not a year (2000-9999)");
    }
    item->set_year(y);
  }
  for (auto& u : Split(cell("配合单位"), {"、", "，", ",", "\n", "；", ";"})) {
    item->add_co_units(u);
  }
  auto measures = ParseMeasures(cell("整改措施"));
  if (!measures.ok()) return Out::Error(measures.error());
  for (auto& m : std::move(measures).value()) *item->add_measures() = std::move(m);
  if (const std::string typed = cell("整改时限"); !typed.empty()) {
    const std::string deadline = NormalizeDate(typed);
    if (!IsDate(deadline)) {
      return Out::Error("整改时限 \"" + typed + "\" is not a date YYYY-MM-DD");
    }
    req.mutable_deadline()->set_date(deadline);
  }
  return req;
}

}  // namespace rectify::client

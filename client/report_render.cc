#include "client/report_render.h"

#include <cstdio>
#include <vector>

#include "client/csv.h"
#include "client/table.h"

namespace rectify::client {
namespace {

std::string Fixed1(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

std::string N(uint64_t v) { return std::to_string(v); }

const char* GroupTitle(v1::ReportGroupBy by, Lang lang) {
  const bool zh = lang == Lang::kZh;
  switch (by) {
    case v1::REPORT_GROUP_BY_UNIT: return zh ? "责任单位" : "unit";
    case v1::REPORT_GROUP_BY_LEADER: return zh ? "分管领导" : "leader";
    case v1::REPORT_GROUP_BY_SOURCE: return zh ? "问题来源" : "source";
    case v1::REPORT_GROUP_BY_CATEGORY: return zh ? "问题类别" : "category";
    default: return zh ? "分组" : "group";
  }
}

// One figure: its label, how to print it from the figures.
struct Figure {
  const char* zh;
  const char* en;
  std::string (*value)(const v1::ReportFigures&);
  bool in_group_table = true;  // the per-group table keeps to the main figures (CSV has all)
};

const std::vector<Figure>& Figures() {
  static const std::vector<Figure> kFigures = {
      {"问题数", "items", [](const v1::ReportFigures& f) { return N(f.items()); }},
      {"已销号", "closed", [](const v1::ReportFigures& f) { return N(f.closed()); }},
      {"已撤销", "cancelled", [](const v1::ReportFigures& f) { return N(f.cancelled()); }, false},
      {"办结率", "completion",
       [](const v1::ReportFigures& f) {
         return Percent(f.completion_rate(), f.items() - f.cancelled());
       }},
      {"按期销号", "on time", [](const v1::ReportFigures& f) { return N(f.closed_on_time()); }, false},
      {"按期率", "on-time rate",
       [](const v1::ReportFigures& f) { return Percent(f.on_time_rate(), f.closed()); }},
      {"当前逾期", "overdue now", [](const v1::ReportFigures& f) { return N(f.overdue_now()); }},
      {"逾期后销号", "closed late",
       [](const v1::ReportFigures& f) { return N(f.closed_after_overdue()); }},
      {"平均办结工作日", "avg working days",
       [](const v1::ReportFigures& f) {
         return f.closed_measured() ? Fixed1(f.avg_working_days_to_close()) : std::string("—");
       }},
      {"有整改措施", "with measures", [](const v1::ReportFigures& f) { return N(f.with_measures()); }},
      {"措施制定率", "measures rate",
       [](const v1::ReportFigures& f) { return Percent(f.measures_rate(), f.items()); }, false},
      {"上年度会议问题", "last year's meetings",
       [](const v1::ReportFigures& f) { return N(f.meetings_last_year()); }},
      {"其中已销号", "of them closed",
       [](const v1::ReportFigures& f) { return N(f.meetings_last_year_closed()); }, false},
      {"群众急难愁盼", "public concerns",
       [](const v1::ReportFigures& f) { return N(f.public_concern()); }},
      {"本年解决", "solved this year",
       [](const v1::ReportFigures& f) { return N(f.public_concern_closed()); }, false},
      {"提醒次数", "reminders", [](const v1::ReportFigures& f) { return N(f.reminders()); }},
      {"督办", "supervision", [](const v1::ReportFigures& f) { return N(f.supervision()); }},
      {"约谈", "admonition", [](const v1::ReportFigures& f) { return N(f.admonition()); }},
      {"签字背书", "sign-offs", [](const v1::ReportFigures& f) { return N(f.signoffs()); }},
      {"个人查摆人数", "self-exam persons",
       [](const v1::ReportFigures& f) { return N(f.self_examination().persons()); }, false},
      {"个人查摆问题", "self-exam items",
       [](const v1::ReportFigures& f) { return N(f.self_examination().total()); }},
      {"人均", "per person",
       [](const v1::ReportFigures& f) { return Fixed1(f.self_examination().average()); }, false},
      {"最少", "min", [](const v1::ReportFigures& f) { return N(f.self_examination().min()); }, false},
      {"最多", "max", [](const v1::ReportFigures& f) { return N(f.self_examination().max()); }, false},
  };
  return kFigures;
}

std::string StateCounts(const v1::ReportFigures& f, Lang lang) {
  std::string out;
  for (const auto& sc : f.by_state()) {
    if (sc.count() == 0) continue;
    if (!out.empty()) out += lang == Lang::kZh ? "、" : ", ";
    out += EnumLabel(StateTable(), sc.state(), lang) + (lang == Lang::kZh ? " " : " ") +
           N(sc.count()) + (lang == Lang::kZh ? " 个" : "");
  }
  return out.empty() ? (lang == Lang::kZh ? "无" : "none") : out;
}

std::string People(const google::protobuf::RepeatedPtrField<v1::PersonCount>& list, Lang lang) {
  std::string out;
  for (const auto& p : list) {
    if (!out.empty()) out += lang == Lang::kZh ? "、" : ", ";
    out += p.person() + (lang == Lang::kZh ? "（" + N(p.items()) + " 个）" : " (" + N(p.items()) + ")");
  }
  return out;
}

}  // namespace

std::string Percent(double rate, uint64_t denominator) {
  if (denominator == 0) return "—";
  return Fixed1(rate * 100) + "%";
}

std::string GroupLabel(const v1::Report& report, const std::string& key, Lang lang) {
  const google::protobuf::EnumDescriptor* d = nullptr;
  const EnumTable* table = nullptr;
  if (report.group_by() == v1::REPORT_GROUP_BY_SOURCE) {
    d = v1::Source_descriptor();
    table = &SourceTable();
  } else if (report.group_by() == v1::REPORT_GROUP_BY_CATEGORY) {
    d = v1::Category_descriptor();
    table = &CategoryTable();
  }
  if (d != nullptr) {
    if (const auto* v = d->FindValueByName(key); v != nullptr) {
      const std::string label = EnumLabel(*table, v->number(), lang);
      if (!label.empty()) return label;
    }
    return lang == Lang::kZh ? "（未填）" : "(unset)";
  }
  if (key.empty()) return lang == Lang::kZh ? "（未填）" : "(unset)";
  return key;
}

std::string ReportTable(const v1::Report& report, Lang lang) {
  const bool zh = lang == Lang::kZh;
  const v1::ReportFigures& o = report.overall();
  std::string out;
  out += zh ? std::to_string(report.year()) + " 年度整改台账统计" : "Ledger figures " +
                                                                     std::to_string(report.year());
  if (!report.unit().empty()) out += (zh ? "（" : " (") + report.unit() + (zh ? "）" : ")");
  out += "\n";
  std::vector<SheetRow> sheet;
  for (const Figure& f : Figures()) sheet.push_back({zh ? f.zh : f.en, f.value(o)});
  sheet.push_back({zh ? "按状态" : "by state", StateCounts(o, lang)});
  const auto& se = o.self_examination();
  if (se.required_min() > 0) {
    sheet.push_back({zh ? "少于 " + std::to_string(se.required_min()) + " 个" :
                          "below " + std::to_string(se.required_min()),
                     se.below_min_size() ? People(se.below_min(), lang) : (zh ? "无" : "none")});
  }
  sheet.push_back({zh ? "统计口径" : "as of",
                   (zh ? "台账第 " : "revision ") + N(report.revision()) +
                       (zh ? " 版，" : ", ") + report.as_of()});
  out += RenderSheet(sheet);
  if (report.groups_size() > 0) {
    out += "\n";
    std::vector<Column> columns = {{GroupTitle(report.group_by(), lang)}};
    for (const Figure& f : Figures()) {
      if (f.in_group_table) columns.push_back({zh ? f.zh : f.en, Align::kRight});
    }
    std::vector<Row> rows;
    for (const auto& g : report.groups()) {
      Row row = {GroupLabel(report, g.key(), lang)};
      for (const Figure& f : Figures()) {
        if (f.in_group_table) row.push_back(f.value(g.figures()));
      }
      rows.push_back(std::move(row));
    }
    out += RenderTable(columns, rows);
  }
  return out;
}

std::string ReportCsv(const v1::Report& report, Lang lang) {
  const bool zh = lang == Lang::kZh;
  std::vector<std::string> header = {zh ? "年度" : "year", zh ? "责任单位" : "unit",
                                     GroupTitle(report.group_by(), lang)};
  for (const Figure& f : Figures()) header.push_back(zh ? f.zh : f.en);
  for (int s = v1::STATE_DRAFT; s <= v1::STATE_CANCELLED; ++s) {
    header.push_back(EnumLabel(StateTable(), s, lang));
  }
  header.push_back(zh ? "台账版本" : "revision");
  header.push_back(zh ? "统计日期" : "as of");
  std::string out = CsvLine(header);
  auto line = [&](const std::string& group, const v1::ReportFigures& f) {
    std::vector<std::string> row = {std::to_string(report.year()), report.unit(), group};
    for (const Figure& fig : Figures()) row.push_back(fig.value(f));
    for (const auto& sc : f.by_state()) row.push_back(N(sc.count()));
    row.push_back(N(report.revision()));
    row.push_back(report.as_of());
    out += CsvLine(row);
  };
  line(zh ? "合计" : "total", report.overall());
  for (const auto& g : report.groups()) line(GroupLabel(report, g.key(), lang), g.figures());
  return out;
}

std::string ReportMarkdown(const v1::Report& report) {
  const Lang zh = Lang::kZh;
  const std::string src = "（台账第 " + N(report.revision()) + " 版，" + report.as_of() + " 统计）";
  const std::string year = std::to_string(report.year());
  const v1::ReportFigures& o = report.overall();
  const auto& se = o.self_examination();
  std::string out = "## " + year + " 年度整改工作情况";
  if (!report.unit().empty()) out += "（" + report.unit() + "）";
  out += "\n\n";
  out += "截至 " + report.as_of() + "，" + year + " 年度整改台账共登记问题 " + N(o.items()) +
         " 个，已整改销号 " + N(o.closed()) + " 个，办结率 " +
         Percent(o.completion_rate(), o.items() - o.cancelled());
  if (o.cancelled() > 0) out += "（撤销的 " + N(o.cancelled()) + " 个不计入）";
  out += src + "；其中按期销号 " + N(o.closed_on_time()) + " 个，按期率 " +
         Percent(o.on_time_rate(), o.closed()) + src + "，逾期后销号 " +
         N(o.closed_after_overdue()) + " 个" + src + "；目前仍有 " + N(o.overdue_now()) +
         " 个问题逾期未销号" + src + "。";
  if (o.closed_measured() > 0) {
    out += "问题从确认交办到销号平均用时 " + Fixed1(o.avg_working_days_to_close()) +
           " 个工作日（按国务院办公厅节假日安排计算，计入 " + N(o.closed_measured()) +
           " 个已销号问题）" + src + "。";
  }
  out += "\n\n";
  out += "- 个人查摆：" + N(se.persons()) + " 名同志共查摆问题 " + N(se.total()) +
         " 个，人均 " + Fixed1(se.average()) + " 个，最少 " + N(se.min()) + " 个、最多 " +
         N(se.max()) + " 个" + src;
  if (se.required_min() > 0) {
    out += se.below_min_size() == 0
               ? "，每人均不少于 " + std::to_string(se.required_min()) + " 个"
               : "；少于 " + std::to_string(se.required_min()) + " 个的：" +
                     People(se.below_min(), zh) + src;
  }
  out += "。\n";
  out += "- 逐一制定整改措施：" + N(o.with_measures()) + " 个问题已制定整改措施，占 " +
         Percent(o.measures_rate(), o.items()) + src + "。\n";
  out += "- 上年度民主生活会、组织生活会查摆问题 " + N(o.meetings_last_year()) +
         " 个，已整改销号 " + N(o.meetings_last_year_closed()) + " 个" + src + "。\n";
  out += "- 群众急难愁盼问题：本年度登记 " + N(o.public_concern()) + " 个" + src +
         "，本年度解决（销号）" + N(o.public_concern_closed()) + " 个" + src + "。\n";
  out += "- 按状态：" + StateCounts(o, zh) + src + "。\n";
  out += "- 早提醒、早纠正：发出到期提醒 " + N(o.reminders()) + " 次，督办 " +
         N(o.supervision()) + " 个、约谈 " + N(o.admonition()) + " 个" + src + "；签字背书 " +
         N(o.signoffs()) + " 人次" + src + "。\n";
  if (report.groups_size() > 0) {
    out += "\n### 按" + std::string(GroupTitle(report.group_by(), zh)) + "\n\n";
    out += "| " + std::string(GroupTitle(report.group_by(), zh)) +
           " | 问题数 | 已销号 | 办结率 | 按期率 | 当前逾期 | 督办 | 约谈 |\n";
    out += "|---|---:|---:|---:|---:|---:|---:|---:|\n";
    for (const auto& g : report.groups()) {
      const auto& f = g.figures();
      out += "| " + GroupLabel(report, g.key(), zh) + " | " + N(f.items()) + " | " +
             N(f.closed()) + " | " + Percent(f.completion_rate(), f.items() - f.cancelled()) +
             " | " + Percent(f.on_time_rate(), f.closed()) + " | " + N(f.overdue_now()) + " | " +
             N(f.supervision()) + " | " + N(f.admonition()) + " |\n";
    }
    out += "\n数据来源：整改台账第 " + N(report.revision()) + " 版，" + report.as_of() + " 统计。\n";
  }
  return out;
}

}  // namespace rectify::client

#include "client/ledger_cli.h"

namespace rectify::client {

void LedgerCli::Register(CLI::App& app) {
  report_ = app.add_subcommand("report", "year-end figures (年度整改统计)");
  report_->add_option("--year", year_, "年度")->required()->check(CLI::Range(2000, 9999));
  report_->add_option("--unit", unit_, "only this 责任单位");
  report_->add_option("--by", by_, "group by unit, leader, source or category")
      ->check(CLI::IsMember({"unit", "leader", "source", "category"}));
  report_output_ = report_->add_option("-o,--output", output_, "table (default), json, csv or md")
                       ->check(CLI::IsMember({"table", "json", "csv", "md"}));
  report_->add_option("--min-per-person", min_per_person_,
                      "个人查摆: each member lists at least N problems (who is below is named)")
      ->check(CLI::Range(0, 1000));
  report_->add_option("--member", members_,
                      "个人查摆: a member who must list problems (repeatable), so one with none "
                      "is counted")
      ->allow_extra_args(false);

  export_ = app.add_subcommand("export", "write the ledger (整改台账) to an XLSX or CSV file");
  export_->add_option("--year", year_, "年度")->required()->check(CLI::Range(2000, 9999));
  export_->add_option("--format", format_, "xlsx or csv")
      ->required()
      ->check(CLI::IsMember({"xlsx", "csv"}));
  export_->add_option("-o,--output", file_, "the file to write")->required();
  export_->add_option("--unit", unit_, "责任单位");
  export_->add_option("--owner", owner_, "责任人");
  export_->add_option("--leader", leader_, "分管领导");
  export_->add_option("--source", source_, "问题来源");
  export_->add_option("--category", category_, "问题类别");
  export_->add_option("--state", states_, "状态 (repeatable, any of)")->allow_extra_args(false);
  export_->add_option("--light", light_, "预警灯");
  export_->add_flag("--overdue", overdue_, "only open items past their deadline");

  import_ = app.add_subcommand("import", "create items from a ledger CSV (UTF-8 or GB18030/GBK)");
  import_->add_option("file", file_, "the CSV file, in export's columns")->required();
  import_->add_flag("--dry-run", dry_run_, "check every row and show what would be created");
  import_->add_flag("--skip-bad", skip_bad_, "create the good rows even if some rows are bad");
}

bool LedgerCli::Owns(const CLI::App* chosen) const {
  return chosen == report_ || chosen == export_ || chosen == import_;
}

std::optional<std::string> LedgerCli::Convert(const CLI::App* chosen, Command* command) const {
  if (chosen == report_) {
    ReportCommand cmd;
    cmd.request.set_year(year_);
    cmd.request.set_unit(unit_);
    if (by_ == "unit") cmd.request.set_group_by(v1::REPORT_GROUP_BY_UNIT);
    if (by_ == "leader") cmd.request.set_group_by(v1::REPORT_GROUP_BY_LEADER);
    if (by_ == "source") cmd.request.set_group_by(v1::REPORT_GROUP_BY_SOURCE);
    if (by_ == "category") cmd.request.set_group_by(v1::REPORT_GROUP_BY_CATEGORY);
    cmd.request.set_self_examination_min(min_per_person_);
    for (const auto& m : members_) cmd.request.add_members(m);
    if (report_output_->count() > 0) {
      cmd.format = output_ == "json"  ? ReportFormat::kJson
                   : output_ == "csv" ? ReportFormat::kCsv
                   : output_ == "md"  ? ReportFormat::kMd
                                      : ReportFormat::kTable;
    }
    *command = std::move(cmd);
    return std::nullopt;
  }
  if (chosen == export_) {
    ExportCommand cmd;
    cmd.format = format_ == "csv" ? ExportCommand::Format::kCsv : ExportCommand::Format::kXlsx;
    cmd.file = file_;
    v1::ListItemsRequest& r = cmd.filter;
    r.set_year(year_);
    r.set_unit(unit_);
    r.set_owner(owner_);
    r.set_leader(leader_);
    r.set_overdue(overdue_);
    if (!source_.empty()) {
      auto s = ParseSource("--source", source_);
      if (!s.ok()) return s.error();
      r.set_source(s.value());
    }
    if (!category_.empty()) {
      auto c = ParseCategory("--category", category_);
      if (!c.ok()) return c.error();
      r.set_category(c.value());
    }
    for (const auto& text : states_) {
      auto s = ParseState("--state", text);
      if (!s.ok()) return s.error();
      r.add_states(s.value());
    }
    if (!light_.empty()) {
      auto l = ParseLight("--light", light_);
      if (!l.ok()) return l.error();
      r.set_light(l.value());
    }
    *command = std::move(cmd);
    return std::nullopt;
  }
  ImportCommand cmd;
  cmd.file = file_;
  cmd.dry_run = dry_run_;
  cmd.skip_bad = skip_bad_;
  *command = std::move(cmd);
  return std::nullopt;
}

}  // namespace rectify::client

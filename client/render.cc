#include "client/render.h"

#include <google/protobuf/util/json_util.h>

#include <algorithm>
#include <ctime>
#include <set>

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

std::string Header(Lang lang, std::string_view zh, std::string_view en) {
  return std::string(T(lang, zh, en));
}

// A delivery's recipient: a person, or "" for a group robot.
std::string Recipient(const std::string& recipient, Lang lang) {
  return recipient.empty() ? std::string(T(lang, "（群）", "(group)")) : recipient;
}

std::string Late(bool late, Lang lang) { return late ? std::string(T(lang, "补发", "late")) : ""; }

// A titled section: the title line, then the body or "（无）" when there is nothing.
std::string Section(std::string_view title, const std::string& body, Lang lang) {
  std::string out(title);
  out.push_back('\n');
  out.append(body.empty() ? std::string(T(lang, "（无）", "(none)")) + "\n" : body);
  return out;
}

std::string UpcomingTable(const RepeatedPtrField<v1::UpcomingReminder>& upcoming, Lang lang) {
  if (upcoming.empty()) return "";
  const std::vector<Column> columns = {
      {Header(lang, "编号", "ID")},
      {Header(lang, "下次提醒", "Next reminder")},
  };
  std::vector<Row> rows;
  for (const v1::UpcomingReminder& u : upcoming) rows.push_back({u.item_id(), FormatTime(u.at())});
  return RenderTable(columns, rows);
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
      row("下次提醒", "Next reminder", FormatTime(item.next_reminder_at())),
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
    // REMINDER / ESCALATED events carry no comment: say what fired instead.
    std::string comment = e.comment();
    if (comment.empty()) comment = RemindersBrief(e.reminders(), lang);
    rows.push_back({std::to_string(e.revision()), FormatTime(e.time()),
                    EnumLabel(EventKindTable(), e.kind(), lang), e.actor(), StateChange(e, lang),
                    EnumLabel(ActionTable(), e.action(), lang), comment});
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
      row("测试时钟", "Test clock", YesNo(info.test_clock(), lang)),
      row("待发送消息", "Outbox pending", std::to_string(info.outbox_pending())),
      row("审计链头", "Audit head",
          info.audit_head_hash().empty()
              ? ""
              : std::to_string(info.audit_head_revision()) + " " + info.audit_head_hash()),
  });
}

std::string VerifyAuditText(const v1::VerifyAuditResponse& r, Lang lang) {
  auto row = [&](std::string_view zh, std::string_view en, std::string value) {
    return SheetRow{std::string(T(lang, zh, en)), OrDash(std::move(value))};
  };
  std::vector<SheetRow> rows;
  rows.push_back(row("结果", "Result",
                     std::string(r.ok() ? T(lang, "完好：审计链校验通过", "OK: the audit chain is intact")
                                        : T(lang, "已被破坏", "BROKEN"))));
  if (!r.ok()) {
    rows.push_back(row("首个断点修订号", "First broken revision",
                       std::to_string(r.broken_revision())));
    rows.push_back(row("原因", "Reason", r.reason()));
  }
  rows.push_back(row("校验至修订号", "Checked up to revision", std::to_string(r.revision())));
  rows.push_back(row("已校验事件", "Events verified",
                     std::to_string(r.revisions_checked()) +
                         std::string(T(lang, "（自修订号 ", " (from revision ")) +
                         std::to_string(r.first_revision()) + std::string(T(lang, "）", ")"))));
  rows.push_back(
      row("已核对历史副本", "History copies compared", std::to_string(r.history_checked())));
  rows.push_back(row("审计链起点", "Chain start", std::to_string(r.chain_start())));
  if (r.compact_revision() > 0) {
    rows.push_back(row("压缩修订号", "Compact revision",
                       std::to_string(r.compact_revision()) + " " + r.compact_hash()));
  }
  rows.push_back(row(r.ok() ? "链头" : "最后通过的修订号", r.ok() ? "Head" : "Last verified",
                     r.head_hash().empty()
                         ? std::to_string(r.head_revision())
                         : std::to_string(r.head_revision()) + " " + r.head_hash()));
  return RenderSheet(rows);
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
  if (const std::string brief = RemindersBrief(event.reminders(), lang); !brief.empty()) {
    line.append(T(lang, "  提醒：", "  reminders: ")).append(brief);
  }
  return OneLine(line);
}

std::string FiredRemindersTable(const RepeatedPtrField<v1::Reminder>& reminders, Lang lang) {
  const std::vector<Column> columns = {
      {Header(lang, "编号", "ID")},
      {Header(lang, "标题", "Title"), Align::kLeft, 24},
      {Header(lang, "提醒类型", "Kind")},
      {Header(lang, "接收人", "Recipient"), Align::kLeft, 12},
      {Header(lang, "工作日数", "Days"), Align::kRight},
      {Header(lang, "补发", "Late")},
  };
  std::vector<Row> rows;
  rows.reserve(reminders.size());
  for (const v1::Reminder& r : reminders) {
    rows.push_back({r.item_id(), r.title(), EnumLabel(ReminderKindTable(), r.kind(), lang),
                    r.recipient(), std::to_string(r.days()), Late(r.late(), lang)});
  }
  return RenderTable(columns, rows);
}

std::string ItemRemindersTable(const RepeatedPtrField<v1::Reminder>& reminders, Lang lang) {
  const std::vector<Column> columns = {
      {Header(lang, "日期", "Day")},
      {Header(lang, "提醒类型", "Kind")},
      {Header(lang, "规则", "Rule")},
      {Header(lang, "接收人", "Recipient"), Align::kLeft, 12},
      {Header(lang, "工作日数", "Days"), Align::kRight},
      {Header(lang, "补发", "Late")},
      {Header(lang, "督办级别", "Escalation")},
      {Header(lang, "触发时间", "Fired at")},
      {Header(lang, "键", "Key")},
  };
  std::vector<Row> rows;
  rows.reserve(reminders.size());
  for (const v1::Reminder& r : reminders) {
    rows.push_back({r.day(), EnumLabel(ReminderKindTable(), r.kind(), lang), r.rule(),
                    r.recipient(), std::to_string(r.days()), Late(r.late(), lang),
                    Escalation(r.escalation(), lang), FormatTime(r.fired_at()), r.key()});
  }
  return RenderTable(columns, rows);
}

std::string DeliveriesTable(const std::vector<const v1::Delivery*>& deliveries, Lang lang) {
  const std::vector<Column> columns = {
      {Header(lang, "消息号", "ID"), Align::kRight},
      {Header(lang, "渠道", "Channel")},
      {Header(lang, "接收人", "Recipient"), Align::kLeft, 12},
      {Header(lang, "状态", "State")},
      {Header(lang, "尝试次数", "Attempts"), Align::kRight},
      {Header(lang, "最近错误", "Last error"), Align::kLeft, 40},
      {Header(lang, "下次尝试", "Next attempt")},
      {Header(lang, "发送时间", "Sent at")},
  };
  std::vector<Row> rows;
  rows.reserve(deliveries.size());
  for (const v1::Delivery* d : deliveries) {
    rows.push_back({std::to_string(d->id()), d->channel(), Recipient(d->recipient(), lang),
                    EnumLabel(DeliveryStateTable(), d->state(), lang),
                    std::to_string(d->attempts()), d->last_error(),
                    FormatTime(d->next_attempt_at()), FormatTime(d->sent_at())});
  }
  return RenderTable(columns, rows);
}

std::string RunRemindersText(const v1::RunRemindersResponse& response, Lang lang) {
  std::string out;
  if (response.fired_size() > 0) {
    out.append(T(lang, "提醒\n", "Reminders\n"));
    out.append(FiredRemindersTable(response.fired(), lang));
  }
  if (response.deliveries_size() > 0) {
    if (!out.empty()) out.push_back('\n');
    out.append(T(lang, "消息\n", "Digests\n"));
    const std::vector<Column> columns = {
        {Header(lang, "渠道", "Channel")},
        {Header(lang, "接收人", "Recipient"), Align::kLeft, 12},
        {Header(lang, "状态", "State")},
    };
    std::vector<Row> rows;
    for (const v1::Delivery& d : response.deliveries()) {
      rows.push_back({d.channel(), Recipient(d.recipient(), lang),
                      EnumLabel(DeliveryStateTable(), d.state(), lang)});
    }
    out.append(RenderTable(columns, rows));
  }
  if (!out.empty()) out.push_back('\n');
  const std::string fired = std::to_string(response.fired_size());
  const std::string queued = std::to_string(response.deliveries_size());
  const std::string evaluated = std::to_string(response.items_evaluated());
  const std::string revision = std::to_string(response.revision());
  if (lang == Lang::kZh) {
    out.append(response.dry_run() ? "演练：将触发 " : "已触发 ").append(fired).append(" 条提醒，");
    out.append(response.dry_run() ? "将排入 " : "排入 ").append(queued).append(" 条消息");
    out.append("（评估 " + evaluated + " 项，修订号 " + revision + "）");
    if (response.dry_run()) out.append("；未记录、未发送");
  } else {
    out.append(response.dry_run() ? "dry run: would fire " : "fired ").append(fired);
    out.append(response.dry_run() ? " reminders and queue " : " reminders, queued ");
    out.append(queued).append(" digests (" + evaluated + " items evaluated, revision " + revision +
                              ")");
    if (response.dry_run()) out.append("; nothing recorded or sent");
  }
  out.push_back('\n');
  return out;
}

std::string RemindersListText(const v1::ListRemindersRequest& request,
                              const v1::ListRemindersResponse& response, Lang lang) {
  const bool one_item = !request.item_id().empty();
  std::string out;
  auto add = [&](std::string_view zh, std::string_view en, const std::string& body) {
    if (!out.empty()) out.push_back('\n');
    out.append(Section(T(lang, zh, en), body, lang));
  };
  if (one_item || response.reminders_size() > 0) {
    add("提醒记录", "Reminders",
        response.reminders().empty()
            ? ""
            : (one_item ? ItemRemindersTable(response.reminders(), lang)
                        : FiredRemindersTable(response.reminders(), lang)));
  }
  if (request.include_deliveries() || response.deliveries_size() > 0) {
    // The response's own list, then any a reminder carries that it lacks (Reminder.deliveries
    // is documented as filled in ListReminders too); the same delivery is shown once.
    std::vector<const v1::Delivery*> deliveries;
    std::set<uint64_t> ids;
    auto take = [&](const v1::Delivery& d) {
      if (d.id() != 0 && !ids.insert(d.id()).second) return;
      deliveries.push_back(&d);
    };
    for (const v1::Delivery& d : response.deliveries()) take(d);
    for (const v1::Reminder& r : response.reminders()) {
      for (const v1::Delivery& d : r.deliveries()) take(d);
    }
    add(one_item ? "消息" : "发件箱", one_item ? "Deliveries" : "Outbox",
        deliveries.empty() ? "" : DeliveriesTable(deliveries, lang));
  }
  if (request.upcoming() || response.upcoming_size() > 0) {
    add("下次提醒", "Upcoming", UpcomingTable(response.upcoming(), lang));
  }
  return out;
}

std::string RemindersBrief(const RepeatedPtrField<v1::Reminder>& reminders, Lang lang) {
  // Kinds in first-seen order, each with its recipients (no repeats).
  std::vector<std::pair<int, std::vector<std::string>>> groups;
  for (const v1::Reminder& r : reminders) {
    auto it = std::find_if(groups.begin(), groups.end(),
                           [&](const auto& g) { return g.first == r.kind(); });
    if (it == groups.end()) it = groups.insert(groups.end(), {r.kind(), {}});
    if (std::find(it->second.begin(), it->second.end(), r.recipient()) == it->second.end()) {
      it->second.push_back(r.recipient());
    }
  }
  std::string out;
  for (const auto& [kind, recipients] : groups) {
    if (!out.empty()) out.append(T(lang, "；", "; "));
    out.append(EnumLabel(ReminderKindTable(), kind, lang));
    std::string names;
    for (const std::string& name : recipients) {
      if (!names.empty()) names.append(T(lang, "、", ", "));
      names.append(OrDash(name));
    }
    out.append(T(lang, "（", " (")).append(names).append(T(lang, "）", ")"));
  }
  return out;
}

std::string CalendarText(const v1::GetCalendarResponse& response, Lang lang) {
  std::string out;
  out.append(T(lang, "时区：", "Time zone: ")).append(OrDash(response.time_zone())).push_back('\n');
  if (response.years().empty()) out.append(T(lang, "（无年份）\n", "(no years)\n"));
  for (const v1::CalendarYear& y : response.years()) {
    int name_width = 0;
    for (const v1::CalendarHoliday& h : y.holidays()) {
      name_width = std::max(name_width, DisplayWidth(h.name()));
    }
    std::string holidays;
    for (const v1::CalendarHoliday& h : y.holidays()) {
      if (!holidays.empty()) holidays.push_back('\n');
      holidays.append(PadToWidth(h.name(), name_width)).append("  ").append(h.from());
      if (h.to() != h.from()) holidays.append(T(lang, " 至 ", " to ")).append(h.to());
    }
    auto row = [&](std::string_view zh, std::string_view en, std::string value) {
      return SheetRow{std::string(T(lang, zh, en)), OrDash(std::move(value))};
    };
    out.push_back('\n');
    out.append(RenderSheet({
        row("年度", "Year", std::to_string(y.year())),
        row("通知", "Notice", y.notice()),
        row("节假日", "Holidays", holidays),
        row("调休上班", "Adjusted working days", Join(y.workdays(), T(lang, "、", ", "))),
        row("工作日数", "Working days", std::to_string(y.working_days())),
    }));
  }
  return out;
}

std::string AddWorkingDaysLine(const v1::AddWorkingDaysRequest& request,
                               const v1::AddWorkingDaysResponse& response, Lang lang) {
  const std::string& start = request.date();
  const int n = request.days();
  const std::string count = std::to_string(n < 0 ? -static_cast<int64_t>(n) : n);
  std::string out;
  if (n == 0) {
    // Zero steps: the start itself, so say what it is.
    if (lang == Lang::kZh) {
      out = start + (response.start_is_working_day() ? " 是工作日" : " 不是工作日");
    } else {
      out =
          start + (response.start_is_working_day() ? " is a working day" : " is not a working day");
    }
    return out;
  }
  if (lang == Lang::kZh) {
    out = start + (n > 0 ? " 之后第 " : " 之前第 ") + count + " 个工作日是 " + response.date();
    if (!response.start_is_working_day()) out += "（" + start + " 本身不是工作日）";
  } else {
    out = "working day " + count + (n > 0 ? " after " : " before ") + start + " is " +
          response.date();
    if (!response.start_is_working_day()) out += " (" + start + " itself is not a working day)";
  }
  return out;
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

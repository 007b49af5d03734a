#pragma once

// Everything rectifyctl prints on stdout: human sheets and tables (Chinese by default, English
// with --lang en) and the machine JSON of -o json. Pure functions from responses to text; the
// caller owns the stream.
//
// JSON rules (scripts depend on them; change only compatibly):
// - protobuf's JSON mapping with lowerCamel names and enums as their full proto names
//   ("STATE_DRAFT"); fields at their default value are printed too, so a key is always there;
// - one document per line, no pretty printing; 64-bit integers are JSON strings, as the
//   mapping says ("revision":"12").

#include <google/protobuf/message.h>
#include <google/protobuf/repeated_ptr_field.h>
#include <google/protobuf/timestamp.pb.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "client/enums.h"
#include "rectify/v1/rectify.pb.h"

namespace rectify::client {

// One line of JSON (no trailing newline).
std::string ToJson(const google::protobuf::Message& message);

// A watch progress response as a JSON line: {"progress":{"revision":"N"}}.
std::string ProgressJson(uint64_t revision);

// "2026-01-02 10:00:00" in the local time zone of the machine running rectifyctl (honours TZ);
// "" for an unset timestamp.
std::string FormatTime(const google::protobuf::Timestamp& time);

// The field/value sheet of `get`: every field, lists one entry per line.
std::string ItemSheet(const v1::Item& item, Lang lang);

// The table of `list`.
std::string ItemsTable(const google::protobuf::RepeatedPtrField<v1::Item>& items, Lang lang);

// The table of `history`: one line per event.
std::string HistoryTable(const google::protobuf::RepeatedPtrField<v1::Event>& events, Lang lang);

std::string ServerInfoSheet(const v1::ServerInfo& info, Lang lang);
// admin verify-audit: the verdict first, then what was checked.
std::string VerifyAuditText(const v1::VerifyAuditResponse& r, Lang lang);

// One line per watched event: revision, time, item, kind, state before -> after, actor.
std::string WatchEventLine(const v1::Event& event, Lang lang);

// `remind run`: the fired reminders (编号, 标题, 提醒类型, 接收人, 工作日数, 补发), the digests
// queued in the outbox (渠道, 接收人, 状态), and a summary line that says whether it was a dry run.
std::string RunRemindersText(const v1::RunRemindersResponse& response, Lang lang);

// The table of fired reminders across items, as `remind run` shows it.
std::string FiredRemindersTable(const google::protobuf::RepeatedPtrField<v1::Reminder>& reminders,
                                Lang lang);

// The table of one item's reminders: day, kind, rule, recipient, days, late, escalation, fired
// at, key.
std::string ItemRemindersTable(const google::protobuf::RepeatedPtrField<v1::Reminder>& reminders,
                               Lang lang);

// Deliveries: id, channel, recipient ("" = the group robot), state, attempts, last error, next
// attempt, sent at.
std::string DeliveriesTable(const std::vector<const v1::Delivery*>& deliveries, Lang lang);

// `remind list`: the sections `request` asked for (an item's reminders, deliveries, upcoming;
// or the outbox and upcoming), each under a title, "（无）" when empty.
std::string RemindersListText(const v1::ListRemindersRequest& request,
                              const v1::ListRemindersResponse& response, Lang lang);

// Reminders of a REMINDER / ESCALATED event in a few words, grouped by kind in the order they
// come: "逾期提醒（张三、李四）；督办（王五）". "" for none.
std::string RemindersBrief(const google::protobuf::RepeatedPtrField<v1::Reminder>& reminders,
                           Lang lang);

// `calendar`: one sheet per year (notice, holidays "name from 至 to", adjusted working days,
// working-day count), after the daemon's time zone.
std::string CalendarText(const v1::GetCalendarResponse& response, Lang lang);

// `calendar add-workdays`: "2025-09-26 之后第 5 个工作日是 2025-10-10" (no newline).
std::string AddWorkingDaysLine(const v1::AddWorkingDaysRequest& request,
                               const v1::AddWorkingDaysResponse& response, Lang lang);

// The one-line answer to a mutation in table mode, e.g. "已确认 2026-000001（未整改，版本 2）".
// `action` is ACTION_UNSPECIFIED for create, update and progress, named by `command`.
std::string MutationSummary(std::string_view command, v1::Action action, const v1::Item& item,
                            Lang lang);

}  // namespace rectify::client

#include "client/enums.h"

#include <cctype>

namespace rectify::client {
namespace {

constexpr EnumEntry kSources[] = {
    {v1::SOURCE_DEMOCRATIC_LIFE_MEETING, "DEMOCRATIC_LIFE_MEETING", "民主生活会",
     "democratic life meeting"},
    {v1::SOURCE_ORGANIZATIONAL_LIFE_MEETING, "ORGANIZATIONAL_LIFE_MEETING", "组织生活会",
     "organizational life meeting"},
    {v1::SOURCE_SELF_EXAMINATION, "SELF_EXAMINATION", "个人查摆", "self-examination"},
    {v1::SOURCE_INSPECTION, "INSPECTION", "巡察", "inspection"},
    {v1::SOURCE_AUDIT, "AUDIT", "审计", "audit"},
    {v1::SOURCE_INTEGRITY_RISK, "INTEGRITY_RISK", "廉政风险点排查", "integrity-risk screening"},
    {v1::SOURCE_PUBLIC_CONCERN, "PUBLIC_CONCERN", "群众急难愁盼", "public concern"},
    {v1::SOURCE_ASSIGNED_FROM_ABOVE, "ASSIGNED_FROM_ABOVE", "上级交办", "assigned from above"},
    {v1::SOURCE_OTHER, "OTHER", "其他", "other"},
};

constexpr EnumEntry kCategories[] = {
    {v1::CATEGORY_WORK_STYLE, "WORK_STYLE", "作风", "work style"},
    {v1::CATEGORY_DISCIPLINE, "DISCIPLINE", "纪律", "discipline"},
    {v1::CATEGORY_INTEGRITY, "INTEGRITY", "廉政风险", "integrity risk"},
    {v1::CATEGORY_PUBLIC_SERVICE, "PUBLIC_SERVICE", "服务群众", "public service"},
    {v1::CATEGORY_OTHER, "OTHER", "其他", "other"},
};

constexpr EnumEntry kModes[] = {
    {v1::MODE_IMMEDIATE, "IMMEDIATE", "立行立改", "immediate"},
    {v1::MODE_BY_DEADLINE, "BY_DEADLINE", "限期整改", "by deadline"},
    {v1::MODE_LONG_TERM, "LONG_TERM", "长期坚持", "long-term"},
};

constexpr EnumEntry kStates[] = {
    {v1::STATE_DRAFT, "DRAFT", "待确认", "draft"},
    {v1::STATE_ASSIGNED, "ASSIGNED", "未整改", "assigned"},
    {v1::STATE_IN_PROGRESS, "IN_PROGRESS", "整改中", "in progress"},
    {v1::STATE_SUBMITTED, "SUBMITTED", "申请销号", "submitted"},
    {v1::STATE_ENDORSED, "ENDORSED", "待验收", "endorsed"},
    {v1::STATE_CLOSED, "CLOSED", "已销号", "closed"},
    {v1::STATE_LONG_TERM, "LONG_TERM", "长期坚持", "long-term"},
    {v1::STATE_CANCELLED, "CANCELLED", "已撤销", "cancelled"},
};

constexpr EnumEntry kActions[] = {
    {v1::ACTION_CONFIRM, "CONFIRM", "确认", "confirm"},
    {v1::ACTION_START, "START", "开始整改", "start"},
    {v1::ACTION_SUBMIT, "SUBMIT", "申请销号", "submit"},
    {v1::ACTION_ENDORSE, "ENDORSE", "签字背书", "endorse"},
    {v1::ACTION_RETURN, "RETURN", "退回", "return"},
    {v1::ACTION_CLOSE, "CLOSE", "销号", "close"},
    {v1::ACTION_KEEP_LONG_TERM, "KEEP_LONG_TERM", "转长期坚持", "keep long-term"},
    {v1::ACTION_CLOSE_LONG_TERM, "CLOSE_LONG_TERM", "长期坚持销号", "close long-term"},
    {v1::ACTION_REOPEN, "REOPEN", "重新整改", "reopen"},
    {v1::ACTION_CANCEL, "CANCEL", "撤销", "cancel"},
    {v1::ACTION_EXTEND, "EXTEND", "延期", "extend"},
};

constexpr EnumEntry kLights[] = {
    {v1::LIGHT_GREEN, "GREEN", "绿灯", "green", "绿"},
    {v1::LIGHT_BLUE, "BLUE", "蓝灯", "blue", "蓝"},
    {v1::LIGHT_YELLOW, "YELLOW", "黄灯", "yellow", "黄"},
    {v1::LIGHT_RED, "RED", "红灯", "red", "红"},
};

constexpr EnumEntry kEscalations[] = {
    {v1::ESCALATION_NONE, "NONE", "无", "none"},
    {v1::ESCALATION_SUPERVISION, "SUPERVISION", "督办", "supervision"},
    {v1::ESCALATION_ADMONITION, "ADMONITION", "约谈", "admonition"},
};

constexpr EnumEntry kSignOffRoles[] = {
    {v1::SIGN_OFF_ROLE_OWNER, "OWNER", "责任人", "owner"},
    {v1::SIGN_OFF_ROLE_LEADER, "LEADER", "分管领导", "leader"},
    {v1::SIGN_OFF_ROLE_VERIFIER, "VERIFIER", "验收人", "verifier"},
    {v1::SIGN_OFF_ROLE_SUPERVISOR, "SUPERVISOR", "监督人", "supervisor"},
};

constexpr EnumEntry kEventKinds[] = {
    {v1::EVENT_KIND_CREATED, "CREATED", "新建", "created"},
    {v1::EVENT_KIND_TRANSITIONED, "TRANSITIONED", "流转", "transitioned"},
    {v1::EVENT_KIND_UPDATED, "UPDATED", "修改", "updated"},
    {v1::EVENT_KIND_PROGRESS_ADDED, "PROGRESS_ADDED", "进展", "progress added"},
    {v1::EVENT_KIND_EXTENDED, "EXTENDED", "延期", "extended"},
    {v1::EVENT_KIND_REMINDER, "REMINDER", "提醒", "reminder"},
    {v1::EVENT_KIND_ESCALATED, "ESCALATED", "升级督办", "escalated"},
};

constexpr EnumEntry kReminderKinds[] = {
    {v1::REMINDER_KIND_BEFORE_DEADLINE, "BEFORE_DEADLINE", "截止前提醒", "before deadline"},
    {v1::REMINDER_KIND_DEADLINE_DAY, "DEADLINE_DAY", "到期提醒", "deadline day"},
    {v1::REMINDER_KIND_OVERDUE, "OVERDUE", "逾期提醒", "overdue"},
    {v1::REMINDER_KIND_SUPERVISION, "SUPERVISION", "督办", "supervision"},
    {v1::REMINDER_KIND_ADMONITION, "ADMONITION", "约谈", "admonition"},
    {v1::REMINDER_KIND_STALE_PROGRESS, "STALE_PROGRESS", "进展停滞提醒", "stale progress"},
};

constexpr EnumEntry kDeliveryStates[] = {
    {v1::DELIVERY_STATE_PENDING, "PENDING", "待发送", "pending"},
    {v1::DELIVERY_STATE_SENT, "SENT", "已发送", "sent"},
    // The daemon gave up (4xx, rejected): no more attempts.
    {v1::DELIVERY_STATE_DEAD, "DEAD", "发送失败(终止)", "failed (final)", "发送失败"},
    {v1::DELIVERY_STATE_NO_ADDRESS, "NO_ADDRESS", "无地址", "no address"},
};

constexpr EnumEntry kOrderBys[] = {
    {v1::ORDER_BY_ID, "ID", "编号", "id"},
    {v1::ORDER_BY_DEADLINE, "DEADLINE", "整改时限", "deadline", "时限"},
};

// ASCII upper case, '-' and ' ' as '_': "in-progress" -> "IN_PROGRESS". Non-ASCII bytes are
// kept, so a Chinese label never matches a bare name by accident.
std::string Normalize(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '-' || c == ' ') {
      out.push_back('_');
    } else {
      out.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
    }
  }
  return out;
}

std::string_view Trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) {
    text.remove_prefix(1);
  }
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) {
    text.remove_suffix(1);
  }
  return text;
}

template <typename E>
Parsed<E> Typed(Parsed<int> parsed) {
  if (!parsed.ok()) return Parsed<E>::Error(parsed.error());
  return static_cast<E>(parsed.value());
}

}  // namespace

#define RECTIFY_ENUM_TABLE(fn, prefix, entries)    \
  const EnumTable& fn() {                          \
    static const EnumTable table{prefix, entries}; \
    return table;                                  \
  }
RECTIFY_ENUM_TABLE(SourceTable, "SOURCE_", kSources)
RECTIFY_ENUM_TABLE(CategoryTable, "CATEGORY_", kCategories)
RECTIFY_ENUM_TABLE(ModeTable, "MODE_", kModes)
RECTIFY_ENUM_TABLE(StateTable, "STATE_", kStates)
RECTIFY_ENUM_TABLE(ActionTable, "ACTION_", kActions)
RECTIFY_ENUM_TABLE(LightTable, "LIGHT_", kLights)
RECTIFY_ENUM_TABLE(EscalationTable, "ESCALATION_", kEscalations)
RECTIFY_ENUM_TABLE(SignOffRoleTable, "SIGN_OFF_ROLE_", kSignOffRoles)
RECTIFY_ENUM_TABLE(EventKindTable, "EVENT_KIND_", kEventKinds)
RECTIFY_ENUM_TABLE(OrderByTable, "ORDER_BY_", kOrderBys)
RECTIFY_ENUM_TABLE(ReminderKindTable, "REMINDER_KIND_", kReminderKinds)
RECTIFY_ENUM_TABLE(DeliveryStateTable, "DELIVERY_STATE_", kDeliveryStates)
#undef RECTIFY_ENUM_TABLE

std::string AcceptedValues(const EnumTable& table) {
  std::string out;
  for (const EnumEntry& e : table.entries) {
    if (!out.empty()) out.append(", ");
    out.append(e.name).append("|").append(e.zh);
  }
  return out;
}

Parsed<int> ParseEnumValue(const EnumTable& table, std::string_view flag, std::string_view text) {
  const std::string_view trimmed = Trim(text);
  const std::string normalized = Normalize(trimmed);
  for (const EnumEntry& e : table.entries) {
    if (trimmed == e.zh || (!e.alias.empty() && trimmed == e.alias)) return e.value;
    if (normalized == e.name) return e.value;
    if (normalized.size() == table.prefix.size() + e.name.size() &&
        normalized.starts_with(table.prefix) &&
        std::string_view(normalized).substr(table.prefix.size()) == e.name) {
      return e.value;
    }
  }
  return Parsed<int>::Error("invalid value '" + std::string(text) + "' for " + std::string(flag) +
                            "; accepted: " + AcceptedValues(table));
}

std::string EnumLabel(const EnumTable& table, int value, Lang lang) {
  for (const EnumEntry& e : table.entries) {
    if (e.value == value) return std::string(lang == Lang::kZh ? e.zh : e.en);
  }
  if (value == 0) return "";
  return "?" + std::to_string(value);
}

Parsed<v1::Source> ParseSource(std::string_view flag, std::string_view text) {
  return Typed<v1::Source>(ParseEnumValue(SourceTable(), flag, text));
}
Parsed<v1::Category> ParseCategory(std::string_view flag, std::string_view text) {
  return Typed<v1::Category>(ParseEnumValue(CategoryTable(), flag, text));
}
Parsed<v1::Mode> ParseMode(std::string_view flag, std::string_view text) {
  return Typed<v1::Mode>(ParseEnumValue(ModeTable(), flag, text));
}
Parsed<v1::State> ParseState(std::string_view flag, std::string_view text) {
  return Typed<v1::State>(ParseEnumValue(StateTable(), flag, text));
}
Parsed<v1::Light> ParseLight(std::string_view flag, std::string_view text) {
  return Typed<v1::Light>(ParseEnumValue(LightTable(), flag, text));
}
Parsed<v1::EventKind> ParseEventKind(std::string_view flag, std::string_view text) {
  return Typed<v1::EventKind>(ParseEnumValue(EventKindTable(), flag, text));
}
Parsed<v1::OrderBy> ParseOrderBy(std::string_view flag, std::string_view text) {
  return Typed<v1::OrderBy>(ParseEnumValue(OrderByTable(), flag, text));
}

}  // namespace rectify::client

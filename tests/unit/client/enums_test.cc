#include "client/enums.h"

#include <google/protobuf/descriptor.h>
#include <gtest/gtest.h>

namespace rectify::client {
namespace {

TEST(ParseEnum, BareNameInAnyCase) {
  EXPECT_EQ(ParseSource("--source", "audit").value(), v1::SOURCE_AUDIT);
  EXPECT_EQ(ParseSource("--source", "AUDIT").value(), v1::SOURCE_AUDIT);
  EXPECT_EQ(ParseSource("--source", "Audit").value(), v1::SOURCE_AUDIT);
  EXPECT_EQ(ParseState("--state", "in_progress").value(), v1::STATE_IN_PROGRESS);
}

TEST(ParseEnum, PrefixedName) {
  EXPECT_EQ(ParseSource("--source", "SOURCE_AUDIT").value(), v1::SOURCE_AUDIT);
  EXPECT_EQ(ParseSource("--source", "source_public_concern").value(), v1::SOURCE_PUBLIC_CONCERN);
  EXPECT_EQ(ParseEventKind("--kind", "EVENT_KIND_PROGRESS_ADDED").value(),
            v1::EVENT_KIND_PROGRESS_ADDED);
}

TEST(ParseEnum, DashesAndSpacesForUnderscores) {
  EXPECT_EQ(ParseState("--state", "in-progress").value(), v1::STATE_IN_PROGRESS);
  EXPECT_EQ(ParseMode("--mode", "by deadline").value(), v1::MODE_BY_DEADLINE);
  EXPECT_EQ(ParseCategory("--category", "work-style").value(), v1::CATEGORY_WORK_STYLE);
}

TEST(ParseEnum, ChineseLabels) {
  EXPECT_EQ(ParseSource("--source", "审计").value(), v1::SOURCE_AUDIT);
  EXPECT_EQ(ParseSource("--source", "群众急难愁盼").value(), v1::SOURCE_PUBLIC_CONCERN);
  EXPECT_EQ(ParseCategory("--category", "作风").value(), v1::CATEGORY_WORK_STYLE);
  EXPECT_EQ(ParseMode("--mode", "立行立改").value(), v1::MODE_IMMEDIATE);
  EXPECT_EQ(ParseState("--state", "待确认").value(), v1::STATE_DRAFT);
  EXPECT_EQ(ParseState("--state", "未整改").value(), v1::STATE_ASSIGNED);
  EXPECT_EQ(ParseState("--state", "整改中").value(), v1::STATE_IN_PROGRESS);
  EXPECT_EQ(ParseState("--state", "申请销号").value(), v1::STATE_SUBMITTED);
  EXPECT_EQ(ParseState("--state", "待验收").value(), v1::STATE_ENDORSED);
  EXPECT_EQ(ParseState("--state", "已销号").value(), v1::STATE_CLOSED);
  EXPECT_EQ(ParseState("--state", "长期坚持").value(), v1::STATE_LONG_TERM);
  EXPECT_EQ(ParseState("--state", "已撤销").value(), v1::STATE_CANCELLED);
  EXPECT_EQ(ParseLight("--light", "红灯").value(), v1::LIGHT_RED);
  EXPECT_EQ(ParseLight("--light", "红").value(), v1::LIGHT_RED);  // alias
  // The same label in two enums means each enum's own value.
  EXPECT_EQ(ParseSource("--source", "其他").value(), v1::SOURCE_OTHER);
  EXPECT_EQ(ParseCategory("--category", "其他").value(), v1::CATEGORY_OTHER);
  EXPECT_EQ(ParseMode("--mode", "长期坚持").value(), v1::MODE_LONG_TERM);
}

TEST(ParseEnum, SurroundingSpacesIgnored) {
  EXPECT_EQ(ParseState("--state", " draft ").value(), v1::STATE_DRAFT);
  EXPECT_EQ(ParseState("--state", " 整改中").value(), v1::STATE_IN_PROGRESS);
}

TEST(ParseEnum, UnknownListsAcceptedValues) {
  const auto parsed = ParseState("--state", "done");
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.error().find("'done'"), std::string::npos) << parsed.error();
  EXPECT_NE(parsed.error().find("--state"), std::string::npos) << parsed.error();
  EXPECT_NE(parsed.error().find("IN_PROGRESS|整改中"), std::string::npos) << parsed.error();
  EXPECT_NE(parsed.error().find("CANCELLED|已撤销"), std::string::npos) << parsed.error();
}

TEST(ParseEnum, RejectsUnspecifiedEmptyAndOtherEnumsNames) {
  EXPECT_FALSE(ParseState("--state", "UNSPECIFIED").ok());
  EXPECT_FALSE(ParseState("--state", "STATE_UNSPECIFIED").ok());
  EXPECT_FALSE(ParseState("--state", "").ok());
  EXPECT_FALSE(ParseSource("--source", "CATEGORY_OTHER").ok());  // wrong prefix
  EXPECT_FALSE(ParseSource("--source", "作风").ok());            // a category label
  EXPECT_FALSE(ParseSource("--source", "SOURCE_").ok());
  EXPECT_FALSE(ParseSource("--source", "AUDITX").ok());
  EXPECT_FALSE(ParseState("--state", "整改").ok());  // prefix of a label
}

TEST(ParseEnum, OrderBy) {
  EXPECT_EQ(ParseOrderBy("--order", "deadline").value(), v1::ORDER_BY_DEADLINE);
  EXPECT_EQ(ParseOrderBy("--order", "id").value(), v1::ORDER_BY_ID);
  EXPECT_FALSE(ParseOrderBy("--order", "title").ok());
}

TEST(EnumLabel, BothLanguagesAndUnknownValues) {
  EXPECT_EQ(EnumLabel(StateTable(), v1::STATE_IN_PROGRESS, Lang::kZh), "整改中");
  EXPECT_EQ(EnumLabel(StateTable(), v1::STATE_IN_PROGRESS, Lang::kEn), "in progress");
  EXPECT_EQ(EnumLabel(StateTable(), v1::STATE_UNSPECIFIED, Lang::kZh), "");
  EXPECT_EQ(EnumLabel(StateTable(), 42, Lang::kZh), "?42");
  EXPECT_EQ(EnumLabel(EscalationTable(), v1::ESCALATION_SUPERVISION, Lang::kZh), "督办");
}

TEST(EnumLabel, ReminderKindsAndDeliveryStates) {
  const std::pair<v1::ReminderKind, const char*> kinds[] = {
      {v1::REMINDER_KIND_BEFORE_DEADLINE, "截止前提醒"},
      {v1::REMINDER_KIND_DEADLINE_DAY, "到期提醒"},
      {v1::REMINDER_KIND_OVERDUE, "逾期提醒"},
      {v1::REMINDER_KIND_SUPERVISION, "督办"},
      {v1::REMINDER_KIND_ADMONITION, "约谈"},
      {v1::REMINDER_KIND_STALE_PROGRESS, "进展停滞提醒"},
  };
  for (const auto& [kind, label] : kinds) {
    EXPECT_EQ(EnumLabel(ReminderKindTable(), kind, Lang::kZh), label);
  }
  const std::pair<v1::DeliveryState, const char*> states[] = {
      {v1::DELIVERY_STATE_PENDING, "待发送"},
      {v1::DELIVERY_STATE_SENT, "已发送"},
      {v1::DELIVERY_STATE_DEAD, "发送失败(终止)"},
      {v1::DELIVERY_STATE_NO_ADDRESS, "无地址"},
  };
  for (const auto& [state, label] : states) {
    EXPECT_EQ(EnumLabel(DeliveryStateTable(), state, Lang::kZh), label);
  }
  EXPECT_EQ(EnumLabel(DeliveryStateTable(), v1::DELIVERY_STATE_DEAD, Lang::kEn), "failed (final)");
  EXPECT_EQ(ParseEnumValue(DeliveryStateTable(), "--x", "发送失败").value(),
            v1::DELIVERY_STATE_DEAD);
  EXPECT_EQ(ParseEnumValue(ReminderKindTable(), "--x", "stale-progress").value(),
            v1::REMINDER_KIND_STALE_PROGRESS);
}

// Every value the proto defines, except the UNSPECIFIED zero, has exactly one entry whose bare
// name is the proto name without the prefix, and every label parses back to its value.
void ExpectTableMatches(const EnumTable& table, const google::protobuf::EnumDescriptor* d) {
  SCOPED_TRACE(d->full_name());
  size_t expected = 0;
  for (int i = 0; i < d->value_count(); ++i) {
    const auto* v = d->value(i);
    if (v->name().ends_with("_UNSPECIFIED")) continue;
    ++expected;
    int matches = 0;
    for (const EnumEntry& e : table.entries) {
      if (e.value != v->number()) continue;
      ++matches;
      EXPECT_EQ(std::string(table.prefix) + std::string(e.name), v->name());
      EXPECT_FALSE(e.zh.empty());
      EXPECT_FALSE(e.en.empty());
      EXPECT_EQ(ParseEnumValue(table, "--x", e.zh).value(), v->number()) << e.zh;
      EXPECT_EQ(ParseEnumValue(table, "--x", e.name).value(), v->number()) << e.name;
      EXPECT_EQ(ParseEnumValue(table, "--x", v->name()).value(), v->number()) << v->name();
    }
    EXPECT_EQ(matches, 1) << v->name();
  }
  EXPECT_EQ(table.entries.size(), expected);
}

TEST(EnumTables, CoverEveryProtoValue) {
  ExpectTableMatches(SourceTable(), v1::Source_descriptor());
  ExpectTableMatches(CategoryTable(), v1::Category_descriptor());
  ExpectTableMatches(ModeTable(), v1::Mode_descriptor());
  ExpectTableMatches(StateTable(), v1::State_descriptor());
  ExpectTableMatches(ActionTable(), v1::Action_descriptor());
  ExpectTableMatches(LightTable(), v1::Light_descriptor());
  ExpectTableMatches(EscalationTable(), v1::Escalation_descriptor());
  ExpectTableMatches(SignOffRoleTable(), v1::SignOffRole_descriptor());
  ExpectTableMatches(EventKindTable(), v1::EventKind_descriptor());
  ExpectTableMatches(OrderByTable(), v1::OrderBy_descriptor());
  ExpectTableMatches(ReminderKindTable(), v1::ReminderKind_descriptor());
  ExpectTableMatches(DeliveryStateTable(), v1::DeliveryState_descriptor());
}

}  // namespace
}  // namespace rectify::client

#include "domain/validation.h"

#include <gtest/gtest.h>

namespace rectify::domain {
namespace {

v1::CreateItemRequest Good() {
  v1::CreateItemRequest req;
  auto* i = req.mutable_item();
  i->set_title("会议纪要不规范");
  i->set_description("描述");
  i->set_source(v1::SOURCE_AUDIT);
  i->set_category(v1::CATEGORY_WORK_STYLE);
  i->set_unit("办公室");
  i->set_owner("张三");
  i->set_leader("李四");
  i->set_verifier("王五");
  return req;
}

TEST(Utf8, CountsAndRejects) {
  EXPECT_EQ(*Utf8Length("abc"), 3u);
  EXPECT_EQ(*Utf8Length("整改台账"), 4u);
  EXPECT_EQ(*Utf8Length("\xF0\x9F\x98\x80"), 1u);
  for (std::string bad : {"\xC0\xAF", "\xE0\x80\xAF", "\xED\xA0\x80", "\xF4\x90\x80\x80",
                          "\xE4\xB8", "\x80", "\xFF"}) {
    EXPECT_FALSE(Utf8Length(bad).ok()) << testing::PrintToString(bad);
  }
}

TEST(Validation, CreateGoodPasses) { EXPECT_TRUE(ValidateCreate(Good()).ok()); }

struct BadCase {
  const char* name;
  std::function<void(v1::CreateItemRequest&)> mutate;
  const char* field;
};

TEST(Validation, CreateBadFieldsAreInvalidArgumentNamingTheField) {
  const std::vector<BadCase> cases = {
      {"empty title", [](auto& r) { r.mutable_item()->clear_title(); }, "title"},
      {"long title", [](auto& r) { r.mutable_item()->set_title(std::string(201, 'x')); }, "title"},
      {"long cjk title",
       [](auto& r) {
         std::string t;
         for (int i = 0; i < 201; ++i) t += "题";
         r.mutable_item()->set_title(t);
       },
       "title"},
      {"bad utf8", [](auto& r) { r.mutable_item()->set_description("a\xC3("); }, "description"},
      {"unknown source", [](auto& r) { r.mutable_item()->set_source(static_cast<v1::Source>(99)); },
       "source"},
      {"missing category", [](auto& r) { r.mutable_item()->clear_category(); }, "category"},
      {"missing owner", [](auto& r) { r.mutable_item()->clear_owner(); }, "owner"},
      {"owner verifies self", [](auto& r) { r.mutable_item()->set_verifier("张三"); }, "verifier"},
      {"bad deadline", [](auto& r) { r.mutable_item()->set_deadline("2026-02-30"); }, "deadline"},
      {"bad measure due",
       [](auto& r) {
         auto* m = r.mutable_item()->add_measures();
         m->set_text("x");
         m->set_due("tomorrow");
       },
       "measures[0].due"},
      {"empty measure", [](auto& r) { r.mutable_item()->add_measures(); }, "measures[0].text"},
      {"deadline spec empty", [](auto& r) { r.mutable_deadline(); }, "deadline"},
      {"negative working days", [](auto& r) { r.mutable_deadline()->set_working_days(-1); },
       "working_days"},
      {"year", [](auto& r) { r.mutable_item()->set_year(1999); }, "year"},
  };
  for (const auto& c : cases) {
    auto req = Good();
    c.mutate(req);
    Status st = ValidateCreate(req);
    EXPECT_EQ(st.code(), Code::kInvalidArgument) << c.name;
    EXPECT_NE(st.message().find(c.field), std::string::npos) << c.name << ": " << st.message();
  }
}

TEST(Validation, TransitionAndProgress) {
  v1::TransitionRequest t;
  t.set_id("2026-000001");
  EXPECT_EQ(ValidateTransition(t).code(), Code::kInvalidArgument);  // no action
  t.set_action(static_cast<v1::Action>(42));
  EXPECT_EQ(ValidateTransition(t).code(), Code::kInvalidArgument);
  t.set_action(v1::ACTION_SUBMIT);
  EXPECT_TRUE(ValidateTransition(t).ok());
  auto* e = t.add_evidence();
  e->set_name("照片");
  e->set_sha256("ABC");
  EXPECT_EQ(ValidateTransition(t).code(), Code::kInvalidArgument);
  e->set_sha256(std::string(64, 'a'));
  EXPECT_TRUE(ValidateTransition(t).ok());
  t.set_action(v1::ACTION_EXTEND);
  EXPECT_EQ(ValidateTransition(t).code(), Code::kInvalidArgument);  // no new deadline
  t.set_id("../etc");
  EXPECT_EQ(ValidateTransition(t).code(), Code::kInvalidArgument);

  v1::AddProgressRequest p;
  p.set_id("2026-000001");
  EXPECT_EQ(ValidateProgress(p).code(), Code::kInvalidArgument);  // empty note
  p.set_note("进展");
  EXPECT_TRUE(ValidateProgress(p).ok());
  p.add_measures_done(-1);
  EXPECT_EQ(ValidateProgress(p).code(), Code::kInvalidArgument);
}

TEST(Validation, UpdateMaskMustNameUpdatableFields) {
  v1::UpdateItemRequest u;
  u.set_id("2026-000001");
  EXPECT_EQ(ValidateUpdate(u).code(), Code::kInvalidArgument);
  u.mutable_update_mask()->add_paths("state");
  EXPECT_EQ(ValidateUpdate(u).code(), Code::kInvalidArgument);
  u.mutable_update_mask()->Clear();
  u.mutable_update_mask()->add_paths("title");
  EXPECT_EQ(ValidateUpdate(u).code(), Code::kInvalidArgument);  // empty title
  u.mutable_item()->set_title("ok");
  EXPECT_TRUE(ValidateUpdate(u).ok());
}

TEST(Validation, List) {
  v1::ListItemsRequest l;
  EXPECT_TRUE(ValidateList(l).ok());
  l.set_deadline_from("2026-05-01");
  l.set_deadline_to("2026-04-01");
  EXPECT_EQ(ValidateList(l).code(), Code::kInvalidArgument);
  l.clear_deadline_to();
  l.set_page_size(5000);
  EXPECT_EQ(ValidateList(l).code(), Code::kInvalidArgument);
  l.set_page_size(10);
  l.add_states(static_cast<v1::State>(77));
  EXPECT_EQ(ValidateList(l).code(), Code::kInvalidArgument);
}

}  // namespace
}  // namespace rectify::domain

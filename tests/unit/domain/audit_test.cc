// The audit chain: hash stability (the same event always hashes the same, any change of
// content or link changes it) and the verifier finding the first break, table-driven.

#include "domain/audit.h"

#include <functional>

#include <gtest/gtest.h>

namespace rectify::domain {
namespace {

v1::Event MakeEvent(uint64_t revision, const std::string& comment = "同意") {
  v1::Event e;
  e.set_revision(revision);
  e.set_kind(v1::EVENT_KIND_TRANSITIONED);
  e.set_item_id("2026-000001");
  e.set_actor("李四");
  e.mutable_time()->set_seconds(1767225600 + revision);
  e.set_prev_state(v1::STATE_SUBMITTED);
  e.set_action(v1::ACTION_ENDORSE);
  e.set_comment(comment);
  auto* item = e.mutable_item();
  item->set_id("2026-000001");
  item->set_title("会议记录不规范");
  item->set_state(v1::STATE_ENDORSED);
  item->add_measures()->set_text("建立制度");
  item->add_co_units("财务科");
  item->add_co_units("人事科");
  return e;
}

// A chain of n sealed events, revisions 1..n.
std::vector<v1::Event> Chain(int n) {
  std::vector<v1::Event> out;
  std::string prev;
  for (int r = 1; r <= n; ++r) {
    v1::Event e = MakeEvent(r, "意见" + std::to_string(r));
    SealEvent(prev, e);
    prev = e.hash();
    out.push_back(e);
  }
  return out;
}

std::string Bytes(const v1::Event& e) { return e.SerializeAsString(); }

TEST(AuditHash, IsSha256OfPrevHashAndCanonicalBytes) {
  v1::Event e = MakeEvent(1);
  SealEvent("", e);
  EXPECT_EQ(e.hash().size(), 32u);
  EXPECT_TRUE(e.prev_hash().empty());
  // The empty event has canonical bytes "" : the hash is SHA-256("").
  v1::Event empty;
  EXPECT_EQ(Hex(EventHash(empty)),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(AuditHash, IsStableAcrossCopiesAndReparsing) {
  v1::Event a = MakeEvent(7);
  SealEvent(std::string(32, '\x01'), a);
  v1::Event b;
  ASSERT_TRUE(b.ParseFromString(a.SerializeAsString()));
  EXPECT_EQ(EventHash(b), a.hash());
  EXPECT_EQ(CanonicalEventBytes(b), CanonicalEventBytes(a));
  // The stored hash is not part of what it covers.
  b.set_hash("whatever");
  EXPECT_EQ(EventHash(b), a.hash());
  // Sealing twice gives the same hash.
  v1::Event c = MakeEvent(7);
  SealEvent(std::string(32, '\x01'), c);
  EXPECT_EQ(c.hash(), a.hash());
}

TEST(AuditHash, SealingReturnsTheEventsOwnSerialization) {
  // The writer stores what SealEvent returns instead of serializing the event again: it must be
  // exactly the event, hash included, for events with and without a prev_hash, reminders and an
  // item with sign-offs (the item is the bulk of an event).
  for (const std::string& prev : {std::string(), std::string(32, '\x02')}) {
    v1::Event e = MakeEvent(9, "验收意见");
    e.add_reminders()->set_recipient("张三");
    e.mutable_item()->add_signoffs()->set_person("李四");
    const std::string bytes = SealEvent(prev, e);
    EXPECT_EQ(bytes, e.SerializeAsString());
    v1::Event back;
    ASSERT_TRUE(back.ParseFromString(bytes));
    EXPECT_EQ(back.hash(), e.hash());
    EXPECT_EQ(back.prev_hash(), prev);
    EXPECT_EQ(EventHash(back), e.hash());
  }
}

TEST(AuditHash, AnyChangeChangesIt) {
  const v1::Event base = MakeEvent(3);
  const std::string h = EventHash(base);
  const std::vector<std::pair<const char*, std::function<void(v1::Event&)>>> changes = {
      {"comment byte", [](v1::Event& e) { e.mutable_comment()->back() ^= 1; }},
      {"actor", [](v1::Event& e) { e.set_actor("王五"); }},
      {"time", [](v1::Event& e) { e.mutable_time()->set_nanos(1); }},
      {"action", [](v1::Event& e) { e.set_action(v1::ACTION_CLOSE); }},
      {"state before", [](v1::Event& e) { e.set_prev_state(v1::STATE_ENDORSED); }},
      {"item after", [](v1::Event& e) { e.mutable_item()->set_state(v1::STATE_CLOSED); }},
      {"revision", [](v1::Event& e) { e.set_revision(4); }},
      {"prev hash", [](v1::Event& e) { e.set_prev_hash(std::string(32, '\0')); }},
      {"repeated order", [](v1::Event& e) { e.mutable_item()->mutable_co_units()->SwapElements(0, 1); }},
  };
  for (const auto& [name, change] : changes) {
    v1::Event e = base;
    change(e);
    EXPECT_NE(EventHash(e), h) << name;
  }
}

TEST(AuditHash, HexIsLowercase) { EXPECT_EQ(Hex(std::string("\x00\xab\xff", 3)), "00abff"); }

TEST(ChainVerifier, AnIntactChainVerifies) {
  auto chain = Chain(5);
  ChainVerifier v(1, 1, "");
  for (const auto& e : chain) EXPECT_TRUE(v.Add(e.revision(), Bytes(e)));
  v.Finish(5);
  EXPECT_TRUE(v.ok()) << v.reason();
  EXPECT_EQ(v.checked(), 5u);
  EXPECT_EQ(v.head_revision(), 5u);
  EXPECT_EQ(v.head_hash(), chain.back().hash());
}

// Each case damages the stored chain of 6 events; the verifier must name the first broken
// revision and say why.
struct BreakCase {
  const char* name;
  std::function<void(std::vector<std::pair<uint64_t, std::string>>&)> damage;
  uint64_t broken;
  const char* reason;  // a substring of the reason
};

TEST(ChainVerifier, FindsTheFirstBreak) {
  auto parse = [](const std::string& b) {
    v1::Event e;
    e.ParseFromString(b);
    return e;
  };
  const std::vector<BreakCase> cases = {
      {"comment changed", [&](auto& log) {
         v1::Event e = parse(log[2].second);
         e.set_comment("改过的意见");
         log[2].second = Bytes(e);
       }, 3, "does not match its hash"},
      {"changed and rehashed: the next one breaks", [&](auto& log) {
         v1::Event e = parse(log[2].second);
         e.set_comment("改过的意见");
         SealEvent(e.prev_hash(), e);
         log[2].second = Bytes(e);
       }, 4, "does not follow the previous one"},
      {"an event deleted in the middle", [&](auto& log) { log.erase(log.begin() + 3); }, 4,
       "revision 4 is missing"},
      {"the last events deleted", [&](auto& log) { log.resize(4); }, 5,
       "revisions 5 to 6 are missing"},
      {"hash stripped", [&](auto& log) {
         v1::Event e = parse(log[1].second);
         e.clear_hash();
         e.clear_prev_hash();
         log[1].second = Bytes(e);
       }, 2, "has no hash"},
      {"garbage", [&](auto& log) { log[4].second = "\xff\xff\xff"; }, 5, "does not parse"},
      {"two breaks: the first counts", [&](auto& log) {
         log.erase(log.begin() + 4);
         v1::Event e = parse(log[1].second);
         e.set_actor("冒名者");
         log[1].second = Bytes(e);
       }, 2, "does not match its hash"},
      {"an event moved to another revision", [&](auto& log) { log[3].second = log[2].second; },
       4, "says it is revision 3"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    std::vector<std::pair<uint64_t, std::string>> log;
    for (const auto& e : Chain(6)) log.emplace_back(e.revision(), Bytes(e));
    c.damage(log);
    ChainVerifier v(1, 1, "");
    for (const auto& [rev, bytes] : log) {
      if (!v.Add(rev, bytes)) break;
    }
    v.Finish(6);
    EXPECT_FALSE(v.ok());
    EXPECT_EQ(v.broken_revision(), c.broken);
    EXPECT_NE(v.reason().find(c.reason), std::string::npos) << v.reason();
    EXPECT_EQ(v.head_revision(), c.broken - 1);
  }
}

TEST(ChainVerifier, ResumesAfterCompactionFromTheRecordedHead) {
  auto chain = Chain(6);
  // Revisions 1-3 compacted away; the store recorded revision 3's hash.
  ChainVerifier ok(4, 1, chain[2].hash());
  for (int i = 3; i < 6; ++i) ASSERT_TRUE(ok.Add(chain[i].revision(), Bytes(chain[i])));
  ok.Finish(6);
  EXPECT_TRUE(ok.ok()) << ok.reason();
  EXPECT_EQ(ok.checked(), 3u);
  // A wrong recorded head (or a replaced first retained event) is a break at the first one.
  ChainVerifier bad(4, 1, std::string(32, '\x07'));
  EXPECT_FALSE(bad.Add(chain[3].revision(), Bytes(chain[3])));
  EXPECT_EQ(bad.broken_revision(), 4u);
}

TEST(ChainVerifier, EventsBeforeTheChainStartAreCountedNotVerified) {
  // Revisions 1-2 from before the chain (no hash); the chain starts at 3 from nothing.
  std::vector<v1::Event> log = {MakeEvent(1), MakeEvent(2)};
  std::string prev;
  for (int r = 3; r <= 4; ++r) {
    v1::Event e = MakeEvent(r);
    SealEvent(prev, e);
    prev = e.hash();
    log.push_back(e);
  }
  ChainVerifier v(1, 3, "");
  for (const auto& e : log) ASSERT_TRUE(v.Add(e.revision(), Bytes(e))) << v.reason();
  v.Finish(4);
  EXPECT_TRUE(v.ok());
  EXPECT_EQ(v.unhashed(), 2u);
  EXPECT_EQ(v.checked(), 2u);
  // But a gap before the chain start is still a gap.
  ChainVerifier gap(1, 3, "");
  EXPECT_FALSE(gap.Add(2, Bytes(log[1])));
  EXPECT_EQ(gap.broken_revision(), 1u);
}

}  // namespace
}  // namespace rectify::domain

// Key encoding (KEYS.md): integer round trips, byte order equals numeric order, string payloads
// are length-prefixed, and the index keys an item has.

#include "store/keys.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

namespace rectify::store::keys {
namespace {

using ::testing::Contains;
using ::testing::Not;

// RocksDB's default comparator: unsigned bytewise. Spelled out so the tests do not depend on
// how std::string happens to compare chars.
bool ByteLess(std::string_view a, std::string_view b) {
  return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return static_cast<uint8_t>(x) < static_cast<uint8_t>(y);
  });
}

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && s.substr(0, prefix.size()) == prefix;
}

std::string Hex(std::string_view s) {
  static const char* kDigits = "0123456789abcdef";
  std::string out;
  for (char c : s) {
    out.push_back(kDigits[static_cast<uint8_t>(c) >> 4]);
    out.push_back(kDigits[static_cast<uint8_t>(c) & 0xF]);
  }
  return out;
}

// Values around every byte boundary, plus some random ones.
std::vector<uint64_t> BoundaryValues64() {
  std::vector<uint64_t> v = {0,
                             1,
                             2,
                             127,
                             128,
                             254,
                             255,
                             256,
                             257,
                             65535,
                             65536,
                             65537,
                             (1ull << 24) - 1,
                             1ull << 24,
                             (1ull << 32) - 1,
                             1ull << 32,
                             (1ull << 32) + 1,
                             (1ull << 40),
                             (1ull << 56) - 1,
                             1ull << 56,
                             (1ull << 63) - 1,
                             1ull << 63,
                             std::numeric_limits<uint64_t>::max()};
  std::mt19937_64 rng(42);
  for (int i = 0; i < 200; ++i) v.push_back(rng() >> (rng() % 64));
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
  return v;
}

TEST(KeysTest, IntegersAreBigEndian) {
  std::string s;
  AppendU16(s, 0x0102);
  EXPECT_EQ(s, std::string("\x01\x02", 2));
  s.clear();
  AppendU32(s, 0x01020304u);
  EXPECT_EQ(s, std::string("\x01\x02\x03\x04", 4));
  s.clear();
  AppendU64(s, 0x0102030405060708ull);
  EXPECT_EQ(s, std::string("\x01\x02\x03\x04\x05\x06\x07\x08", 8));
}

TEST(KeysTest, U16RoundTrip) {
  for (uint32_t v : {0u, 1u, 255u, 256u, 2025u, 65534u, 65535u}) {
    std::string s;
    AppendU16(s, static_cast<uint16_t>(v));
    ASSERT_EQ(s.size(), 2u);
    uint32_t back = (static_cast<uint8_t>(s[0]) << 8) | static_cast<uint8_t>(s[1]);
    EXPECT_EQ(back, v);
  }
}

TEST(KeysTest, U32RoundTrip) {
  for (uint64_t v64 : BoundaryValues64()) {
    const uint32_t v = static_cast<uint32_t>(v64);
    std::string s;
    AppendU32(s, v);
    ASSERT_EQ(s.size(), 4u);
    EXPECT_EQ(ReadU32(s), v) << Hex(s);
  }
}

TEST(KeysTest, U64RoundTrip) {
  for (uint64_t v : BoundaryValues64()) {
    std::string s;
    AppendU64(s, v);
    ASSERT_EQ(s.size(), 8u);
    EXPECT_EQ(ReadU64(s), v) << Hex(s);
  }
}

TEST(KeysTest, ReadStopsAtItsWidth) {
  std::string s;
  AppendU64(s, 7);
  s += "trailing";
  EXPECT_EQ(ReadU64(s), 7u);
  std::string t;
  AppendU32(t, 9);
  t += "\xff\xff";
  EXPECT_EQ(ReadU32(t), 9u);
}

TEST(KeysTest, EventKeyByteOrderIsNumericOrder) {
  const auto values = BoundaryValues64();  // sorted, unique
  for (size_t i = 0; i < values.size(); ++i) {
    const std::string ki = EventKey(values[i]);
    EXPECT_EQ(ParseEventKey(ki), values[i]);
    for (size_t j = i + 1; j < values.size(); ++j) {
      const std::string kj = EventKey(values[j]);
      EXPECT_TRUE(ByteLess(ki, kj)) << values[i] << " (" << Hex(ki) << ") should sort before "
                                    << values[j] << " (" << Hex(kj) << ")";
    }
  }
}

TEST(KeysTest, EventKeyOrderAcrossByteBoundaries) {
  // The classic little-endian / varint mistakes show up exactly here.
  EXPECT_TRUE(ByteLess(EventKey(255), EventKey(256)));
  EXPECT_TRUE(ByteLess(EventKey(65535), EventKey(65536)));
  EXPECT_TRUE(ByteLess(EventKey((1ull << 32) - 1), EventKey(1ull << 32)));
  EXPECT_TRUE(ByteLess(EventKey(9), EventKey(10)));  // not decimal text
}

TEST(KeysTest, HistoryKeyByteOrderIsNumericOrder) {
  const std::string id = "2025-000123";
  const auto values = BoundaryValues64();
  std::vector<std::string> ks;
  for (uint64_t v : values) {
    ks.push_back(HistoryKey(id, v));
    EXPECT_EQ(ParseHistoryKey(ks.back()), v);
    EXPECT_TRUE(StartsWith(ks.back(), HistoryPrefix(id)));
  }
  for (size_t i = 0; i + 1 < ks.size(); ++i) {
    EXPECT_TRUE(ByteLess(ks[i], ks[i + 1])) << values[i] << " should sort before " << values[i + 1];
  }
  EXPECT_TRUE(ByteLess(HistoryKey(id, 255), HistoryKey(id, 256)));
  EXPECT_TRUE(ByteLess(HistoryKey(id, (1ull << 32) - 1), HistoryKey(id, 1ull << 32)));
}

TEST(KeysTest, HistoryPrefixesOfDifferentIdsAreDisjoint) {
  // "A"'s history must not include the keys of "AB" (or of an id that starts with A's bytes).
  for (uint64_t rev : std::vector<uint64_t>{0, 1, 0x4142, std::numeric_limits<uint64_t>::max()}) {
    EXPECT_FALSE(StartsWith(HistoryKey("AB", rev), HistoryPrefix("A")));
    EXPECT_FALSE(StartsWith(HistoryKey("A", rev), HistoryPrefix("AB")));
    EXPECT_FALSE(StartsWith(HistoryKey("2025-0000011", rev), HistoryPrefix("2025-000001")));
  }
}

TEST(KeysTest, HistoryKeyIsNotAnItemIndexKey) {
  // History shares the index column family; its tag keeps it out of every other index.
  const std::string h = HistoryKey("2025-000001", 1);
  for (Tag t : {Tag::kState, Tag::kUnit, Tag::kOwner, Tag::kLeader, Tag::kVerifier, Tag::kSource,
                Tag::kCategory, Tag::kYear, Tag::kDeadline, Tag::kOpenDeadline}) {
    EXPECT_NE(h[0], static_cast<char>(t));
  }
}

TEST(KeysTest, StringIndexPrefixesAreLengthPrefixed) {
  const std::vector<std::pair<std::string, std::string>> pairs = {
      {"A", "AB"},
      {"", "A"},
      {"办公室", "办公室一科"},
      {"张", "张三"},
      {"o1", "o10"},
      {std::string("a\0", 2), "a"},
      {"a", std::string("a\xff", 2)},
  };
  for (Tag tag : {Tag::kUnit, Tag::kOwner, Tag::kLeader, Tag::kVerifier}) {
    for (const auto& [a, b] : pairs) {
      const std::string pa = IndexPrefix(tag, a), pb = IndexPrefix(tag, b);
      SCOPED_TRACE("values \"" + a + "\" and \"" + b + "\"");
      EXPECT_NE(pa, pb);
      EXPECT_FALSE(StartsWith(pa, pb));
      EXPECT_FALSE(StartsWith(pb, pa));
      // Nor does any full key of one value fall under the other's prefix: an id appended to
      // "A" must never look like a key of "AB".
      for (const std::string id : {"B2025-000001", "2025-000001",
                                   "\x01"
                                   "B",
                                   ""}) {
        EXPECT_FALSE(StartsWith(IndexKey(pa, id), pb)) << Hex(IndexKey(pa, id));
        EXPECT_FALSE(StartsWith(IndexKey(pb, id), pa)) << Hex(IndexKey(pb, id));
      }
    }
  }
}

TEST(KeysTest, IndexPrefixLayout) {
  EXPECT_EQ(IndexPrefix(Tag::kUnit, "AB"), std::string("u\x00\x02"
                                                       "AB",
                                                       5));
  EXPECT_EQ(IndexPrefix(Tag::kOwner, ""), std::string("o\x00\x00", 3));
  EXPECT_EQ(IndexPrefix(Tag::kState, v1::STATE_ASSIGNED, 1), std::string("s\x02", 2));
  EXPECT_EQ(IndexPrefix(Tag::kYear, 2025, 2), std::string("y\x07\xe9", 3));
  EXPECT_EQ(IndexKey(IndexPrefix(Tag::kUnit, "A"), "2025-000001"), std::string("u\x00\x01"
                                                                               "A"
                                                                               "2025-000001",
                                                                               15));
}

TEST(KeysTest, SameValueDifferentTagsDiffer) {
  EXPECT_NE(IndexPrefix(Tag::kUnit, "x"), IndexPrefix(Tag::kOwner, "x"));
  EXPECT_NE(IndexPrefix(Tag::kLeader, "x"), IndexPrefix(Tag::kVerifier, "x"));
  EXPECT_NE(IndexPrefix(Tag::kSource, 1, 1), IndexPrefix(Tag::kCategory, 1, 1));
  EXPECT_NE(IndexPrefix(Tag::kState, 1, 1), IndexPrefix(Tag::kSource, 1, 1));
}

TEST(KeysTest, NumericIndexPrefixesSortNumerically) {
  std::vector<uint32_t> years = {1, 255, 256, 2024, 2025, 2026, 65535};
  for (size_t i = 0; i + 1 < years.size(); ++i) {
    EXPECT_TRUE(
        ByteLess(IndexPrefix(Tag::kYear, years[i], 2), IndexPrefix(Tag::kYear, years[i + 1], 2)))
        << years[i] << " vs " << years[i + 1];
  }
  for (uint32_t s = 1; s < 8; ++s) {
    EXPECT_TRUE(ByteLess(IndexPrefix(Tag::kState, s, 1), IndexPrefix(Tag::kState, s + 1, 1)));
    EXPECT_EQ(IndexPrefix(Tag::kState, s, 1).size(), 2u);
  }
}

TEST(KeysTest, MetaKeys) {
  EXPECT_EQ(SchemaVersionKey(), "schema_version");
  EXPECT_NE(SeqKey(2025), SeqKey(2026));
  EXPECT_TRUE(ByteLess(SeqKey(2025), SeqKey(2026)));
  EXPECT_TRUE(ByteLess(SeqKey(255), SeqKey(256)));
  std::vector<std::string> counts;
  for (int s = v1::State_MIN; s <= v1::State_MAX; ++s) {
    counts.push_back(CountKey(static_cast<v1::State>(s)));
  }
  std::sort(counts.begin(), counts.end());
  EXPECT_EQ(std::unique(counts.begin(), counts.end()), counts.end());
  EXPECT_NE(RevisionKey(), CompactRevisionKey());
}

TEST(KeysTest, IdemKeysOfDifferentActorsDoNotCollide) {
  // Without the actor's length, ("ab", "c") and ("a", "bc") would be one key.
  EXPECT_NE(IdemKey("ab", "c"), IdemKey("a", "bc"));
  EXPECT_NE(IdemKey("", "abc"), IdemKey("abc", ""));
  EXPECT_NE(IdemKey("张三", "r1"), IdemKey("张", "三r1"));
  EXPECT_EQ(IdemKey("张三", "r1"), IdemKey("张三", "r1"));
}

TEST(KeysTest, DeadlineKeyPart) {
  EXPECT_EQ(DeadlineKeyPart("2026-12-31"), "20261231");
  EXPECT_EQ(DeadlineKeyPart("2025-01-02"), "20250102");
  EXPECT_TRUE(ByteLess(DeadlineKeyPart("2025-12-31"), DeadlineKeyPart("2026-01-01")));
  EXPECT_TRUE(ByteLess(DeadlineKeyPart("2026-01-31"), DeadlineKeyPart("2026-02-01")));
}

v1::Item ItemWith(v1::State state, const std::string& deadline) {
  v1::Item item;
  item.set_id("2025-000123");
  item.set_state(state);
  item.set_unit("办公室");
  item.set_owner("张三");
  item.set_leader("李四");
  item.set_verifier("王五");
  item.set_source(v1::SOURCE_AUDIT);
  item.set_category(v1::CATEGORY_DISCIPLINE);
  item.set_year(2025);
  item.set_deadline(deadline);
  return item;
}

std::string DKey(Tag tag, const std::string& date, const std::string& id) {
  return DeadlinePrefix(tag) + DeadlineKeyPart(date) + id;
}

TEST(KeysTest, IndexKeysForHasEveryEqualityIndex) {
  const v1::Item item = ItemWith(v1::STATE_IN_PROGRESS, "2026-03-31");
  const auto ks = IndexKeysFor(item);
  const std::string& id = item.id();
  EXPECT_THAT(ks, Contains(IndexKey(IndexPrefix(Tag::kState, v1::STATE_IN_PROGRESS, 1), id)));
  EXPECT_THAT(ks, Contains(IndexKey(IndexPrefix(Tag::kUnit, "办公室"), id)));
  EXPECT_THAT(ks, Contains(IndexKey(IndexPrefix(Tag::kOwner, "张三"), id)));
  EXPECT_THAT(ks, Contains(IndexKey(IndexPrefix(Tag::kLeader, "李四"), id)));
  EXPECT_THAT(ks, Contains(IndexKey(IndexPrefix(Tag::kVerifier, "王五"), id)));
  EXPECT_THAT(ks, Contains(IndexKey(IndexPrefix(Tag::kSource, v1::SOURCE_AUDIT, 1), id)));
  EXPECT_THAT(ks, Contains(IndexKey(IndexPrefix(Tag::kCategory, v1::CATEGORY_DISCIPLINE, 1), id)));
  EXPECT_THAT(ks, Contains(IndexKey(IndexPrefix(Tag::kYear, 2025, 2), id)));
  for (const auto& k : ks) {
    EXPECT_TRUE(k.size() > id.size() && k.substr(k.size() - id.size()) == id)
        << "every index key ends with the item id: " << Hex(k);
  }
  std::vector<std::string> sorted = ks;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(std::unique(sorted.begin(), sorted.end()), sorted.end()) << "no key twice";
}

// The memtable's insert hints group index entries by this value (store.cc, IndexValueHint).
TEST(KeysTest, IndexValueOfIsTheKeyWithoutItsId) {
  v1::Item item = ItemWith(v1::STATE_IN_PROGRESS, "2026-03-31");
  const std::vector<std::string> values = {
      IndexPrefix(Tag::kState, v1::STATE_IN_PROGRESS, 1),
      IndexPrefix(Tag::kUnit, "办公室"),
      IndexPrefix(Tag::kOwner, "张三"),
      IndexPrefix(Tag::kLeader, "李四"),
      IndexPrefix(Tag::kVerifier, "王五"),
      IndexPrefix(Tag::kSource, v1::SOURCE_AUDIT, 1),
      IndexPrefix(Tag::kCategory, v1::CATEGORY_DISCIPLINE, 1),
      IndexPrefix(Tag::kYear, 2025, 2),
      DeadlinePrefix(Tag::kDeadline) + DeadlineKeyPart("2026-03-31"),
      DeadlinePrefix(Tag::kOpenDeadline) + DeadlineKeyPart("2026-03-31"),
  };
  for (const std::string id : {"2025-000123", "2025-1000000", "x"}) {
    item.set_id(id);
    const auto ks = IndexKeysFor(item);
    ASSERT_EQ(ks.size(), values.size());
    for (const auto& k : ks) {
      const std::string_view value = IndexValueOf(k);
      EXPECT_THAT(values, Contains(std::string(value))) << Hex(k);
      EXPECT_EQ(std::string(value) + id, k) << Hex(k);
    }
  }
  // Keys of the index CF that are not index entries have none.
  EXPECT_EQ(IndexValueOf(HistoryKey("2025-000123", 7)), "");
  EXPECT_EQ(IndexValueOf(OutboxSeqKey()), "");
  EXPECT_EQ(IndexValueOf(""), "");
  EXPECT_EQ(IndexValueOf(IndexPrefix(Tag::kUnit, "办公室")), "") << "a value with no id after it";
}

TEST(KeysTest, IndexKeysForOpenItemWithDeadlineHasBothDeadlineKeys) {
  for (v1::State s :
       {v1::STATE_ASSIGNED, v1::STATE_IN_PROGRESS, v1::STATE_SUBMITTED, v1::STATE_ENDORSED}) {
    SCOPED_TRACE(v1::State_Name(s));
    const v1::Item item = ItemWith(s, "2026-03-31");
    const auto ks = IndexKeysFor(item);
    EXPECT_THAT(ks, Contains(DKey(Tag::kDeadline, "2026-03-31", item.id())));
    EXPECT_THAT(ks, Contains(DKey(Tag::kOpenDeadline, "2026-03-31", item.id())));
    EXPECT_EQ(ks.size(), 10u);
  }
}

TEST(KeysTest, IndexKeysForDormantItemWithDeadlineHasOnlyTheDeadlineKey) {
  for (v1::State s :
       {v1::STATE_DRAFT, v1::STATE_CLOSED, v1::STATE_LONG_TERM, v1::STATE_CANCELLED}) {
    SCOPED_TRACE(v1::State_Name(s));
    const v1::Item item = ItemWith(s, "2026-03-31");
    const auto ks = IndexKeysFor(item);
    EXPECT_THAT(ks, Contains(DKey(Tag::kDeadline, "2026-03-31", item.id())));
    for (const auto& k : ks) {
      EXPECT_NE(k[0], static_cast<char>(Tag::kOpenDeadline)) << Hex(k);
    }
    EXPECT_EQ(ks.size(), 9u);
  }
}

TEST(KeysTest, IndexKeysForItemWithoutDeadlineHasNoDeadlineKey) {
  for (int s = v1::STATE_DRAFT; s <= v1::State_MAX; ++s) {
    SCOPED_TRACE(v1::State_Name(static_cast<v1::State>(s)));
    const v1::Item item = ItemWith(static_cast<v1::State>(s), "");
    const auto ks = IndexKeysFor(item);
    for (const auto& k : ks) {
      EXPECT_NE(k[0], static_cast<char>(Tag::kDeadline)) << Hex(k);
      EXPECT_NE(k[0], static_cast<char>(Tag::kOpenDeadline)) << Hex(k);
    }
    EXPECT_EQ(ks.size(), 8u);
  }
}

TEST(KeysTest, DeadlineKeyRoundTrip) {
  for (const std::string date : {"2024-02-29", "2025-01-01", "2026-12-31", "1999-07-04"}) {
    for (const std::string id : {"2025-000001", "2026-999999"}) {
      for (Tag tag : {Tag::kDeadline, Tag::kOpenDeadline}) {
        const std::string k = DKey(tag, date, id);
        EXPECT_EQ(IdOfDeadlineKey(k), id);
        EXPECT_EQ(DateOfDeadlineKey(k), date);
      }
    }
  }
  // And for the keys IndexKeysFor itself builds.
  const v1::Item item = ItemWith(v1::STATE_ASSIGNED, "2027-06-15");
  int seen = 0;
  for (const auto& k : IndexKeysFor(item)) {
    if (k[0] == static_cast<char>(Tag::kDeadline) ||
        k[0] == static_cast<char>(Tag::kOpenDeadline)) {
      ++seen;
      EXPECT_EQ(IdOfDeadlineKey(k), item.id());
      EXPECT_EQ(DateOfDeadlineKey(k), item.deadline());
    }
  }
  EXPECT_EQ(seen, 2);
}

TEST(KeysTest, DeadlineKeysSortByDateThenId) {
  const std::vector<std::pair<std::string, std::string>> ordered = {
      {"2025-12-31", "2026-000001"}, {"2026-01-01", "2024-000009"}, {"2026-01-01", "2025-000001"},
      {"2026-01-01", "2025-000002"}, {"2026-01-02", "2024-000001"}, {"2026-10-01", "2024-000001"},
  };
  for (size_t i = 0; i + 1 < ordered.size(); ++i) {
    EXPECT_TRUE(ByteLess(DKey(Tag::kDeadline, ordered[i].first, ordered[i].second),
                         DKey(Tag::kDeadline, ordered[i + 1].first, ordered[i + 1].second)))
        << i;
  }
}

}  // namespace
}  // namespace rectify::store::keys

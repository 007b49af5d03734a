// ReadView::List against a brute-force model: a few thousand random items, a few hundred random
// queries, every page followed to the end. The seed is fixed (printed in every failure) and can
// be overridden with RECTIFY_LIST_SEED to explore.
//
// Semantics the model encodes (store.h ListQuery):
//   - empty/zero fields do not filter; `states` is any-of; the other filters are all-of;
//   - a deadline range or live_deadline_only keeps only items that have a deadline, inside the
//     inclusive range; live_deadline_only also needs an open state (ASSIGNED, IN_PROGRESS,
//     SUBMITTED, ENDORSED);
//   - order by id: ascending id; order by deadline: (deadline, id) ascending, over the items
//     that have a deadline (the deadline index is what is walked);
//   - the predicate runs after the index filters.

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "store/keys.h"
#include "store/store.h"
#include "store_test_util.h"

namespace rectify::store {
namespace {

using test_util::Query;
using test_util::TempDir;

constexpr uint64_t kDefaultSeed = 20250611;

uint64_t Seed() {
  if (const char* env = std::getenv("RECTIFY_LIST_SEED")) return std::strtoull(env, nullptr, 10);
  return kDefaultSeed;
}

// Values chosen so that some are byte-prefixes of others ("A"/"AB", "o1"/"o10", "张"/"张三"):
// an index that forgot its length prefix would mix them up.
const std::vector<std::string> kUnits = {"A", "AB", "办公室", "办公室一科", "U-5"};
const std::vector<std::string> kLeaders = {"张", "张三", "李四", "王五", "赵六"};
const std::vector<std::string> kVerifiers = {"V", "V1", "V12", "审核人", "审核人甲"};
const std::vector<int> kYears = {2024, 2025, 2026};
std::vector<std::string> Owners() {
  std::vector<std::string> out;
  for (int i = 0; i < 20; ++i) out.push_back("o" + std::to_string(i));  // o1, o10..o19
  return out;
}

bool LiveState(v1::State s) {
  return s == v1::STATE_ASSIGNED || s == v1::STATE_IN_PROGRESS || s == v1::STATE_SUBMITTED ||
         s == v1::STATE_ENDORSED;
}

class Gen {
 public:
  explicit Gen(uint64_t seed) : rng_(seed) {}
  int Int(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  bool Chance(double p) { return std::bernoulli_distribution(p)(rng_); }
  template <typename T>
  const T& Pick(const std::vector<T>& v) {
    return v[static_cast<size_t>(Int(0, static_cast<int>(v.size()) - 1))];
  }
  v1::State State() { return static_cast<v1::State>(Int(v1::STATE_DRAFT, v1::State_MAX)); }
  std::string Date() {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", Int(2024, 2026), Int(1, 12), Int(1, 28));
    return buf;
  }

 private:
  std::mt19937_64 rng_;
};

// The in-memory truth, keyed (and so ordered) by id.
using Model = std::map<std::string, v1::Item>;

void Randomize(Gen& g, v1::Item& item, const std::vector<std::string>& owners) {
  item.set_state(g.State());
  item.set_unit(g.Pick(kUnits));
  item.set_owner(g.Pick(owners));
  item.set_leader(g.Pick(kLeaders));
  item.set_verifier(g.Pick(kVerifiers));
  item.set_source(static_cast<v1::Source>(g.Int(1, v1::Source_MAX)));
  item.set_category(static_cast<v1::Category>(g.Int(1, v1::Category_MAX)));
  item.set_deadline(g.Chance(0.2) ? "" : g.Date());
}

// Builds `n` random items, commits them in a few write sets, then changes a few hundred of them
// (so index entries have to move), and returns the model.
Model Populate(Store& store, Gen& g, int n) {
  const auto owners = Owners();
  Model model;
  std::set<std::string> ids;
  while (static_cast<int>(ids.size()) < n) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d-%06d", g.Pick(kYears), g.Int(1, 999999));
    ids.insert(buf);
  }
  std::vector<std::string> order(ids.begin(), ids.end());
  std::shuffle(order.begin(), order.end(), std::mt19937_64(g.Int(0, 1 << 30)));

  const int batches = 4;
  for (int b = 0; b < batches; ++b) {
    auto ws = store.NewWriteSet();
    for (size_t i = b; i < order.size(); i += batches) {
      v1::Item item;
      item.set_id(order[i]);
      item.set_year(std::stoi(order[i].substr(0, 4)));
      item.set_title("item " + order[i]);
      item.set_version(1);
      Randomize(g, item, owners);
      ws->PutItem(item, nullptr);
      model[item.id()] = item;
    }
    EXPECT_TRUE(store.Commit(*ws, false).ok());
  }
  // Updates, some items several times within one write set.
  for (int b = 0; b < 2; ++b) {
    auto ws = store.NewWriteSet();
    for (int i = 0; i < 200; ++i) {
      const std::string& id = g.Pick(order);
      const v1::Item previous = model[id];
      v1::Item next = previous;
      Randomize(g, next, owners);
      if (g.Chance(0.5)) next.set_unit(previous.unit());  // change only some fields
      if (g.Chance(0.5)) next.set_owner(previous.owner());
      next.set_version(previous.version() + 1);
      ws->PutItem(next, &previous);
      model[id] = next;
    }
    EXPECT_TRUE(store.Commit(*ws, false).ok());
  }
  return model;
}

// The same filter, written out by hand from the documented semantics (not store.cc's Matches).
std::vector<std::string> BruteForce(const Model& model, const ListQuery& q) {
  std::vector<const v1::Item*> hits;
  for (const auto& [id, item] : model) {
    if (!q.states.empty() &&
        std::find(q.states.begin(), q.states.end(), item.state()) == q.states.end()) {
      continue;
    }
    if (!q.unit.empty() && q.unit != item.unit()) continue;
    if (!q.owner.empty() && q.owner != item.owner()) continue;
    if (!q.leader.empty() && q.leader != item.leader()) continue;
    if (!q.verifier.empty() && q.verifier != item.verifier()) continue;
    if (q.source != v1::SOURCE_UNSPECIFIED && q.source != item.source()) continue;
    if (q.category != v1::CATEGORY_UNSPECIFIED && q.category != item.category()) continue;
    if (q.year != 0 && q.year != item.year()) continue;
    const bool needs_deadline = !q.deadline_from.empty() || !q.deadline_to.empty() ||
                                q.live_deadline_only || q.order == ListQuery::Order::kDeadline;
    if (needs_deadline && item.deadline().empty()) continue;
    if (!q.deadline_from.empty() && item.deadline() < q.deadline_from) continue;
    if (!q.deadline_to.empty() && item.deadline() > q.deadline_to) continue;
    if (q.live_deadline_only && !LiveState(item.state())) continue;
    if (q.predicate && !q.predicate(item)) continue;
    hits.push_back(&item);
  }
  if (q.order == ListQuery::Order::kDeadline) {
    std::stable_sort(hits.begin(), hits.end(), [](const v1::Item* a, const v1::Item* b) {
      return std::tie(a->deadline(), a->id()) < std::tie(b->deadline(), b->id());
    });
  }
  std::vector<std::string> out;
  for (const auto* i : hits) out.push_back(i->id());
  return out;
}

struct Paged {
  std::vector<std::string> ids;
  int pages = 0;
  bool short_page_with_cursor = false;  // the budget ended a page early
  bool ok = true;
};

// Follows next_cursor to the end, checking each page on the way.
Paged PageThrough(const ReadView& view, ListQuery q, int max_pages) {
  Paged out;
  std::set<std::string> seen;
  std::string previous_cursor;
  while (true) {
    if (++out.pages > max_pages) {
      ADD_FAILURE() << "paging did not end after " << max_pages << " pages";
      out.ok = false;
      return out;
    }
    auto page = view.List(q);
    if (!page.ok()) {
      ADD_FAILURE() << "List failed: " << page.status().ToString();
      out.ok = false;
      return out;
    }
    if (page->items.size() > q.limit) {
      ADD_FAILURE() << "page " << out.pages << " has " << page->items.size() << " items, limit "
                    << q.limit;
      out.ok = false;
    }
    for (const auto& item : page->items) {
      if (!seen.insert(item.id()).second) {
        ADD_FAILURE() << "item " << item.id() << " repeated on page " << out.pages;
        out.ok = false;
      }
      out.ids.push_back(item.id());
    }
    if (page->next_cursor.empty()) return out;
    if (page->items.size() < q.limit) out.short_page_with_cursor = true;
    if (!previous_cursor.empty() && page->next_cursor <= previous_cursor) {
      ADD_FAILURE() << "cursor did not advance on page " << out.pages;
      out.ok = false;
      return out;
    }
    previous_cursor = page->next_cursor;
    q.cursor = page->next_cursor;
  }
}

// A stable, cheap hash of an id, for predicates that keep a known fraction of items.
uint32_t IdHash(const std::string& id) {
  uint32_t h = 2166136261u;
  for (char c : id) h = (h ^ static_cast<uint8_t>(c)) * 16777619u;
  return h;
}

ListQuery RandomQuery(Gen& g, const std::vector<std::string>& owners, std::string* desc) {
  ListQuery q;
  std::ostringstream d;
  // 0-4 equality filters, each field at most once.
  std::vector<int> fields = {0, 1, 2, 3, 4, 5, 6};
  std::shuffle(fields.begin(), fields.end(), std::mt19937_64(g.Int(0, 1 << 30)));
  const int n = g.Int(0, 4);
  for (int i = 0; i < n; ++i) {
    switch (fields[i]) {
      case 0:
        q.unit = g.Chance(0.05) ? "A-none" : g.Pick(kUnits);
        d << " unit=" << q.unit;
        break;
      case 1:
        q.owner = g.Chance(0.05) ? "o99" : g.Pick(owners);
        d << " owner=" << q.owner;
        break;
      case 2:
        q.leader = g.Pick(kLeaders);
        d << " leader=" << q.leader;
        break;
      case 3:
        q.verifier = g.Pick(kVerifiers);
        d << " verifier=" << q.verifier;
        break;
      case 4:
        q.source = static_cast<v1::Source>(g.Int(1, v1::Source_MAX));
        d << " source=" << q.source;
        break;
      case 5:
        q.category = static_cast<v1::Category>(g.Int(1, v1::Category_MAX));
        d << " category=" << q.category;
        break;
      case 6:
        q.year = g.Chance(0.05) ? 2031 : g.Pick(kYears);
        d << " year=" << q.year;
        break;
    }
  }
  if (g.Chance(0.4)) {
    const int k = g.Int(1, 3);
    d << " states=";
    for (int i = 0; i < k; ++i) {
      q.states.push_back(g.State());  // duplicates allowed: "any of" must not double-list
      d << q.states.back() << ",";
    }
  }
  if (g.Chance(0.3)) {
    q.deadline_from = g.Date();
    d << " from=" << q.deadline_from;
  }
  if (g.Chance(0.3)) {
    q.deadline_to = g.Date();
    d << " to=" << q.deadline_to;
  }
  if (g.Chance(0.2)) {
    q.live_deadline_only = true;
    d << " live";
  }
  if (g.Chance(0.5)) {
    q.order = ListQuery::Order::kDeadline;
    d << " order=deadline";
  } else {
    d << " order=id";
  }
  const int p = g.Int(0, 9);
  if (p == 0) {
    q.predicate = [](const v1::Item& item) { return IdHash(item.id()) % 101 == 0; };
    d << " predicate=rare";
  } else if (p == 1) {
    q.predicate = [](const v1::Item& item) { return IdHash(item.id()) % 2 == 0; };
    d << " predicate=half";
  }
  static const std::vector<size_t> kSizes = {1, 7, 50};
  q.limit = g.Pick(kSizes);
  d << " limit=" << q.limit;
  *desc = d.str();
  return q;
}

class ListTest : public ::testing::Test {
 protected:
  void SetUp() override {
    StoreOptions o;
    o.dir = tmp_.path();
    o.block_cache_bytes = 8 << 20;
    auto s = Store::Open(o);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(s).value();
  }
  TempDir tmp_;
  std::unique_ptr<Store> store_;
};

TEST_F(ListTest, RandomQueriesMatchBruteForce) {
  const uint64_t seed = Seed();
  SCOPED_TRACE("seed " + std::to_string(seed) +
               " (rerun with RECTIFY_LIST_SEED=" + std::to_string(seed) + ")");
  Gen g(seed);
  const Model model = Populate(*store_, g, 2000);
  ASSERT_FALSE(HasFailure());
  const auto owners = Owners();
  auto view = store_->View();

  // The model and the store agree on what is stored at all.
  auto all = PageThrough(*view, Query().limit(50), 1000);
  ASSERT_EQ(all.ids.size(), model.size());

  const int kQueries = 500;
  int nonempty = 0, multi_page = 0;
  for (int i = 0; i < kQueries; ++i) {
    std::string desc;
    const ListQuery q = RandomQuery(g, owners, &desc);
    SCOPED_TRACE("query #" + std::to_string(i) + ":" + desc);
    const auto want = BruteForce(model, q);
    const auto got = PageThrough(*view, q, 2 * static_cast<int>(model.size()) + 10);
    if (!got.ok) break;  // already reported; keep the log readable
    EXPECT_EQ(got.ids, want);
    if (got.ids != want) break;
    nonempty += !want.empty();
    multi_page += got.pages > 1;
  }
  // The generator must produce queries that actually exercise paging: guard the test itself.
  EXPECT_GT(nonempty, kQueries / 3);
  EXPECT_GT(multi_page, kQueries / 4);
}

// After inserts and updates (several of one item within one write set), the index column family
// holds exactly the keys the items have now: each index change went into the same batch as
// its item, and nothing stale was left behind.
TEST_F(ListTest, IndexesEqualTheItemsAfterUpdates) {
  Gen g(Seed() + 4);
  const Model model = Populate(*store_, g, 2000);
  store_.reset();
  std::vector<std::string> want_index, want_items;
  for (const auto& [id, item] : model) {
    for (auto& k : keys::IndexKeysFor(item)) want_index.push_back(std::move(k));
    want_items.push_back(id);
  }
  std::sort(want_index.begin(), want_index.end());
  const auto index = test_util::RawKeys(tmp_.path(), "index");
  EXPECT_EQ(index.size(), want_index.size());
  EXPECT_TRUE(index == want_index) << "the index column family differs from the items' keys";
  EXPECT_EQ(test_util::RawKeys(tmp_.path(), "items"), want_items);
}

TEST_F(ListTest, EveryOrderAndPageSizeListsEveryItemOnce) {
  Gen g(Seed() + 1);
  const Model model = Populate(*store_, g, 500);
  auto view = store_->View();
  for (auto order : {ListQuery::Order::kId, ListQuery::Order::kDeadline}) {
    for (size_t limit : {1, 7, 50, 499, 500, 501}) {
      SCOPED_TRACE("order " + std::to_string(static_cast<int>(order)) + " limit " +
                   std::to_string(limit));
      ListQuery q = Query().order(order).limit(limit);
      EXPECT_EQ(PageThrough(*view, q, 1100).ids, BruteForce(model, q));
    }
  }
}

// A predicate that rejects nearly every candidate makes pages end on the work budget, not on
// the page size: such pages are short (often empty) but carry a cursor, and the items found
// across all pages are still exactly the matching ones.
TEST_F(ListTest, BudgetLimitedPagesStillFindEveryMatch) {
  Gen g(Seed() + 2);
  const Model model = Populate(*store_, g, 2000);
  auto view = store_->View();

  // Each case keeps only the last three items in its own order: every page before them has to
  // give up on the budget (2000 candidates in id order, ~1600 with a deadline; the budget of a
  // page of 1 or 7 is about 1000).
  std::set<std::string> last_by_id;
  for (auto it = model.rbegin(); it != model.rend() && last_by_id.size() < 3; ++it) {
    last_by_id.insert(it->first);
  }
  std::vector<const v1::Item*> by_deadline;
  for (const auto& [id, item] : model) {
    if (!item.deadline().empty()) by_deadline.push_back(&item);
  }
  ASSERT_GT(by_deadline.size(), 1200u);
  std::sort(by_deadline.begin(), by_deadline.end(), [](const v1::Item* a, const v1::Item* b) {
    return std::tie(a->deadline(), a->id()) < std::tie(b->deadline(), b->id());
  });
  std::set<std::string> last_by_deadline;
  for (size_t i = by_deadline.size() - 3; i < by_deadline.size(); ++i) {
    last_by_deadline.insert(by_deadline[i]->id());
  }
  auto keep = [](std::set<std::string> ids) {
    return [ids](const v1::Item& item) { return ids.count(item.id()) > 0; };
  };

  std::vector<v1::State> every_state;
  for (int s = v1::STATE_DRAFT; s <= v1::State_MAX; ++s) {
    every_state.push_back(static_cast<v1::State>(s));
  }
  struct Case {
    std::string name;
    ListQuery q;
  };
  std::vector<Case> cases = {
      {"item walk", Query().predicate(keep(last_by_id))},
      {"zig-zag over every state", Query().states(every_state).predicate(keep(last_by_id))},
      {"deadline order", Query().order_by_deadline().predicate(keep(last_by_deadline))},
  };
  for (auto& c : cases) {
    for (size_t limit : {1, 7}) {
      SCOPED_TRACE(c.name + ", limit " + std::to_string(limit));
      ListQuery q = c.q;
      q.limit = limit;
      const auto want = BruteForce(model, q);
      ASSERT_EQ(want.size(), 3u);
      const auto got = PageThrough(*view, q, 10000);
      EXPECT_EQ(got.ids, want);
      EXPECT_TRUE(got.short_page_with_cursor) << "the budget path was not exercised";
    }
  }

  // Rejecting everything still ends, with nothing.
  for (auto& c : cases) {
    SCOPED_TRACE(c.name + ", rejecting everything");
    ListQuery q = c.q;
    q.limit = 1;
    q.predicate = [](const v1::Item&) { return false; };
    const auto got = PageThrough(*view, q, 10000);
    EXPECT_TRUE(got.ids.empty());
    EXPECT_GT(got.pages, 1) << "2000 candidates cannot fit one page's budget";
  }
}

TEST_F(ListTest, CursorFromAnOlderViewContinuesWithoutRepeats) {
  // A client pages while writes happen: the next page is read from a newer view. Items already
  // returned are not returned again; items inserted after the cursor show up.
  Gen g(Seed() + 3);
  Model model = Populate(*store_, g, 300);
  ListQuery q = Query().limit(7);
  auto first = store_->View()->List(q);
  ASSERT_TRUE(first.ok());
  ASSERT_FALSE(first->next_cursor.empty());
  std::vector<std::string> got;
  for (const auto& i : first->items) got.push_back(i.id());

  // Insert one id before the cursor and one after it.
  v1::Item before, after;
  before.set_id("2024-000000");
  before.set_year(2024);
  before.set_state(v1::STATE_DRAFT);
  after.set_id("2027-000001");
  after.set_year(2027);
  after.set_state(v1::STATE_DRAFT);
  auto ws = store_->NewWriteSet();
  ws->PutItem(before, nullptr);
  ws->PutItem(after, nullptr);
  ASSERT_TRUE(store_->Commit(*ws, false).ok());
  model[after.id()] = after;

  q.cursor = first->next_cursor;
  auto rest = PageThrough(*store_->View(), q, 1000);
  got.insert(got.end(), rest.ids.begin(), rest.ids.end());
  std::vector<std::string> want;
  for (const auto& [id, item] : model) want.push_back(id);
  EXPECT_EQ(got, want);
}

}  // namespace
}  // namespace rectify::store

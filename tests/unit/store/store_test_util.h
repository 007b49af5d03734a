#pragma once

// Helpers shared by the store tests: a scratch directory per test and item builders.

#include <gtest/gtest.h>
#include <rocksdb/db.h>
#include <rocksdb/options.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "rectify/v1/rectify.pb.h"
#include "store/store.h"

namespace rectify::store::test_util {

// A fresh directory under $TMPDIR. Removed when the test passed; kept (and its path printed)
// when it failed, so the RocksDB files can be inspected.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "rectify-store-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) {
      ADD_FAILURE() << "mkdtemp failed for " << tmpl;
    }
    path_ = tmpl;
  }
  ~TempDir() {
    if (::testing::Test::HasFailure()) {
      std::cerr << "keeping the data directory of a failed test: " << path_ << "\n";
      return;
    }
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  // A subdirectory that does not exist yet (Store::Open creates it).
  std::string sub(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// ListQuery built field by field: Query().unit("A").order_by_deadline().
class Query {
 public:
  Query& states(std::vector<v1::State> v) {
    q_.states = std::move(v);
    return *this;
  }
  Query& unit(std::string v) {
    q_.unit = std::move(v);
    return *this;
  }
  Query& owner(std::string v) {
    q_.owner = std::move(v);
    return *this;
  }
  Query& leader(std::string v) {
    q_.leader = std::move(v);
    return *this;
  }
  Query& year(int v) {
    q_.year = v;
    return *this;
  }
  Query& deadlines(std::string from, std::string to) {
    q_.deadline_from = std::move(from);
    q_.deadline_to = std::move(to);
    return *this;
  }
  Query& live_only() {
    q_.live_deadline_only = true;
    return *this;
  }
  Query& order(ListQuery::Order o) {
    q_.order = o;
    return *this;
  }
  Query& order_by_deadline() { return order(ListQuery::Order::kDeadline); }
  Query& limit(size_t n) {
    q_.limit = n;
    return *this;
  }
  Query& predicate(std::function<bool(const v1::Item&)> p) {
    q_.predicate = std::move(p);
    return *this;
  }
  operator ListQuery() const { return q_; }  // NOLINT: implicit by design

 private:
  ListQuery q_;
};

// Every key of one column family, sorted, read through a plain read-only RocksDB handle: what is
// really on disk, not what List makes of it. Open it after the Store is closed.
inline std::vector<std::string> RawKeys(const std::string& dir, const std::string& cf_name) {
  std::vector<rocksdb::ColumnFamilyDescriptor> cfs;
  for (const char* n : {"default", "items", "events", "index", "idem"}) {
    cfs.emplace_back(n, rocksdb::ColumnFamilyOptions());
  }
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  auto s = rocksdb::DB::OpenForReadOnly(rocksdb::DBOptions(), dir, cfs, &handles, &raw);
  EXPECT_TRUE(s.ok()) << s.ToString();
  if (!s.ok()) return {};
  std::vector<std::string> out;
  for (size_t i = 0; i < cfs.size(); ++i) {
    if (cfs[i].name != cf_name) continue;
    std::unique_ptr<rocksdb::Iterator> it(raw->NewIterator(rocksdb::ReadOptions(), handles[i]));
    for (it->SeekToFirst(); it->Valid(); it->Next()) out.push_back(it->key().ToString());
    EXPECT_TRUE(it->status().ok()) << it->status().ToString();
  }
  for (auto* h : handles) raw->DestroyColumnFamilyHandle(h).PermitUncheckedError();
  delete raw;
  std::sort(out.begin(), out.end());
  return out;
}

inline v1::Item MakeItem(const std::string& id, v1::State state, const std::string& unit,
                         const std::string& deadline = "") {
  v1::Item item;
  item.set_id(id);
  item.set_title("title of " + id);
  item.set_year(std::stoi(id.substr(0, 4)));
  item.set_state(state);
  item.set_unit(unit);
  item.set_owner("owner");
  item.set_leader("leader");
  item.set_verifier("verifier");
  item.set_source(v1::SOURCE_INSPECTION);
  item.set_category(v1::CATEGORY_WORK_STYLE);
  item.set_deadline(deadline);
  item.set_version(1);
  return item;
}

inline v1::Event MakeEvent(uint64_t revision, const v1::Item& item,
                           v1::EventKind kind = v1::EVENT_KIND_UPDATED) {
  v1::Event e;
  e.set_revision(revision);
  e.set_kind(kind);
  e.set_item_id(item.id());
  e.set_actor("tester");
  *e.mutable_item() = item;
  e.mutable_item()->set_revision(revision);
  return e;
}

}  // namespace rectify::store::test_util

#pragma once

// The only code that touches RocksDB. Everything above it sees items, events, index queries and
// write sets; rocksdb::Status is turned into a domain Status here and goes no further.
//
// Threads: Store, ReadView and the read calls are safe from any thread. A WriteSet is built and
// committed by one thread at a time (in practice the engine's writer thread).

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "common/store_stats.h"
#include "rectify/v1/rectify.pb.h"

namespace rocksdb {
class DB;
class ColumnFamilyHandle;
class Snapshot;
class WriteBatch;
class Iterator;
class Cache;
}  // namespace rocksdb

namespace rectify::store {

struct StoreOptions {
  std::string dir;
  size_t block_cache_bytes = 64ull << 20;
  size_t write_buffer_bytes = 16ull << 20;  // per column family memtable
  // Compaction threads at SCHED_IDLE (see Store::Open). RocksDB's thread pools are shared by
  // the whole process, and a pool's priority is only ever lowered.
  bool compaction_at_idle_priority = false;
  bool read_only = false;
};

// What follows a DueItems answer. complete: it holds every entry due at now_us (the limit did
// not cut it short); next: then, the first entry after now_us (nullopt: there is none).
struct DueTail {
  bool complete = false;
  std::optional<int64_t> next;
};

// The first answer to a request id: replayed on retry.
struct IdemRecord {
  uint64_t fingerprint = 0;
  uint64_t revision = 0;
  v1::Item item;
};

// An item's reminder schedule. Times are microseconds since the epoch; 0 = none.
struct Schedule {
  int64_t next_us = 0;   // when reminders next fall due (the due index key)
  int64_t since_us = 0;  // when reminders were last evaluated (the policy's window start)
};

// What ListItems asks of the indexes. Empty/zero fields do not filter.
struct ListQuery {
  enum class Order { kId, kDeadline };
  std::vector<v1::State> states;  // any of
  std::string unit, owner, leader, verifier;
  v1::Source source = v1::SOURCE_UNSPECIFIED;
  v1::Category category = v1::CATEGORY_UNSPECIFIED;
  int year = 0;
  std::string deadline_from, deadline_to;  // inclusive YYYY-MM-DD
  bool live_deadline_only = false;  // only items whose deadline is live (open, confirmed)
  Order order = Order::kId;
  std::string cursor;  // the key after which to continue ("" = from the start)
  size_t limit = 50;
  // Checked on each candidate after the index filters (lights, overdue-by-today, ...).
  std::function<bool(const v1::Item&)> predicate;
};

struct ListPage {
  std::vector<v1::Item> items;
  std::string next_cursor;  // empty = no more
};

// A consistent view at one revision (a RocksDB snapshot). Cheap to make; release when done.
// Used by the thread that made it: the ledger's counters below are read from the snapshot the
// first time they are asked for (most reads never ask, and reading all four at creation was
// four lookups on every GetItem) and kept, unlocked.
class ReadView {
 public:
  ~ReadView();
  uint64_t revision() const;
  uint64_t compact_revision() const;
  // The audit chain's anchors (KEYS.md): the first revision written with a hash (earlier
  // events predate the chain), and the hash of the last compacted event ("" when nothing was
  // compacted, or the compacted event had no hash).
  uint64_t chain_start() const;
  const std::string& compact_hash() const;

  Result<std::optional<v1::Item>> GetItem(std::string_view id) const;
  // Many items, or schedules, in one MultiGet: one answer per id, in the order given. A batch
  // shares the index and filter lookups that as many Gets would each repeat.
  Result<std::vector<std::optional<v1::Item>>> GetItems(const std::vector<std::string>& ids) const;
  Result<std::optional<IdemRecord>> GetIdem(std::string_view actor,
                                            std::string_view request_id) const;
  Result<uint64_t> GetSeq(int year) const;
  Result<std::map<v1::State, uint64_t>> GetCounts() const;
  Result<ListPage> List(const ListQuery& q) const;
  // The item's events with revision > after, at most limit; next = last revision returned
  // when more may follow, else 0.
  Result<std::vector<v1::Event>> History(std::string_view id, uint64_t after, size_t limit,
                                         uint64_t* next) const;
  // Events with revision in [from, revision()], at most limit.
  Result<std::vector<v1::Event>> Events(uint64_t from, size_t limit) const;
  // The same range as stored: (revision from the key, value bytes). For the audit walk, which
  // must report an event that does not parse instead of failing on it.
  Result<std::vector<std::pair<uint64_t, std::string>>> RawEvents(uint64_t from,
                                                                  size_t limit) const;
  // The stored bytes of the item's history copy of the event at `revision`.
  Result<std::optional<std::string>> RawHistoryEvent(std::string_view id,
                                                     uint64_t revision) const;

  // Reminders.
  Result<std::optional<Schedule>> GetSchedule(std::string_view id) const;
  Result<std::vector<std::optional<Schedule>>> GetSchedules(
      const std::vector<std::string>& ids) const;
  // Items whose next_us <= now_us, earliest first, at most limit: (next_us, id). `from_us`:
  // where to start reading the due index, for a caller that knows no live entry lies below it
  // (Engine::due_floor_): the index is a queue, and the deleted entries at its head stay in
  // RocksDB as tombstones that a scan from the start must step over one by one. `tail`, if
  // given, says what lies after the answer, from the same scan.
  Result<std::vector<std::pair<int64_t, std::string>>> DueItems(int64_t now_us, size_t limit,
                                                               int64_t from_us = 0,
                                                               DueTail* tail = nullptr) const;
  // The head of the due index, at or after `from_us` (as above).
  Result<std::optional<int64_t>> NextDue(int64_t from_us = 0) const;
  Result<bool> HasReminder(std::string_view item_id, std::string_view key) const;
  Result<std::vector<v1::Reminder>> ItemReminders(std::string_view item_id, size_t limit) const;
  // How many reminders fired for the item (keys only, no value parsed): year-end reports.
  Result<uint64_t> CountItemReminders(std::string_view item_id) const;
  Result<std::optional<v1::Delivery>> GetDelivery(uint64_t id) const;
  // Pending deliveries due at or before now_us, earliest first.
  Result<std::vector<v1::Delivery>> PendingDeliveries(int64_t now_us, size_t limit) const;
  Result<std::optional<int64_t>> NextPendingDelivery() const;
  Result<uint64_t> PendingDeliveryCount(size_t cap) const;
  Result<std::vector<v1::Delivery>> RecentDeliveries(size_t limit) const;  // newest first
  Result<uint64_t> OutboxSeq() const;

 private:
  friend class Store;
  ReadView(class Store* store);
  Status GetRaw(rocksdb::ColumnFamilyHandle* cf, std::string_view key,
                std::string* value, bool* found) const;
  // The values of `keys` in one MultiGet, each handed to `each(i, value)`; keys not found are
  // skipped. `what(i)` names key i in an error.
  Status MultiGetRaw(rocksdb::ColumnFamilyHandle* cf, const std::vector<std::string>& keys,
                     const std::function<Status(size_t, std::string_view)>& each,
                     const std::function<std::string(size_t)>& what) const;
  std::unique_ptr<rocksdb::Iterator> Iter(rocksdb::ColumnFamilyHandle* cf) const;
  class Store* store_;
  const rocksdb::Snapshot* snapshot_;
  // The u64 at `key` in the meta CF, as of the snapshot; `absent` when it is not there.
  uint64_t MetaU64(std::string_view key, uint64_t absent) const;
  mutable std::optional<uint64_t> revision_, compact_revision_, chain_start_;
  mutable std::optional<std::string> compact_hash_;
};

// Everything one commit writes. The engine fills one per group commit; Store::Commit writes it
// as one atomic RocksDB WriteBatch.
class WriteSet {
 public:
  ~WriteSet();
  // Writes the item and moves its index entries from `previous` (nullptr for a new item).
  void PutItem(const v1::Item& item, const v1::Item* previous);
  void PutEvent(const v1::Event& event);  // and the item's history key
  // The same with the event already serialized (domain::SealEvent's bytes).
  void PutEvent(const v1::Event& event, std::string_view bytes);
  void PutIdem(std::string_view actor, std::string_view request_id, const IdemRecord& rec);
  void PutRevision(uint64_t revision);
  void PutSeq(int year, uint64_t serial);
  void PutCount(v1::State state, uint64_t count);
  // Moves the item's due index entry from `previous` (what the item's schedule is as this batch
  // stands, null if it has none) to `now`; writes nothing that is already so.
  void PutSchedule(std::string_view id, const Schedule* previous, const Schedule& now);
  void PutReminder(const v1::Reminder& reminder);
  // Writes a delivery and keeps the pending index: listed while PENDING, by next attempt.
  void PutDelivery(const v1::Delivery& delivery, const v1::Delivery* previous);
  void PutOutboxSeq(uint64_t seq);
  size_t size_bytes() const;
  int count() const;
  // Makes room for `more` bytes beyond what the set holds, in one allocation. A reminder run
  // over thousands of items writes tens of MB; grown by doubling, every intermediate buffer is
  // copied and faulted in page by page (a third of such a run's writer time).
  void Reserve(size_t more);
  // Empties the set for another batch, keeping its buffer's capacity.
  void Clear();

 private:
  friend class Store;
  explicit WriteSet(class Store* store);
  class Store* store_;
  std::unique_ptr<rocksdb::WriteBatch> batch_;
};

class Store {
 public:
  static Result<std::unique_ptr<Store>> Open(const StoreOptions& options);
  ~Store();

  std::unique_ptr<ReadView> View();
  std::unique_ptr<WriteSet> NewWriteSet();
  // One atomic batch; with sync the WAL is fsynced before it returns.
  Status Commit(WriteSet& writes, bool sync);
  const std::string& dir() const { return options_.dir; }
  uint32_t schema_version() const;
  // Deletes the events below `cut` and records it as the compact revision, with the hash of
  // the last event deleted (the audit chain resumes from it), in one synced batch. Touches only
  // the event log: items and their history are kept. The only code that removes an event.
  Status CompactEvents(uint64_t cut);
  // An online backup: a RocksDB checkpoint (hard links to the immutable files, a copy of the
  // rest) of one consistent instant, written to `dir`, which must not exist yet; its parent
  // must. The checkpoint is built next to it in `dir.partial` and renamed into place only when
  // complete, so `dir` existing means a whole backup. Returns the revision the backup holds.
  // Safe while the writer commits; blocks the caller for the copy (not the writer).
  Result<uint64_t> Backup(const std::string& dir);
  // After a failed write (disk full) RocksDB refuses every write until resumed; Commit does
  // that itself on the next attempt. True while the store is in that state.
  bool degraded() const { return degraded_.load(); }
  // RocksDB's own figures (properties, no statistics object: those cost on every write).
  // A few microseconds per CF; safe from any thread.
  StoreStats Stats() const;

 private:
  friend class ReadView;
  friend class WriteSet;
  friend class Checker;  // store/check.cc walks every column family
  Store() = default;
  StoreOptions options_;
  std::atomic<bool> degraded_{false};
  Status degraded_status_;  // the write failure that degraded it (writer thread only)
  // A version-1 directory opened read-only cannot be upgraded: its chain starts after its last
  // revision (nothing in it is hashed). 0 = the chain start is in the meta CF.
  bool pre_chain_read_only_ = false;
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
  rocksdb::ColumnFamilyHandle* meta_ = nullptr;
  rocksdb::ColumnFamilyHandle* items_ = nullptr;
  rocksdb::ColumnFamilyHandle* events_ = nullptr;
  rocksdb::ColumnFamilyHandle* index_ = nullptr;
  rocksdb::ColumnFamilyHandle* idem_ = nullptr;
  rocksdb::ColumnFamilyHandle* remind_ = nullptr;
};

}  // namespace rectify::store

#include "store/store.h"

#include <algorithm>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>

#include <rocksdb/cache.h>
#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/options.h>
#include <rocksdb/slice_transform.h>
#include <rocksdb/table.h>
#include <rocksdb/utilities/checkpoint.h>
#include <rocksdb/write_batch.h>
#include <fcntl.h>
#include <unistd.h>

#include "common/failpoint.h"
#include "common/logging.h"
#include "store/keys.h"

namespace rectify::store {
namespace {

constexpr const char* kItemsCf = "items";
constexpr const char* kEventsCf = "events";
constexpr const char* kIndexCf = "index";
constexpr const char* kIdemCf = "idem";
constexpr const char* kRemindCf = "remind";
// Values at least this large go to blob files in the column families that use them.
constexpr uint64_t kMinBlobBytes = 256;

int64_t MicrosOf(const google::protobuf::Timestamp& t) {
  return t.seconds() * 1000000 + t.nanos() / 1000;
}

// The one place a rocksdb::Status becomes a domain Status.
Status FromRocks(const rocksdb::Status& s, std::string_view what) {
  if (s.ok()) return Status::Ok();
  std::string msg = std::string(what) + ": " + s.ToString();
  if (s.IsNoSpace() || s.subcode() == rocksdb::Status::kNoSpace) {
    return ResourceExhausted(msg + " (the data directory's disk is full; free space and retry)");
  }
  if (s.IsBusy() || s.IsTryAgain() || s.IsTimedOut() || s.IsIncomplete()) {
    return Unavailable(msg);
  }
  return Internal(msg);
}

std::string SerializeOrDie(const google::protobuf::MessageLite& m) {
  std::string out;
  m.SerializeToString(&out);
  return out;
}

bool StartsWith(const rocksdb::Slice& s, std::string_view prefix) {
  return s.size() >= prefix.size() && std::memcmp(s.data(), prefix.data(), prefix.size()) == 0;
}

std::string Successor(std::string_view s) {
  std::string out(s);
  out.push_back('\0');
  return out;
}

// A sorted stream of item ids, for intersecting index filters.
class IdStream {
 public:
  virtual ~IdStream() = default;
  virtual void Seek(std::string_view id) = 0;  // to the first id >= id
  virtual bool Valid() const = 0;
  virtual std::string_view id() const = 0;
  virtual Status status() const = 0;
};

// The ids under one index prefix.
class PrefixStream final : public IdStream {
 public:
  PrefixStream(std::unique_ptr<rocksdb::Iterator> it, std::string prefix)
      : it_(std::move(it)), prefix_(std::move(prefix)) {}
  // The join only moves forward, so a stream already at or past `id` stays where it is, and
  // one a few keys short steps there with Next: a Seek re-searches every level of the LSM
  // tree, a Next mostly moves within a block (perf: Seek was ~30% of a filtered list page
  // over 1,000,000 items, and after each match every stream re-seeked to the next id).
  void Seek(std::string_view id) override {
    if (positioned_) {
      for (int step = 0;; ++step) {
        if (!Valid() || this->id() >= id) return;
        if (step == kMaxSteps) break;
        it_->Next();
      }
    }
    positioned_ = true;
    it_->Seek(prefix_ + std::string(id));
  }
  bool Valid() const override { return it_->Valid() && StartsWith(it_->key(), prefix_); }
  std::string_view id() const override {
    auto k = it_->key();
    return std::string_view(k.data() + prefix_.size(), k.size() - prefix_.size());
  }
  Status status() const override { return FromRocks(it_->status(), "index scan"); }

 private:
  static constexpr int kMaxSteps = 8;
  std::unique_ptr<rocksdb::Iterator> it_;
  std::string prefix_;
  bool positioned_ = false;
};

// The union of several streams (a filter that accepts any of several values).
class UnionStream final : public IdStream {
 public:
  explicit UnionStream(std::vector<std::unique_ptr<IdStream>> parts) : parts_(std::move(parts)) {}
  void Seek(std::string_view id) override {
    for (auto& p : parts_) p->Seek(id);
  }
  bool Valid() const override { return Min() != nullptr; }
  std::string_view id() const override { return Min()->id(); }
  Status status() const override {
    for (auto& p : parts_) RETURN_IF_ERROR(p->status());
    return Status::Ok();
  }

 private:
  const IdStream* Min() const {
    const IdStream* best = nullptr;
    for (auto& p : parts_) {
      if (p->Valid() && (best == nullptr || p->id() < best->id())) best = p.get();
    }
    return best;
  }
  std::vector<std::unique_ptr<IdStream>> parts_;
};

// Memtable insert hints for the index CF: RocksDB keeps, per `tag | payload` (an index entry's
// key without its item id), where the last entry with it went in, and starts the next insert
// with that prefix there instead of at the skip list's top. Item ids grow, so a new item's
// entries land right after the last one of each of its values; a create writes ten of them.
// History keys stay out: one prefix per item, each costing a hint, for little gain (measured).
// Only the memtable uses this; it changes nothing that is stored or read.
class IndexValueHint final : public rocksdb::SliceTransform {
 public:
  const char* Name() const override { return "rectify.IndexValueHint"; }
  rocksdb::Slice Transform(const rocksdb::Slice& key) const override {
    const std::string_view value = keys::IndexValueOf(key.ToStringView());
    return rocksdb::Slice(value.data(), value.size());
  }
  bool InDomain(const rocksdb::Slice& key) const override {
    return !keys::IndexValueOf(key.ToStringView()).empty();
  }
};

// An item's stored bytes, parsed; a value that does not parse is named by its id.
Result<v1::Item> ParseItem(std::string_view id, std::string_view bytes) {
  v1::Item item;
  if (!item.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return Internal("item " + std::string(id) + " is corrupt");
  }
  return item;
}

bool Matches(const v1::Item& item, const ListQuery& q) {
  if (!q.states.empty() &&
      std::find(q.states.begin(), q.states.end(), item.state()) == q.states.end()) {
    return false;
  }
  if (!q.unit.empty() && item.unit() != q.unit) return false;
  if (!q.owner.empty() && item.owner() != q.owner) return false;
  if (!q.leader.empty() && item.leader() != q.leader) return false;
  if (!q.verifier.empty() && item.verifier() != q.verifier) return false;
  if (q.source != v1::SOURCE_UNSPECIFIED && item.source() != q.source) return false;
  if (q.category != v1::CATEGORY_UNSPECIFIED && item.category() != q.category) return false;
  if (q.year != 0 && item.year() != q.year) return false;
  if (!q.deadline_from.empty() || !q.deadline_to.empty() || q.live_deadline_only) {
    if (item.deadline().empty()) return false;
    if (!q.deadline_from.empty() && item.deadline() < q.deadline_from) return false;
    if (!q.deadline_to.empty() && item.deadline() > q.deadline_to) return false;
  }
  if (q.live_deadline_only) {
    auto s = item.state();
    if (s != v1::STATE_ASSIGNED && s != v1::STATE_IN_PROGRESS && s != v1::STATE_SUBMITTED &&
        s != v1::STATE_ENDORSED) {
      return false;
    }
  }
  return !q.predicate || q.predicate(item);
}

// RocksDB's info log, forwarded to the store's logger (warnings and errors only).
class SpdlogRocksLogger final : public rocksdb::Logger {
 public:
  SpdlogRocksLogger() : rocksdb::Logger(rocksdb::InfoLogLevel::WARN_LEVEL) {}
  using rocksdb::Logger::Logv;
  void Logv(const char* format, va_list ap) override {
    Logv(rocksdb::InfoLogLevel::INFO_LEVEL, format, ap);
  }
  void Logv(const rocksdb::InfoLogLevel level, const char* format, va_list ap) override {
    if (level < GetInfoLogLevel()) return;
    char buf[1024];
    std::vsnprintf(buf, sizeof buf, format, ap);
    auto log = rectify::Logger("store");
    if (level >= rocksdb::InfoLogLevel::ERROR_LEVEL) {
      log->error("rocksdb: {}", buf);
    } else {
      log->warn("rocksdb: {}", buf);
    }
  }
};

}  // namespace

// ------------------------------------------------------------------------------------------
// Store

Result<std::unique_ptr<Store>> Store::Open(const StoreOptions& options) {
  auto log = Logger("store");
  std::unique_ptr<Store> store(new Store());
  store->options_ = options;

  std::error_code ec;
  if (options.read_only) {
    // Read-only (rectifyd --check, a backup): never create what is not there.
    if (!std::filesystem::is_directory(options.dir, ec)) {
      return NotFound("no ledger at " + options.dir + ": the directory does not exist");
    }
  } else {
    std::filesystem::create_directories(options.dir, ec);
    if (ec) return Internal("cannot create data directory " + options.dir + ": " + ec.message());
  }

  rocksdb::Options db_opts;
  db_opts.create_if_missing = true;
  db_opts.create_missing_column_families = true;
  db_opts.max_background_jobs = 2;
  db_opts.bytes_per_sync = 1 << 20;
  db_opts.db_write_buffer_size = options.write_buffer_bytes * 4;
  // A WAL file is deleted only once every column family with data in it has flushed, and
  // `default` gets a few bytes per commit (the revision), so left to RocksDB's default bound
  // (4 x all write buffers, ~1.1 GB here) the WALs grew to 400 MB in ten seconds of
  // transitions, all replayed at the next start. Past this size the column families holding
  // the oldest WAL are flushed (tiny files for `default`), so a restart replays at most this.
  db_opts.max_total_wal_size = options.write_buffer_bytes * 8;
  db_opts.keep_log_file_num = 5;
  // One thread writes (the engine's writer), so memtable inserts never run in parallel anyway,
  // and the index CF's insert hints (IndexValueHint) work only with this off.
  db_opts.allow_concurrent_memtable_write = false;
  db_opts.info_log_level = rocksdb::InfoLogLevel::WARN_LEVEL;
  // RocksDB's own log goes to ours, not to a LOG file in the data directory: on a full disk
  // that file fails too, and RocksDB's writer for it aborts on the next line after a failure.
  db_opts.info_log = std::make_shared<SpdlogRocksLogger>();

  // Few large shards: index blocks of a big ledger run to a few MB, and the default 1 MB shards
  // of a 64 MB cache could never hold one (every lookup re-read and re-decompressed it).
  auto cache = rocksdb::NewLRUCache(options.block_cache_bytes, /*num_shard_bits=*/2);
  auto cf_options = [&](bool bloom, bool blobs = false) {
    rocksdb::ColumnFamilyOptions cf;
    cf.write_buffer_size = options.write_buffer_bytes;
    cf.max_write_buffer_number = 3;
    // LZ4 at every level. ZSTD at the bottom saved disk but cost CPU twice on this 2-core
    // budget: a quarter of compaction's time, and a third of a reminder run's reads (a due item
    // is a cold block at the bottom). Measured with LZ4 there: the dry run over 1,000,000 items
    // with 10,000 due went from 801 to 533 ms (tests/bench/README.md, session 5).
    cf.compression = rocksdb::kLZ4Compression;
    cf.bottommost_compression = rocksdb::kLZ4Compression;
    rocksdb::BlockBasedTableOptions t;
    t.block_cache = cache;
    // Partitioned index and filters: only the small top level stays pinned, the partitions go
    // through the cache like data blocks, so memory stays bounded by the cache at any size.
    t.index_type = rocksdb::BlockBasedTableOptions::IndexType::kTwoLevelIndexSearch;
    t.partition_filters = bloom;
    t.metadata_block_size = 4096;
    t.cache_index_and_filter_blocks = true;
    t.pin_top_level_index_and_filter = true;
    t.pin_l0_filter_and_index_blocks_in_cache = true;
    if (bloom) t.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10, false));
    if (bloom) {
      // A bloom filter on each memtable too (2% of the write buffer: ~8 bits a key for the
      // small schedule entries), so a point lookup skips the memtables that lack its key. The
      // writer reads the item and its schedule for every transition; under callgrind that cut
      // the writer's instructions per transition from 281k to 265k (tests/bench/README.md,
      // session 10).
      cf.memtable_whole_key_filtering = true;
      cf.memtable_prefix_bloom_size_ratio = 0.02;
    }
    cf.table_factory.reset(rocksdb::NewBlockBasedTableFactory(t));
    if (blobs) {
      // Large values in blob files, written once at flush: compaction then moves only keys and
      // blob references, not the values themselves.
      cf.enable_blob_files = true;
      cf.min_blob_size = kMinBlobBytes;
      cf.blob_compression_type = rocksdb::kLZ4Compression;
      cf.blob_file_size = 64 << 20;
      cf.blob_cache = cache;
    }
    return cf;
  };

  std::vector<rocksdb::ColumnFamilyDescriptor> cfs = {
      {rocksdb::kDefaultColumnFamilyName, cf_options(true)},
      {kItemsCf, cf_options(true)},
      {kEventsCf, cf_options(false)},
      // History (a full event per change, never rewritten, read only by GetHistory and the
      // checker) in blob files; the index entries beside it are keys with empty values and stay
      // in the SST files. The history copies were what compaction spent its time rewriting:
      // their keys (item, revision) land all over the CF.
      {kIndexCf, [&] {
         auto cf = cf_options(false, /*blobs=*/true);
         cf.memtable_insert_with_hint_prefix_extractor = std::make_shared<IndexValueHint>();
         return cf;
       }()},
      {kIdemCf, cf_options(true)},
      // With a bloom filter: a reminder run asks for each recipient whether the reminder was
      // sent, and the answer is nearly always no, which a filter gives without touching a block.
      {kRemindCf, cf_options(true)},
  };
  std::vector<std::string> existing;
  bool fresh = !rocksdb::DB::ListColumnFamilies(db_opts, options.dir, &existing).ok();
  for (const auto& name : existing) {
    bool known = std::any_of(cfs.begin(), cfs.end(), [&](auto& d) { return d.name == name; });
    if (!known) {
      return FailedPrecondition("data directory " + options.dir + " has column family \"" + name +
                                "\" this rectifyd does not know: it was written by a newer or "
                                "different program");
    }
  }
  if (!fresh && std::find(existing.begin(), existing.end(), kItemsCf) == existing.end()) {
    return FailedPrecondition("data directory " + options.dir +
                              " holds a RocksDB database that is not a rectifyd ledger");
  }

  if (options.compaction_at_idle_priority && !options.read_only) {
    // Compaction yields the CPU to everything else. On the 2-core bench machine a compaction
    // took a core for 100-200 ms at a time and the gRPC threads starved behind it: transitions
    // paced at 4,000/s had a p99 of 52-273 ms (median of 15 runs 155) at normal priority and
    // 32-219 ms (median of 11 runs 53) with compaction at SCHED_IDLE; peak throughput no
    // lower. Flushes keep normal priority: the write path waits on them when memtables fill.
    // With both pools at SCHED_IDLE, two busy loops beside the daemon halved its throughput;
    // with compaction alone there, it held. Compaction that falls behind under load meets
    // RocksDB's own brake: writes slow down as level-0 files pile up.
    // (tests/bench/README.md, session 8.)
    rocksdb::Env::Default()
        ->LowerThreadPoolCPUPriority(rocksdb::Env::LOW, rocksdb::CpuPriority::kIdle)
        .PermitUncheckedError();
  }
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s;
  if (options.read_only) {
    s = rocksdb::DB::OpenForReadOnly(db_opts, options.dir, cfs, &store->handles_, &raw);
  } else {
    s = rocksdb::DB::Open(db_opts, options.dir, cfs, &store->handles_, &raw);
  }
  if (!s.ok()) {
    if (s.IsIOError() && s.ToString().find("lock") != std::string::npos) {
      return Unavailable("data directory " + options.dir +
                         " is in use by another rectifyd (" + s.ToString() + ")");
    }
    return FromRocks(s, "opening " + options.dir);
  }
  store->db_.reset(raw);
  store->meta_ = store->handles_[0];
  store->items_ = store->handles_[1];
  store->events_ = store->handles_[2];
  store->index_ = store->handles_[3];
  store->idem_ = store->handles_[4];
  store->remind_ = store->handles_[5];

  std::string version;
  s = raw->Get(rocksdb::ReadOptions(), store->meta_, keys::SchemaVersionKey(), &version);
  if (s.IsNotFound()) {
    if (options.read_only) return FailedPrecondition(options.dir + " is not a rectifyd ledger");
    // A new ledger: every event it will hold is hashed, from revision 1.
    rocksdb::WriteBatch batch;
    std::string v, start;
    keys::AppendU32(v, keys::kSchemaVersion);
    keys::AppendU64(start, 1);
    RETURN_IF_ERROR(FromRocks(batch.Put(store->meta_, keys::SchemaVersionKey(), v), "create"));
    RETURN_IF_ERROR(FromRocks(batch.Put(store->meta_, keys::ChainStartKey(), start), "create"));
    rocksdb::WriteOptions wo;
    wo.sync = true;
    RETURN_IF_ERROR(FromRocks(raw->Write(wo, &batch), "writing schema version"));
    log->info("created ledger dir={} schema_version={}", options.dir, keys::kSchemaVersion);
  } else if (!s.ok()) {
    return FromRocks(s, "reading schema version");
  } else {
    uint32_t found = version.size() == 4 ? keys::ReadU32(version) : 0;
    if (found == keys::kSchemaVersionBeforeAuditChain) {
      // Written before the audit chain: its events carry no hash and cannot be verified. The
      // chain starts at the next revision; recording that point (rather than inferring it
      // from the first hashed event) means hashes stripped later are a break, not "legacy".
      std::string rev;
      uint64_t last = 0;
      auto rs = raw->Get(rocksdb::ReadOptions(), store->meta_, keys::RevisionKey(), &rev);
      if (rs.ok() && rev.size() == 8) last = keys::ReadU64(rev);
      if (options.read_only) {
        store->pre_chain_read_only_ = true;
        return store;
      }
      rocksdb::WriteBatch batch;
      std::string v, start;
      keys::AppendU32(v, keys::kSchemaVersion);
      keys::AppendU64(start, last + 1);
      RETURN_IF_ERROR(FromRocks(batch.Put(store->meta_, keys::SchemaVersionKey(), v), "upgrade"));
      RETURN_IF_ERROR(FromRocks(batch.Put(store->meta_, keys::ChainStartKey(), start), "upgrade"));
      rocksdb::WriteOptions wo;
      wo.sync = true;
      RETURN_IF_ERROR(FromRocks(raw->Write(wo, &batch), "upgrading schema version"));
      log->warn("upgraded ledger dir={} schema_version={}->{}: events up to revision={} predate "
                "the audit chain and cannot be verified; the chain starts at revision={}",
                options.dir, found, keys::kSchemaVersion, last, last + 1);
      return store;
    }
    if (found != keys::kSchemaVersion) {
      return FailedPrecondition(
          "data directory " + options.dir + " has schema version " + std::to_string(found) +
          "; this rectifyd understands schema version " + std::to_string(keys::kSchemaVersion) +
          (found > keys::kSchemaVersion ? " (it was written by a newer rectifyd: upgrade)"
                                        : " (no migration is known for it)"));
    }
  }
  return store;
}

Store::~Store() {
  if (db_) {
    for (auto* h : handles_) db_->DestroyColumnFamilyHandle(h).PermitUncheckedError();
    db_->Close().PermitUncheckedError();
  }
}

uint32_t Store::schema_version() const { return keys::kSchemaVersion; }

std::unique_ptr<ReadView> Store::View() { return std::unique_ptr<ReadView>(new ReadView(this)); }

std::unique_ptr<WriteSet> Store::NewWriteSet() {
  return std::unique_ptr<WriteSet>(new WriteSet(this));
}

Status Store::Commit(WriteSet& writes, bool sync) {
  if (degraded_) {
    // A failed write (most often a full disk) leaves RocksDB in a background-error state in
    // which it refuses every write until resumed. Resuming is cheap when nothing is wrong any
    // more and fails with the same error while it still is, so each commit tries once: writes
    // come back by themselves once space is freed, without a restart.
    const rocksdb::Status r = db_->Resume();
    if (r.IsBusy()) {
      // RocksDB's own recovery is running (it polls for free space): still the first error.
      return degraded_status_;
    }
    if (!r.ok()) return FromRocks(r, "commit refused, the store is still read-only");
    degraded_ = false;
    Logger("store")->warn("writes resumed after an earlier write failure dir={}", options_.dir);
  }
  rocksdb::WriteOptions wo;
  wo.sync = sync;
  const rocksdb::Status s = db_->Write(wo, writes.batch_.get());
  Status st = FromRocks(s, "commit");
  if (!s.ok()) {
    degraded_ = true;
    degraded_status_ = st;
  }
  return st;
}

Result<uint64_t> Store::Backup(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (dir.empty() || fs::path(dir).is_relative()) {
    return InvalidArgument("backup directory must be an absolute path, got \"" + dir + "\"");
  }
  if (fs::exists(dir, ec)) {
    return FailedPrecondition("backup directory " + dir + " already exists; name a new one");
  }
  const fs::path parent = fs::path(dir).parent_path();
  if (!fs::is_directory(parent, ec)) {
    return FailedPrecondition("the parent directory of " + dir + " does not exist");
  }
  const std::string partial = dir + ".partial";
  fs::remove_all(partial, ec);  // left by a backup that crashed half-way
  fs::remove_all(partial + ".tmp", ec);  // RocksDB's own staging directory of the same

  rocksdb::Checkpoint* raw = nullptr;
  RETURN_IF_ERROR(FromRocks(rocksdb::Checkpoint::Create(db_.get(), &raw), "backup"));
  std::unique_ptr<rocksdb::Checkpoint> checkpoint(raw);
  // log_size_for_flush 0: flush the memtables first, so the backup is SST files (hard links on
  // the same filesystem) plus a short WAL, all of one instant: one revision.
  Status st = FromRocks(checkpoint->CreateCheckpoint(partial, 0), "backup to " + partial);
  if (st.ok()) st = RECTIFY_FAILPOINT("store.backup");
  uint64_t revision = 0;
  if (st.ok()) {
    // The revision is read from the checkpoint itself: exactly what a restore will hold.
    StoreOptions o;
    o.dir = partial;
    o.read_only = true;
    o.block_cache_bytes = 1 << 20;
    auto copy = Store::Open(o);
    if (copy.ok()) {
      revision = (*copy)->View()->revision();
    } else {
      st = copy.status().Prefixed("backup " + partial + " does not open");
    }
  }
  if (st.ok()) {
    fs::rename(partial, dir, ec);
    if (ec) st = Internal("cannot rename " + partial + " to " + dir + ": " + ec.message());
  }
  if (st.ok()) {
    // The rename is the commit point of a backup: make it durable.
    const int fd = ::open(parent.c_str(), O_RDONLY | O_DIRECTORY);
    if (fd >= 0) {
      ::fsync(fd);
      ::close(fd);
    }
  }
  if (!st.ok()) {
    fs::remove_all(partial, ec);
    return st;
  }
  Logger("store")->info("backup written dir={} revision={}", dir, revision);
  return revision;
}

Status Store::CompactEvents(uint64_t cut) {
  rocksdb::WriteBatch batch;
  // The audit chain resumes at `cut` from the hash of the last event deleted: record it before
  // the event goes. (cut - 1 was kept by every earlier compaction, which cut below it.)
  if (cut > 1) {
    std::string bytes;
    auto gs = db_->Get(rocksdb::ReadOptions(), events_, keys::EventKey(cut - 1), &bytes);
    if (gs.ok()) {
      v1::Event last;
      if (!last.ParseFromString(bytes)) {
        return Internal("compaction: event " + std::to_string(cut - 1) + " is corrupt");
      }
      RETURN_IF_ERROR(
          FromRocks(batch.Put(meta_, keys::CompactHashKey(), last.hash()), "compaction"));
    } else if (!gs.IsNotFound()) {
      return FromRocks(gs, "compaction");
    }
  }
  RETURN_IF_ERROR(FromRocks(batch.DeleteRange(events_, keys::EventKey(0), keys::EventKey(cut)),
                            "compaction"));
  std::string v;
  keys::AppendU64(v, cut);
  RETURN_IF_ERROR(FromRocks(batch.Put(meta_, keys::CompactRevisionKey(), v), "compaction"));
  RETURN_IF_ERROR(RECTIFY_FAILPOINT("store.compact_events"));
  rocksdb::WriteOptions wo;
  wo.sync = true;
  return FromRocks(db_->Write(wo, &batch), "compaction");
}

StoreStats Store::Stats() const {
  StoreStats out;
  auto int_property = [&](rocksdb::ColumnFamilyHandle* cf, const std::string& name) {
    uint64_t v = 0;
    return db_->GetIntProperty(cf, name, &v) ? v : 0;
  };
  auto number = [](const std::map<std::string, std::string>& m, const std::string& key) {
    auto it = m.find(key);
    return it == m.end() ? 0.0 : std::strtod(it->second.c_str(), nullptr);
  };
  auto bytes = [](double gib) { return static_cast<uint64_t>(gib * double(1ull << 30)); };
  using P = rocksdb::DB::Properties;
  for (rocksdb::ColumnFamilyHandle* cf : handles_) {
    ColumnFamilyStats c;
    c.name = cf == meta_ ? "meta" : cf->GetName();
    c.level0_files = int_property(cf, P::kNumFilesAtLevelPrefix + "0");
    c.pending_compaction_bytes = int_property(cf, P::kEstimatePendingCompactionBytes);
    c.memtable_bytes = int_property(cf, P::kCurSizeAllMemTables);
    c.sst_bytes = int_property(cf, P::kTotalSstFilesSize);
    c.blob_bytes = int_property(cf, P::kTotalBlobFileSize);
    // RocksDB's compaction table: the row of level 0 holds the flushes (a flush writes a level-0
    // file; an intra-L0 compaction, rare here, counts there too), the sum holds every job. Sizes
    // are in GiB with six decimals, about 1 KB.
    std::map<std::string, std::string> m;
    if (db_->GetMapProperty(cf, P::kCFStats, &m)) {
      const double cpu_all = number(m, "compaction.Sum.CompMergeCPU");
      c.flush_cpu_seconds = number(m, "compaction.L0.CompMergeCPU");
      c.compaction_cpu_seconds = std::max(0.0, cpu_all - c.flush_cpu_seconds);
      const double written_l0 =
          number(m, "compaction.L0.WriteGB") + number(m, "compaction.L0.WblobGB");
      const double written =
          number(m, "compaction.Sum.WriteGB") + number(m, "compaction.Sum.WblobGB");
      c.flush_written_bytes = bytes(written_l0);
      c.compaction_written_bytes = bytes(std::max(0.0, written - written_l0));
      c.compaction_read_bytes = bytes(number(m, "compaction.Sum.ReadGB") +
                                      number(m, "compaction.Sum.RblobGB"));
      c.write_slowdowns = static_cast<uint64_t>(number(m, "io_stalls.total_slowdown"));
      c.write_stops = static_cast<uint64_t>(number(m, "io_stalls.total_stop"));
    }
    out.column_families.push_back(std::move(c));
  }
  std::map<std::string, std::string> db;
  if (db_->GetMapProperty(P::kDBStats, &db)) {
    out.wal_written_bytes = static_cast<uint64_t>(number(db, "db.wal_bytes_written"));
    out.wal_syncs = static_cast<uint64_t>(number(db, "db.wal_syncs"));
    out.write_stall_seconds = number(db, "db.user_write_stall_micros") / 1e6;
  }
  out.write_stopped = int_property(meta_, P::kIsWriteStopped) != 0;
  out.running_flushes = int_property(meta_, P::kNumRunningFlushes);
  out.running_compactions = int_property(meta_, P::kNumRunningCompactions);
  out.block_cache_capacity_bytes = int_property(meta_, P::kBlockCacheCapacity);
  out.block_cache_usage_bytes = int_property(meta_, P::kBlockCacheUsage);
  out.block_cache_pinned_bytes = int_property(meta_, P::kBlockCachePinnedUsage);
  return out;
}

// ------------------------------------------------------------------------------------------
// WriteSet

WriteSet::WriteSet(Store* store) : store_(store), batch_(new rocksdb::WriteBatch()) {}
WriteSet::~WriteSet() = default;

void WriteSet::PutItem(const v1::Item& item, const v1::Item* previous) {
  // Only the entries that change: a transition moves the state and, with it, the entries that
  // carry it; the unit, owner, year... entries it leaves alone are already there. (Each entry
  // written costs a memtable insert now and compaction work later.)
  const std::vector<std::string> now = keys::IndexKeysFor(item);
  std::vector<std::string> before;
  if (previous != nullptr) before = keys::IndexKeysFor(*previous);
  auto in = [](const std::vector<std::string>& keys, const std::string& k) {
    return std::find(keys.begin(), keys.end(), k) != keys.end();
  };
  for (const auto& k : before) {
    if (!in(now, k)) batch_->Delete(store_->index_, k).PermitUncheckedError();
  }
  for (const auto& k : now) {
    if (!in(before, k)) batch_->Put(store_->index_, k, "").PermitUncheckedError();
  }
  // light and overdue are derived on read, never stored as truth.
  std::string bytes;
  if (item.light() != v1::LIGHT_UNSPECIFIED || item.overdue()) {
    v1::Item stored = item;
    stored.clear_light();
    stored.clear_overdue();
    bytes = SerializeOrDie(stored);
  } else {
    bytes = SerializeOrDie(item);
  }
  batch_->Put(store_->items_, keys::ItemKey(item.id()), bytes).PermitUncheckedError();
}

void WriteSet::PutEvent(const v1::Event& event) { PutEvent(event, SerializeOrDie(event)); }

void WriteSet::PutEvent(const v1::Event& event, std::string_view bytes) {
  batch_->Put(store_->events_, keys::EventKey(event.revision()), bytes).PermitUncheckedError();
  batch_->Put(store_->index_, keys::HistoryKey(event.item_id(), event.revision()), bytes)
      .PermitUncheckedError();
}

void WriteSet::PutIdem(std::string_view actor, std::string_view request_id,
                       const IdemRecord& rec) {
  std::string v;
  keys::AppendU64(v, rec.fingerprint);
  keys::AppendU64(v, rec.revision);
  v += SerializeOrDie(rec.item);
  batch_->Put(store_->idem_, keys::IdemKey(actor, request_id), v).PermitUncheckedError();
}

void WriteSet::PutRevision(uint64_t revision) {
  std::string v;
  keys::AppendU64(v, revision);
  batch_->Put(store_->meta_, keys::RevisionKey(), v).PermitUncheckedError();
}

void WriteSet::PutSeq(int year, uint64_t serial) {
  std::string v;
  keys::AppendU64(v, serial);
  batch_->Put(store_->meta_, keys::SeqKey(year), v).PermitUncheckedError();
}

void WriteSet::PutCount(v1::State state, uint64_t count) {
  std::string v;
  keys::AppendU64(v, count);
  batch_->Put(store_->meta_, keys::CountKey(state), v).PermitUncheckedError();
}

void WriteSet::PutSchedule(std::string_view id, const Schedule* previous, const Schedule& now) {
  // Only what changed: most changes of an item leave its schedule alone (the deadline and the
  // rules did not move), and the keys that hold it are already there.
  if (previous != nullptr && previous->next_us == now.next_us &&
      previous->since_us == now.since_us) {
    return;
  }
  const bool moved = previous == nullptr || previous->next_us != now.next_us;
  if (moved && previous != nullptr && previous->next_us != 0) {
    batch_->Delete(store_->remind_, keys::DueKey(previous->next_us, id)).PermitUncheckedError();
  }
  if (moved && now.next_us != 0) {
    batch_->Put(store_->remind_, keys::DueKey(now.next_us, id), "").PermitUncheckedError();
  }
  std::string v;
  keys::AppendU64(v, static_cast<uint64_t>(now.next_us));
  keys::AppendU64(v, static_cast<uint64_t>(now.since_us));
  batch_->Put(store_->remind_, keys::ScheduleKey(id), v).PermitUncheckedError();
}

void WriteSet::PutReminder(const v1::Reminder& reminder) {
  batch_->Put(store_->remind_, keys::ReminderKey(reminder.item_id(), reminder.key()),
              SerializeOrDie(reminder))
      .PermitUncheckedError();
}

void WriteSet::PutDelivery(const v1::Delivery& delivery, const v1::Delivery* previous) {
  if (previous != nullptr && previous->state() == v1::DELIVERY_STATE_PENDING) {
    batch_->Delete(store_->remind_,
                   keys::PendingKey(MicrosOf(previous->next_attempt_at()), previous->id()))
        .PermitUncheckedError();
  }
  if (delivery.state() == v1::DELIVERY_STATE_PENDING) {
    batch_->Put(store_->remind_,
                keys::PendingKey(MicrosOf(delivery.next_attempt_at()), delivery.id()), "")
        .PermitUncheckedError();
  }
  batch_->Put(store_->remind_, keys::DeliveryKey(delivery.id()), SerializeOrDie(delivery))
      .PermitUncheckedError();
}

void WriteSet::PutOutboxSeq(uint64_t seq) {
  std::string v;
  keys::AppendU64(v, seq);
  batch_->Put(store_->meta_, keys::OutboxSeqKey(), v).PermitUncheckedError();
}

size_t WriteSet::size_bytes() const { return batch_->GetDataSize(); }
int WriteSet::count() const { return batch_->Count(); }
void WriteSet::Clear() { batch_->Clear(); }

void WriteSet::Reserve(size_t more) {
  const size_t want = batch_->GetDataSize() + more;
  if (batch_->Data().capacity() >= want) return;
  std::string rep;
  rep.reserve(want);
  rep = batch_->Data();  // assignment into enough capacity keeps the buffer
  batch_ = std::make_unique<rocksdb::WriteBatch>(std::move(rep));
}

// ------------------------------------------------------------------------------------------
// ReadView

ReadView::ReadView(Store* store) : store_(store), snapshot_(store->db_->GetSnapshot()) {}

uint64_t ReadView::MetaU64(std::string_view key, uint64_t absent) const {
  std::string v;
  bool found = false;
  if (GetRaw(store_->meta_, key, &v, &found).ok() && found && v.size() == 8) {
    return keys::ReadU64(v);
  }
  return absent;
}

uint64_t ReadView::revision() const {
  if (!revision_) revision_ = MetaU64(keys::RevisionKey(), 0);
  return *revision_;
}

uint64_t ReadView::compact_revision() const {
  if (!compact_revision_) compact_revision_ = MetaU64(keys::CompactRevisionKey(), 0);
  return *compact_revision_;
}

uint64_t ReadView::chain_start() const {
  if (!chain_start_) {
    chain_start_ = store_->pre_chain_read_only_ ? revision() + 1
                                                : MetaU64(keys::ChainStartKey(), 1);
  }
  return *chain_start_;
}

const std::string& ReadView::compact_hash() const {
  if (!compact_hash_) {
    std::string v;
    bool found = false;
    compact_hash_.emplace();
    if (GetRaw(store_->meta_, keys::CompactHashKey(), &v, &found).ok() && found) {
      compact_hash_ = std::move(v);
    }
  }
  return *compact_hash_;
}

ReadView::~ReadView() { store_->db_->ReleaseSnapshot(snapshot_); }

Status ReadView::GetRaw(rocksdb::ColumnFamilyHandle* cf, std::string_view key,
                        std::string* value, bool* found) const {
  rocksdb::ReadOptions ro;
  ro.snapshot = snapshot_;
  auto s = store_->db_->Get(ro, cf, rocksdb::Slice(key.data(), key.size()), value);
  *found = s.ok();
  if (s.IsNotFound()) return Status::Ok();
  return FromRocks(s, "read");
}

Status ReadView::MultiGetRaw(rocksdb::ColumnFamilyHandle* cf, const std::vector<std::string>& keys,
                            const std::function<Status(size_t, std::string_view)>& each,
                            const std::function<std::string(size_t)>& what) const {
  if (keys.empty()) return Status::Ok();
  std::vector<rocksdb::Slice> slices(keys.begin(), keys.end());
  std::vector<rocksdb::PinnableSlice> values(keys.size());
  std::vector<rocksdb::Status> statuses(keys.size());
  rocksdb::ReadOptions ro;
  ro.snapshot = snapshot_;
  store_->db_->MultiGet(ro, cf, slices.size(), slices.data(), values.data(), statuses.data());
  for (size_t i = 0; i < keys.size(); ++i) {
    if (statuses[i].IsNotFound()) continue;
    RETURN_IF_ERROR(FromRocks(statuses[i], "reading " + what(i)));
    RETURN_IF_ERROR(each(i, std::string_view(values[i].data(), values[i].size())));
  }
  return Status::Ok();
}

std::unique_ptr<rocksdb::Iterator> ReadView::Iter(rocksdb::ColumnFamilyHandle* cf) const {
  rocksdb::ReadOptions ro;
  ro.snapshot = snapshot_;
  return std::unique_ptr<rocksdb::Iterator>(store_->db_->NewIterator(ro, cf));
}

Result<std::optional<v1::Item>> ReadView::GetItem(std::string_view id) const {
  std::string v;
  bool found = false;
  RETURN_IF_ERROR(GetRaw(store_->items_, keys::ItemKey(id), &v, &found));
  if (!found) return std::optional<v1::Item>();
  ASSIGN_OR_RETURN(v1::Item item, ParseItem(id, v));
  return std::optional<v1::Item>(std::move(item));
}

Result<std::vector<std::optional<v1::Item>>> ReadView::GetItems(
    const std::vector<std::string>& ids) const {
  std::vector<std::string> item_keys;
  item_keys.reserve(ids.size());
  for (const auto& id : ids) item_keys.push_back(keys::ItemKey(id));
  std::vector<std::optional<v1::Item>> out(ids.size());
  RETURN_IF_ERROR(MultiGetRaw(
      store_->items_, item_keys,
      [&](size_t i, std::string_view v) -> Status {
        ASSIGN_OR_RETURN(out[i], ParseItem(ids[i], v));
        return Status::Ok();
      },
      [&](size_t i) { return "item " + ids[i]; }));
  return out;
}

Result<std::optional<IdemRecord>> ReadView::GetIdem(std::string_view actor,
                                                    std::string_view request_id) const {
  std::string v;
  bool found = false;
  RETURN_IF_ERROR(GetRaw(store_->idem_, keys::IdemKey(actor, request_id), &v, &found));
  if (!found) return std::optional<IdemRecord>();
  if (v.size() < 16) return Internal("idempotency record is corrupt");
  IdemRecord rec;
  rec.fingerprint = keys::ReadU64(v);
  rec.revision = keys::ReadU64(std::string_view(v).substr(8));
  if (!rec.item.ParseFromArray(v.data() + 16, static_cast<int>(v.size() - 16))) {
    return Internal("idempotency record is corrupt");
  }
  return std::optional<IdemRecord>(std::move(rec));
}

Result<uint64_t> ReadView::GetSeq(int year) const {
  std::string v;
  bool found = false;
  RETURN_IF_ERROR(GetRaw(store_->meta_, keys::SeqKey(year), &v, &found));
  return found && v.size() == 8 ? keys::ReadU64(v) : 0;
}

Result<std::map<v1::State, uint64_t>> ReadView::GetCounts() const {
  std::map<v1::State, uint64_t> out;
  for (int s = v1::State_MIN; s <= v1::State_MAX; ++s) {
    if (s == v1::STATE_UNSPECIFIED) continue;
    std::string v;
    bool found = false;
    RETURN_IF_ERROR(GetRaw(store_->meta_, keys::CountKey(static_cast<v1::State>(s)), &v, &found));
    out[static_cast<v1::State>(s)] = found && v.size() == 8 ? keys::ReadU64(v) : 0;
  }
  return out;
}

Result<ListPage> ReadView::List(const ListQuery& q) const {
  using keys::Tag;
  ListPage page;
  // Bound the work one page may do: a page whose filters reject most candidates returns early
  // with a cursor, so a request's cost never grows with the ledger.
  size_t budget = q.limit * 20 + 1000;
  auto consider = [&](std::string_view id, const v1::Item& item) {
    if (Matches(item, q)) page.items.push_back(item);
  };

  if (q.order == ListQuery::Order::kDeadline) {
    const Tag tag = q.live_deadline_only ? Tag::kOpenDeadline : Tag::kDeadline;
    const std::string prefix = keys::DeadlinePrefix(tag);
    std::string start = prefix + (q.deadline_from.empty() ? std::string()
                                                         : keys::DeadlineKeyPart(q.deadline_from));
    if (!q.cursor.empty()) start = std::max(start, Successor(prefix + q.cursor));
    const std::string stop =
        q.deadline_to.empty() ? "" : prefix + keys::DeadlineKeyPart(q.deadline_to) + "\xff";
    auto it = Iter(store_->index_);
    std::string last;
    for (it->Seek(start); it->Valid() && StartsWith(it->key(), prefix); it->Next()) {
      std::string_view key(it->key().data(), it->key().size());
      if (!stop.empty() && key > stop) break;
      if (page.items.size() >= q.limit || budget == 0) {
        page.next_cursor = last;
        break;
      }
      --budget;
      last = std::string(key.substr(1));
      ASSIGN_OR_RETURN(auto item, GetItem(keys::IdOfDeadlineKey(key)));
      if (item) consider(item->id(), *item);
    }
    RETURN_IF_ERROR(FromRocks(it->status(), "deadline scan"));
    return page;
  }

  // Order by id: intersect the equality filters' indexes (zig-zag join); with none, walk items.
  std::vector<std::unique_ptr<IdStream>> streams;
  auto add = [&](std::string prefix) {
    streams.push_back(std::make_unique<PrefixStream>(Iter(store_->index_), std::move(prefix)));
  };
  if (!q.owner.empty()) add(keys::IndexPrefix(Tag::kOwner, q.owner));
  if (!q.leader.empty()) add(keys::IndexPrefix(Tag::kLeader, q.leader));
  if (!q.verifier.empty()) add(keys::IndexPrefix(Tag::kVerifier, q.verifier));
  if (!q.unit.empty()) add(keys::IndexPrefix(Tag::kUnit, q.unit));
  if (q.year != 0) add(keys::IndexPrefix(Tag::kYear, q.year, 2));
  if (q.source != v1::SOURCE_UNSPECIFIED) add(keys::IndexPrefix(Tag::kSource, q.source, 1));
  if (q.category != v1::CATEGORY_UNSPECIFIED) {
    add(keys::IndexPrefix(Tag::kCategory, q.category, 1));
  }
  if (!q.states.empty()) {
    std::vector<std::unique_ptr<IdStream>> parts;
    for (auto s : q.states) {
      parts.push_back(
          std::make_unique<PrefixStream>(Iter(store_->index_), keys::IndexPrefix(Tag::kState, s, 1)));
    }
    streams.push_back(std::make_unique<UnionStream>(std::move(parts)));
  }

  const std::string start = q.cursor.empty() ? std::string() : Successor(q.cursor);
  std::string last;
  if (streams.empty()) {
    auto it = Iter(store_->items_);
    for (it->Seek(start); it->Valid(); it->Next()) {
      if (page.items.size() >= q.limit || budget == 0) {
        page.next_cursor = last;
        break;
      }
      --budget;
      last = it->key().ToString();
      ASSIGN_OR_RETURN(v1::Item item, ParseItem(last, it->value().ToStringView()));
      consider(last, item);
    }
    RETURN_IF_ERROR(FromRocks(it->status(), "item scan"));
    return page;
  }

  // The ids the join agreed on, read together: one MultiGet of a page's ids shares the index
  // and filter lookups that as many Gets would each repeat.
  std::vector<std::string> pending;
  auto read_pending = [&]() -> Status {
    if (pending.empty()) return Status::Ok();
    ASSIGN_OR_RETURN(auto items, GetItems(pending));
    for (size_t i = 0; i < pending.size(); ++i) {
      if (items[i]) consider(pending[i], *items[i]);  // an index entry without its item: skipped
    }
    pending.clear();
    return Status::Ok();
  };

  for (auto& s : streams) s->Seek(start);
  while (true) {
    // Zig-zag: move every stream up to the largest current id until all agree.
    std::string target;
    bool done = false;
    for (auto& s : streams) {
      if (!s->Valid()) {
        done = true;
        break;
      }
      if (s->id() > target) target = std::string(s->id());
    }
    if (done) break;
    bool agree = true;
    for (auto& s : streams) {
      if (s->id() != target) {
        s->Seek(target);
        agree = agree && s->Valid() && s->id() == target;
      }
    }
    if (!agree) continue;
    if (page.items.size() + pending.size() >= q.limit || budget == 0) {
      // Enough candidates to fill the page if every one matches: read them and see. The
      // streams stay on `target`, which is taken next if some did not match.
      RETURN_IF_ERROR(read_pending());
      if (page.items.size() >= q.limit || budget == 0) {
        page.next_cursor = last;
        break;
      }
      continue;
    }
    --budget;
    last = target;
    pending.push_back(target);
    const std::string next = Successor(target);
    for (auto& s : streams) s->Seek(next);
  }
  RETURN_IF_ERROR(read_pending());
  for (auto& s : streams) RETURN_IF_ERROR(s->status());
  return page;
}

Result<std::vector<v1::Event>> ReadView::History(std::string_view id, uint64_t after,
                                                 size_t limit, uint64_t* next) const {
  std::vector<v1::Event> out;
  *next = 0;
  if (after == UINT64_MAX || limit == 0) return out;
  const std::string prefix = keys::HistoryPrefix(id);
  auto it = Iter(store_->index_);
  for (it->Seek(keys::HistoryKey(id, after + 1)); it->Valid() && StartsWith(it->key(), prefix);
       it->Next()) {
    if (out.size() >= limit) {
      *next = out.back().revision();
      break;
    }
    v1::Event e;
    if (!e.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
      return Internal("history of item " + std::string(id) + " is corrupt");
    }
    out.push_back(std::move(e));
  }
  RETURN_IF_ERROR(FromRocks(it->status(), "history scan"));
  return out;
}

Result<std::vector<v1::Event>> ReadView::Events(uint64_t from, size_t limit) const {
  std::vector<v1::Event> out;
  auto it = Iter(store_->events_);
  for (it->Seek(keys::EventKey(from)); it->Valid() && out.size() < limit; it->Next()) {
    uint64_t rev = keys::ParseEventKey(std::string_view(it->key().data(), it->key().size()));
    if (rev > revision()) break;
    v1::Event e;
    if (!e.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
      return Internal("event " + std::to_string(rev) + " is corrupt");
    }
    out.push_back(std::move(e));
  }
  RETURN_IF_ERROR(FromRocks(it->status(), "event scan"));
  return out;
}

Result<std::vector<std::pair<uint64_t, std::string>>> ReadView::RawEvents(uint64_t from,
                                                                          size_t limit) const {
  std::vector<std::pair<uint64_t, std::string>> out;
  auto it = Iter(store_->events_);
  for (it->Seek(keys::EventKey(from)); it->Valid() && out.size() < limit; it->Next()) {
    if (it->key().size() != 8) {
      return Internal("event log key of " + std::to_string(it->key().size()) +
                      " bytes: not a revision");
    }
    uint64_t rev = keys::ParseEventKey(std::string_view(it->key().data(), it->key().size()));
    if (rev > revision()) break;
    out.emplace_back(rev, it->value().ToString());
  }
  RETURN_IF_ERROR(FromRocks(it->status(), "event scan"));
  return out;
}

Result<std::optional<std::string>> ReadView::RawHistoryEvent(std::string_view id,
                                                             uint64_t revision) const {
  std::string v;
  bool found = false;
  RETURN_IF_ERROR(GetRaw(store_->index_, keys::HistoryKey(id, revision), &v, &found));
  if (!found) return std::optional<std::string>();
  return std::optional<std::string>(std::move(v));
}

namespace {

Result<Schedule> ParseSchedule(std::string_view id, std::string_view v) {
  if (v.size() != 16) return Internal("reminder schedule of item " + std::string(id) + " is corrupt");
  Schedule sch;
  sch.next_us = static_cast<int64_t>(keys::ReadU64(v));
  sch.since_us = static_cast<int64_t>(keys::ReadU64(v.substr(8)));
  return sch;
}

}  // namespace

Result<std::optional<Schedule>> ReadView::GetSchedule(std::string_view id) const {
  std::string v;
  bool found = false;
  RETURN_IF_ERROR(GetRaw(store_->remind_, keys::ScheduleKey(id), &v, &found));
  if (!found) return std::optional<Schedule>();
  ASSIGN_OR_RETURN(Schedule sch, ParseSchedule(id, v));
  return std::optional<Schedule>(sch);
}

Result<std::vector<std::optional<Schedule>>> ReadView::GetSchedules(
    const std::vector<std::string>& ids) const {
  std::vector<std::string> sch_keys;
  sch_keys.reserve(ids.size());
  for (const auto& id : ids) sch_keys.push_back(keys::ScheduleKey(id));
  std::vector<std::optional<Schedule>> out(ids.size());
  RETURN_IF_ERROR(MultiGetRaw(
      store_->remind_, sch_keys,
      [&](size_t i, std::string_view v) -> Status {
        ASSIGN_OR_RETURN(out[i], ParseSchedule(ids[i], v));
        return Status::Ok();
      },
      [&](size_t i) { return "the reminder schedule of item " + ids[i]; }));
  return out;
}

Result<std::vector<std::pair<int64_t, std::string>>> ReadView::DueItems(int64_t now_us,
                                                                       size_t limit,
                                                                       int64_t from_us,
                                                                       DueTail* tail) const {
  std::vector<std::pair<int64_t, std::string>> out;
  DueTail seen;
  const std::string prefix = keys::DuePrefix();
  auto it = Iter(store_->remind_);
  for (it->Seek(keys::DueKey(from_us, "")); it->Valid() && StartsWith(it->key(), prefix);
       it->Next()) {
    std::string_view key(it->key().data(), it->key().size());
    const int64_t at = keys::DueTimeOf(key);
    if (at > now_us) {
      seen.next = at;
      break;
    }
    if (out.size() >= limit) break;  // cut short: what follows is unknown
    out.emplace_back(at, std::string(keys::DueIdOf(key)));
  }
  RETURN_IF_ERROR(FromRocks(it->status(), "due index scan"));
  seen.complete = seen.next.has_value() || !it->Valid() || !StartsWith(it->key(), prefix);
  if (tail) *tail = seen;
  return out;
}

Result<std::optional<int64_t>> ReadView::NextDue(int64_t from_us) const {
  const std::string prefix = keys::DuePrefix();
  auto it = Iter(store_->remind_);
  it->Seek(keys::DueKey(from_us, ""));
  if (it->Valid() && StartsWith(it->key(), prefix)) {
    return std::optional<int64_t>(
        keys::DueTimeOf(std::string_view(it->key().data(), it->key().size())));
  }
  RETURN_IF_ERROR(FromRocks(it->status(), "due index scan"));
  return std::optional<int64_t>();
}

Result<bool> ReadView::HasReminder(std::string_view item_id, std::string_view key) const {
  std::string v;
  bool found = false;
  RETURN_IF_ERROR(GetRaw(store_->remind_, keys::ReminderKey(item_id, key), &v, &found));
  return found;
}

Result<std::vector<v1::Reminder>> ReadView::ItemReminders(std::string_view item_id,
                                                          size_t limit) const {
  std::vector<v1::Reminder> out;
  const std::string prefix = keys::ReminderPrefix(item_id);
  auto it = Iter(store_->remind_);
  for (it->Seek(prefix); it->Valid() && StartsWith(it->key(), prefix) && out.size() < limit;
       it->Next()) {
    v1::Reminder r;
    if (!r.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
      return Internal("a reminder of item " + std::string(item_id) + " is corrupt");
    }
    out.push_back(std::move(r));
  }
  RETURN_IF_ERROR(FromRocks(it->status(), "reminder scan"));
  return out;
}

Result<uint64_t> ReadView::CountItemReminders(std::string_view item_id) const {
  uint64_t n = 0;
  const std::string prefix = keys::ReminderPrefix(item_id);
  auto it = Iter(store_->remind_);
  for (it->Seek(prefix); it->Valid() && StartsWith(it->key(), prefix); it->Next()) n++;
  RETURN_IF_ERROR(FromRocks(it->status(), "reminder count"));
  return n;
}

Result<std::optional<v1::Delivery>> ReadView::GetDelivery(uint64_t id) const {
  std::string v;
  bool found = false;
  RETURN_IF_ERROR(GetRaw(store_->remind_, keys::DeliveryKey(id), &v, &found));
  if (!found) return std::optional<v1::Delivery>();
  v1::Delivery d;
  if (!d.ParseFromString(v)) return Internal("delivery " + std::to_string(id) + " is corrupt");
  return std::optional<v1::Delivery>(std::move(d));
}

Result<std::vector<v1::Delivery>> ReadView::PendingDeliveries(int64_t now_us,
                                                              size_t limit) const {
  std::vector<v1::Delivery> out;
  const std::string prefix = keys::PendingPrefix();
  auto it = Iter(store_->remind_);
  for (it->Seek(prefix); it->Valid() && StartsWith(it->key(), prefix) && out.size() < limit;
       it->Next()) {
    std::string_view key(it->key().data(), it->key().size());
    if (keys::PendingTimeOf(key) > now_us) break;
    ASSIGN_OR_RETURN(auto d, GetDelivery(keys::PendingIdOf(key)));
    if (d) out.push_back(std::move(*d));
  }
  RETURN_IF_ERROR(FromRocks(it->status(), "outbox scan"));
  return out;
}

Result<std::optional<int64_t>> ReadView::NextPendingDelivery() const {
  const std::string prefix = keys::PendingPrefix();
  auto it = Iter(store_->remind_);
  it->Seek(prefix);
  if (it->Valid() && StartsWith(it->key(), prefix)) {
    return std::optional<int64_t>(
        keys::PendingTimeOf(std::string_view(it->key().data(), it->key().size())));
  }
  RETURN_IF_ERROR(FromRocks(it->status(), "outbox scan"));
  return std::optional<int64_t>();
}

Result<uint64_t> ReadView::PendingDeliveryCount(size_t cap) const {
  uint64_t n = 0;
  const std::string prefix = keys::PendingPrefix();
  auto it = Iter(store_->remind_);
  for (it->Seek(prefix); it->Valid() && StartsWith(it->key(), prefix) && n < cap; it->Next()) ++n;
  RETURN_IF_ERROR(FromRocks(it->status(), "outbox scan"));
  return n;
}

Result<std::vector<v1::Delivery>> ReadView::RecentDeliveries(size_t limit) const {
  std::vector<v1::Delivery> out;
  const std::string prefix = keys::DeliveryPrefix();
  auto it = Iter(store_->remind_);
  for (it->SeekForPrev(prefix + std::string(8, '\xff'));
       it->Valid() && StartsWith(it->key(), prefix) && out.size() < limit; it->Prev()) {
    v1::Delivery d;
    if (!d.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
      return Internal("a delivery is corrupt");
    }
    out.push_back(std::move(d));
  }
  RETURN_IF_ERROR(FromRocks(it->status(), "outbox scan"));
  return out;
}

Result<uint64_t> ReadView::OutboxSeq() const {
  std::string v;
  bool found = false;
  RETURN_IF_ERROR(GetRaw(store_->meta_, keys::OutboxSeqKey(), &v, &found));
  return found && v.size() == 8 ? keys::ReadU64(v) : 0;
}

}  // namespace rectify::store

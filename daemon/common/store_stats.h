#pragma once

// The storage engine's own figures, as store::Store::Stats() reads them from RocksDB and
// http::Metrics shows them on /metrics (rectify_store_*). Plain data here, so that http/ needs
// nothing of store/ and app/ hands one to the other as it is.

#include <cstdint>
#include <string>
#include <vector>

namespace rectify {

// What RocksDB reports about one column family: the figures an operator watches to see where
// the disk's and the CPU's time goes and whether writes are about to be slowed. Counters are
// totals since the store was opened.
struct ColumnFamilyStats {
  std::string name;  // "meta" (RocksDB's default CF), "items", "events", "index", "idem", "remind"
  uint64_t level0_files = 0;
  uint64_t pending_compaction_bytes = 0;  // RocksDB's estimate of what compaction has to rewrite
  uint64_t memtable_bytes = 0;            // active and immutable memtables
  uint64_t sst_bytes = 0;
  uint64_t blob_bytes = 0;
  // Memtables written to level-0 files, and compactions (every level below).
  double flush_cpu_seconds = 0;
  uint64_t flush_written_bytes = 0;
  double compaction_cpu_seconds = 0;
  uint64_t compaction_read_bytes = 0;
  uint64_t compaction_written_bytes = 0;
  // Writes RocksDB slowed down or stopped because of this CF (too many level-0 files, too much
  // pending compaction, memtables full).
  uint64_t write_slowdowns = 0;
  uint64_t write_stops = 0;
};

struct StoreStats {
  std::vector<ColumnFamilyStats> column_families;
  uint64_t wal_written_bytes = 0;
  uint64_t wal_syncs = 0;
  double write_stall_seconds = 0;  // time writes spent waiting on a slowdown or a stop
  bool write_stopped = false;      // writes are stopped right now
  uint64_t running_flushes = 0;
  uint64_t running_compactions = 0;
  uint64_t block_cache_capacity_bytes = 0;
  uint64_t block_cache_usage_bytes = 0;  // shared by every CF, blob values included
  uint64_t block_cache_pinned_bytes = 0;
};

}  // namespace rectify

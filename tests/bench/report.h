#pragma once

// What a run prints: a header with the facts every figure depends on (durability mode, cores,
// commit, daemon version, ledger size), then one row per workload and concurrency, as an
// aligned text table or, with --json, one JSON object a line. Every JSON line repeats the facts
// so a line stands on its own.

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace rectify::bench {

struct Facts {
  int cores = 0;
  std::string cpu;
  std::string commit;          // of the source tree the bench was built from
  std::string mode;            // "data-dir" (the bench started rectifyd) or "addr"
  std::string daemon_version;
  bool sync_wal = true;
  std::string target;          // the address or the data directory
  std::string daemon_binary;   // --data-dir: the rectifyd the bench started
  std::string scheduler = "unknown (a daemon the bench did not start)";  // its reminder scheduler
};

// The 1-minute load average: other work on the machine skews every figure, so every row
// carries it.
double LoadAverage();

struct Row {
  std::string workload;
  int concurrency = 0;
  std::optional<double> ops_per_sec, p50_ms, p99_ms, p999_ms;
  uint64_t errors = 0;
  std::vector<std::pair<std::string, std::string>> extra;  // key, JSON value
  std::vector<std::string> notes;                          // text mode: lines under the row

  void Add(const std::string& key, double v, int decimals = 1);
  void Add(const std::string& key, uint64_t v);
  void AddText(const std::string& key, const std::string& v);
  void AddNull(const std::string& key);
  void AddRaw(const std::string& key, const std::string& json);
};

std::string JsonString(const std::string& s);

class Reporter {
 public:
  Reporter(bool json, Facts facts) : json_(json), facts_(std::move(facts)) {}
  Facts& facts() { return facts_; }
  void Header() const;  // text mode only
  void Emit(const Row& row) const;
  void Note(const std::string& line) const;  // text mode: stdout; JSON mode: stderr

 private:
  bool json_;
  Facts facts_;
};

}  // namespace rectify::bench

#include "report.h"

#include <cstdio>

namespace rectify::bench {
namespace {

std::string Fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

std::string Opt(const std::optional<double>& v, int decimals) {
  return v ? Fixed(*v, decimals) : "null";
}

std::string Cell(const std::optional<double>& v, int decimals) {
  return v ? Fixed(*v, decimals) : "-";
}

}  // namespace

double LoadAverage() {
  double one = 0;
  if (std::FILE* f = std::fopen("/proc/loadavg", "r")) {
    if (std::fscanf(f, "%lf", &one) != 1) one = 0;
    std::fclose(f);
  }
  return one;
}

void Row::Add(const std::string& key, double v, int decimals) {
  extra.emplace_back(key, Fixed(v, decimals));
}
void Row::Add(const std::string& key, uint64_t v) { extra.emplace_back(key, std::to_string(v)); }
void Row::AddText(const std::string& key, const std::string& v) {
  extra.emplace_back(key, JsonString(v));
}
void Row::AddNull(const std::string& key) { extra.emplace_back(key, "null"); }
void Row::AddRaw(const std::string& key, const std::string& json) {
  extra.emplace_back(key, json);
}

std::string JsonString(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
  }
  return out + "\"";
}

void Reporter::Header() const {
  if (json_) return;
  std::printf("rectify-bench  target=%s (%s)\n", facts_.target.c_str(), facts_.mode.c_str());
  std::printf("  durability: %s\n", facts_.sync_wal ? "synced WAL (fsync before every ack)"
                                                    : "WAL NOT synced ([durability] sync = false)");
  std::printf("  scheduler:  %s\n", facts_.scheduler.c_str());
  std::printf("  machine:    %d cores, %s; client and daemon side by side\n", facts_.cores,
              facts_.cpu.c_str());
  std::printf("  code:       commit %s, rectifyd %s%s\n", facts_.commit.c_str(),
              facts_.daemon_version.c_str(),
              facts_.daemon_binary.empty() ? "" : (" (" + facts_.daemon_binary + ")").c_str());
  std::printf("  load:       %.2f (1-minute load average at start; each row has its own)\n",
              LoadAverage());
  std::printf("\n%-12s %5s %10s %8s %8s %8s %6s  %s\n", "workload", "conc", "ops/s", "p50ms",
              "p99ms", "p99.9ms", "errors", "details");
  std::fflush(stdout);
}

void Reporter::Emit(const Row& row) const {
  if (json_) {
    std::string line = "{\"workload\":" + JsonString(row.workload) +
                       ",\"concurrency\":" + std::to_string(row.concurrency) +
                       ",\"ops_per_sec\":" + Opt(row.ops_per_sec, 1) +
                       ",\"p50_ms\":" + Opt(row.p50_ms, 3) + ",\"p99_ms\":" + Opt(row.p99_ms, 3) +
                       ",\"p999_ms\":" + Opt(row.p999_ms, 3) +
                       ",\"errors\":" + std::to_string(row.errors);
    for (const auto& [k, v] : row.extra) line += "," + JsonString(k) + ":" + v;
    char load[32];
    std::snprintf(load, sizeof load, "%.2f", LoadAverage());
    line += ",\"loadavg_1m\":" + std::string(load);
    line += ",\"sync_wal\":" + std::string(facts_.sync_wal ? "true" : "false") +
            ",\"cores\":" + std::to_string(facts_.cores) +
            ",\"commit\":" + JsonString(facts_.commit) +
            ",\"daemon_version\":" + JsonString(facts_.daemon_version) +
            ",\"mode\":" + JsonString(facts_.mode) +
            ",\"scheduler\":" + JsonString(facts_.scheduler) + "}";
    std::printf("%s\n", line.c_str());
  } else {
    std::string details;
    for (const auto& [k, v] : row.extra) {
      std::string shown = v;
      if (shown.size() >= 2 && shown.front() == '"') shown = shown.substr(1, shown.size() - 2);
      details += (details.empty() ? "" : " ") + k + "=" + shown;
    }
    char load[32];
    std::snprintf(load, sizeof load, " loadavg=%.2f", LoadAverage());
    details += load;
    std::printf("%-12s %5d %10s %8s %8s %8s %6llu  %s\n", row.workload.c_str(), row.concurrency,
                Cell(row.ops_per_sec, 0).c_str(), Cell(row.p50_ms, 2).c_str(),
                Cell(row.p99_ms, 2).c_str(), Cell(row.p999_ms, 2).c_str(),
                static_cast<unsigned long long>(row.errors), details.c_str());
    for (const auto& n : row.notes) std::printf("%18s %s\n", "", n.c_str());
  }
  std::fflush(stdout);
}

void Reporter::Note(const std::string& line) const {
  std::FILE* f = json_ ? stderr : stdout;
  std::fprintf(f, "%s\n", line.c_str());
  std::fflush(f);
}

}  // namespace rectify::bench

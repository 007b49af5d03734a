#include "disk.h"

#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <vector>

#include "runner.h"

namespace rectify::bench {
namespace {

using Clock = std::chrono::steady_clock;

double ThreadCpuSeconds() {
  rusage ru{};
  getrusage(RUSAGE_THREAD, &ru);
  return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec +
         (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

}  // namespace

Row MeasureSync(const SyncProbe& probe) {
  Row row;
  row.workload = "fsync";
  row.concurrency = 1;
  const std::string path = probe.dir + "/fsync-probe";
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) {
    row.notes.push_back("cannot create " + path + ": " + std::strerror(errno));
    return row;
  }
  const std::vector<char> block(probe.block, 'w');
  RunResult r;
  double cpu_s = 0;
  std::string failure;
  const auto from = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                       std::chrono::duration<double>(probe.warmup_s));
  const auto to = from + std::chrono::duration_cast<Clock::duration>(
                             std::chrono::duration<double>(probe.duration_s));
  while (failure.empty()) {
    const auto t0 = Clock::now();
    if (t0 >= to) break;
    const double c0 = ThreadCpuSeconds();
    if (::write(fd, block.data(), block.size()) != static_cast<ssize_t>(block.size())) {
      failure = std::string("write: ") + std::strerror(errno);
    } else if (::fdatasync(fd) != 0) {
      failure = std::string("fdatasync: ") + std::strerror(errno);
    }
    const auto t1 = Clock::now();
    if (t0 >= from) {
      cpu_s += ThreadCpuSeconds() - c0;
      r.latency_ms.push_back(std::chrono::duration<float, std::milli>(t1 - t0).count());
    }
  }
  ::close(fd);
  ::unlink(path.c_str());
  if (!failure.empty()) {
    row.notes.push_back(path + ": " + failure);
    return row;
  }
  if (r.latency_ms.empty()) return row;
  std::sort(r.latency_ms.begin(), r.latency_ms.end());
  r.ok = r.latency_ms.size();
  r.seconds = probe.duration_s;
  const double n = static_cast<double>(r.ok);
  row.ops_per_sec = r.ops_per_sec();
  row.p50_ms = r.Percentile(0.50);
  row.p99_ms = r.Percentile(0.99);
  row.p999_ms = r.Percentile(0.999);
  row.Add("max_ms", r.latency_ms.back(), 2);
  const auto slow =
      r.latency_ms.end() - std::upper_bound(r.latency_ms.begin(), r.latency_ms.end(), 4.0f);
  row.Add("over_4ms_pct", 100.0 * slow / n, 2);
  row.Add("cpu_us_per_sync", 1e6 * cpu_s / n);
  row.Add("block_bytes", static_cast<uint64_t>(probe.block));
  row.notes.push_back("append " + std::to_string(probe.block) +
                      " bytes + fdatasync, one at a time, on a fresh file in " + probe.dir);
  return row;
}

}  // namespace rectify::bench

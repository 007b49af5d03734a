// rectify-bench: starts or targets a real rectifyd and prints, per workload and concurrency,
// throughput, latency percentiles, the daemon's CPU and peak RSS, and the commit groups its
// pipeline formed. A benchmark prints figures; it never passes or fails. README.md says how to
// run it and shows the latest figures.
//
// --addr ADDR      a running daemon: its CPU and memory are unknown to the bench.
// --data-dir DIR   the bench starts rectifyd itself on DIR/db (a ledger kept between runs, so
//                  `load` once and measure many times), with [reminders] scheduler = false so
//                  no reminder run competes with the measured requests (--scheduler: on, as
//                  a deployed daemon runs).

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <set>

#include <CLI/CLI.hpp>
#include <absl/synchronization/mutex.h>

#include "client.h"
#include "daemon_process.h"
#include "disk.h"
#include "report.h"
#include "workloads.h"

namespace rectify::bench {
namespace {

std::string Shell(const std::string& cmd) {
  std::string out;
  if (std::FILE* p = popen(cmd.c_str(), "r")) {
    char buf[256];
    while (std::fgets(buf, sizeof buf, p)) out += buf;
    pclose(p);
  }
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}

// The commit of the source tree the bench was built from, "+dirty" if tracked files differ.
std::string SourceCommit() {
  const std::string git = "git -C '" + std::string(RECTIFY_SOURCE_DIR) + "' ";
  std::string head = Shell(git + "rev-parse --short=12 HEAD 2>/dev/null");
  if (head.empty()) return "unknown";
  if (!Shell(git + "status --porcelain --untracked-files=no 2>/dev/null").empty()) {
    head += "+dirty";
  }
  return head;
}

std::string CpuModel() {
  std::string info = ReadFile("/proc/cpuinfo");
  auto pos = info.find("model name");
  if (pos == std::string::npos) return "unknown CPU";
  auto colon = info.find(':', pos), eol = info.find('\n', pos);
  return info.substr(colon + 2, eol - colon - 2);
}

[[noreturn]] void Fatal(const std::string& msg) {
  std::fprintf(stderr, "rectify-bench: %s\n", msg.c_str());
  KillSpawnedDaemon();
  std::exit(1);
}

const std::set<std::string> kWorkloads = {"ceiling", "create", "transition", "mixed", "get",
                                          "list",    "watch",  "remind",     "load",  "fsync"};

}  // namespace

int Main(int argc, char** argv) {
  std::string addr, data_dir, log_level;
  std::string rectifyd = std::getenv("RECTIFYD_BIN") ? std::getenv("RECTIFYD_BIN")
                                                     : RECTIFY_BUILD_DIR "/daemon/app/rectifyd";
  Options opts;
  opts.workloads = {"ceiling", "create", "transition", "mixed", "get", "list"};
  opts.concurrency = {1, 16, 64, 256};
  bool json = false, no_sync = false, no_half = false, no_batches = false, keep = false;
  bool load_sync = false, scheduler = false;
  int load_concurrency = 0;

  CLI::App app{"rectify-bench: throughput and latency of a real rectifyd"};
  auto* a = app.add_option("--addr", addr, "a running rectifyd (host:port)");
  app.add_option("--data-dir", data_dir,
                 "start rectifyd on DIR/db (kept between runs) and measure its CPU and memory")
      ->excludes(a);
  app.add_option("--workload", opts.workloads,
                 "ceiling,create,transition,mixed,get,list,watch,remind,load,fsync")
      ->delimiter(',')
      ->capture_default_str();
  app.add_option("--concurrency", opts.concurrency, "requests outstanding, one run each")
      ->delimiter(',')
      ->capture_default_str();
  app.add_option("--duration", opts.duration_s, "measured seconds per run")->capture_default_str();
  app.add_option("--warmup", opts.warmup_s, "unmeasured seconds before each run")
      ->capture_default_str();
  app.add_option("--items", opts.items,
                 "ledger size: get/list/mixed fill up to it, load fills to it, remind builds it")
      ->capture_default_str();
  app.add_flag("--json", json, "one JSON object a line per workload and concurrency");
  app.add_option("--rectifyd", rectifyd, "the daemon binary (--data-dir)")->capture_default_str();
  app.add_flag("--no-sync", no_sync, "--data-dir: run rectifyd with [durability] sync = false");
  app.add_option("--log-level", log_level, "--data-dir: rectifyd's --log-level (default: its own)");
  app.add_flag("--scheduler", scheduler,
               "--data-dir: leave rectifyd's reminder scheduler on, as its default config has it "
               "(default: off, so that only the measured requests reach the writer)");
  app.add_option("--watchers", opts.watchers, "watch: subscriber counts, one run each")
      ->delimiter(',')
      ->capture_default_str();
  app.add_option("--watch-rate", opts.watch_rate, "watch: committed transitions per second")
      ->capture_default_str();
  app.add_option("--watch-filter", opts.watch_filter,
                 "watch: all = every watcher gets every event; item = watcher i watches one item")
      ->check(CLI::IsMember({"all", "item"}))
      ->capture_default_str();
  app.add_option("--due-share", opts.due_share, "remind: share of the items due at the run")
      ->capture_default_str();
  app.add_flag("--remind-dry-run", opts.remind_dry_run,
               "remind: a dry run first (it warms the block cache for the run after it)");
  app.add_option("--channels", opts.channels, "gRPC connections to spread requests over")
      ->capture_default_str();
  app.add_option("--load-concurrency", load_concurrency,
                 "load: items in flight (default: the largest --concurrency)");
  app.add_flag("--load-sync", load_sync,
               "--data-dir: load with the WAL synced too (default: not synced, it is set-up)");
  app.add_flag("--no-half-rate", no_half, "skip transition paced at half its peak");
  app.add_option("--paced-rate", opts.paced_rate,
                 "pace that transition run at this many per second instead of half the peak "
                 "(a fixed load, to compare builds or profile)");
  app.add_flag("--no-batches", no_batches, "skip reading the event log for commit group sizes");
  app.add_flag("--keep", keep, "--data-dir: keep the remind ledger (DIR/remind)");
  CLI11_PARSE(app, argc, argv);

  if (addr.empty() == data_dir.empty()) Fatal("give exactly one of --addr and --data-dir");
  for (const auto& w : opts.workloads) {
    if (!kWorkloads.count(w)) Fatal("unknown workload \"" + w + "\"");
  }
  if (!addr.empty() && std::count(opts.workloads.begin(), opts.workloads.end(), "fsync")) {
    Fatal("the fsync workload needs --data-dir: it measures the disk under that directory");
  }
  if (opts.concurrency.empty()) Fatal("--concurrency needs at least one value");
  for (int c : opts.concurrency) {
    if (c < 1 || c > 100000) Fatal("--concurrency values must be between 1 and 100000");
  }
  if (opts.due_share <= 0 || opts.due_share > 1) Fatal("--due-share must be in (0, 1]");
  if (opts.paced_rate < 0) Fatal("--paced-rate must not be negative");
  opts.half_rate = !no_half;
  opts.batches = !no_batches;
  const int max_c = *std::max_element(opts.concurrency.begin(), opts.concurrency.end());
  if (load_concurrency <= 0) load_concurrency = max_c;

  Facts facts;
  facts.cores = static_cast<int>(sysconf(_SC_NPROCESSORS_ONLN));
  facts.cpu = CpuModel();
  facts.commit = SourceCommit();
  facts.mode = addr.empty() ? "data-dir" : "addr";
  facts.target = addr.empty() ? data_dir : addr;
  Reporter out(json, facts);
  bool header_done = false;

  // The daemon and client of the current phase; a phase that needs another kind of daemon
  // (load and remind run on a test clock) stops it and starts its own.
  std::unique_ptr<DaemonProcess> daemon;
  std::unique_ptr<Client> client;
  std::unique_ptr<Bench> bench;
  std::string phase;
  auto connected = [&](const std::string& a) {
    client = std::make_unique<Client>(a, opts.channels);
    v1::ServerInfo info;
    grpc::Status st = client->Info(&info);
    if (!st.ok()) Fatal("cannot reach rectifyd at " + a + ": " + st.error_message());
    out.facts().daemon_version = info.version();
    out.facts().sync_wal = info.sync_wal();
    if (!header_done) {
      out.Header();
      header_done = true;
    } else {
      out.Note(std::string("# now: ") + (info.sync_wal() ? "synced WAL" : "WAL NOT synced") +
               (info.test_clock() ? ", test clock" : ""));
    }
    bench = std::make_unique<Bench>(opts, out, *client, daemon.get());
    return info;
  };
  auto enter = [&](const std::string& want) {
    if (phase == want) return;
    phase = want;
    if (!addr.empty()) {
      if (!client) connected(addr);
      return;
    }
    if (daemon) {
      bench.reset();
      client.reset();
      const double s = daemon->Stop();
      out.Note("# rectifyd stopped in " + std::to_string(s) + " s");
    }
    DaemonSpec spec;
    spec.binary = rectifyd;
    spec.work_dir = data_dir;
    spec.db_dir = data_dir + "/db";
    bool sync = !no_sync;
    if (want == "load") {
      sync = load_sync && !no_sync;
      spec.extra_args = {"--test-clock", "2024-01-01T18:00:00Z", "--log-level", "warn"};
    } else {
      if (want == "remind") {
        spec.work_dir = data_dir + "/remind";
        spec.db_dir = data_dir + "/remind/db";
        std::filesystem::remove_all(spec.work_dir);
        spec.extra_args = {"--test-clock", "2026-03-02T00:00:00Z"};
      }
      if (!log_level.empty()) {
        spec.extra_args.push_back("--log-level");
        spec.extra_args.push_back(log_level);
      }
    }
    // The scheduler stays off while loading and for the remind workload, which starts its runs
    // itself.
    const bool scheduling = scheduler && want != "load" && want != "remind";
    spec.config = std::string("[durability]\nsync = ") + (sync ? "true" : "false") +
                  "\n\n[reminders]\nscheduler = " + (scheduling ? "true" : "false") + "\n";
    out.facts().daemon_binary = rectifyd;
    out.facts().scheduler =
        scheduler ? "on, as rectifyd's default config has it (--scheduler; off for load, remind)"
                  : "off ([reminders] scheduler = false; --scheduler turns it on)";
    spec.metrics = true;  // the store's background work per run, and settling after a load
    daemon = std::make_unique<DaemonProcess>(spec);
    if (std::string err = daemon->Start(std::chrono::seconds(600)); !err.empty()) Fatal(err);
    v1::ServerInfo info = connected(daemon->addr());
    Row row;
    row.workload = "startup";
    row.concurrency = 0;
    row.Add("seconds", daemon->startup_seconds(), 3);
    row.Add("items_total", info.items_total());
    row.Add("daemon_rss_mb", daemon->Sample().rss_kb / 1024.0);
    row.AddText("phase", want);
    row.notes.push_back("spawn to first answered GetServerInfo; log: " + daemon->log_path());
    out.Emit(row);
    if (want == "serve") bench->SettleStore();  // a ledger left with compactions to do
  };

  for (const auto& w : opts.workloads) {
    if (w == "load") {
      enter("load");
      bench->Load(opts.items, load_concurrency);
    } else if (w == "remind") {
      enter("remind");
      bench->Remind();
    } else {
      enter("serve");
      if (w == "fsync") {
        out.Emit(MeasureSync({data_dir, 4096, opts.warmup_s, opts.duration_s}));
      } else if (w == "watch") {
        bench->Watch();
      } else {
        bench->Throughput(w);
      }
    }
  }
  if (daemon) {
    bench.reset();
    client.reset();
    const double s = daemon->Stop();
    out.Note("# rectifyd stopped in " + std::to_string(s) + " s");
    if (!keep) std::filesystem::remove_all(data_dir + "/remind");
  }
  return 0;
}

}  // namespace rectify::bench

int main(int argc, char** argv) {
  // As in rectifyd (daemon/app/main.cc): Debian's Abseil leaves absl::Mutex's deadlock detector
  // on, and the bench's gRPC client shares the two cores with the daemon it measures.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  return rectify::bench::Main(argc, argv);
}

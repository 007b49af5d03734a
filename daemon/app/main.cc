// rectifyd: wiring, start/stop order, signals. Everything else lives in the modules.
//
// Start: config -> logging -> zone and calendar -> store -> engine -> gRPC server -> health
// SERVING. Stop (SIGTERM/SIGINT): health NOT_SERVING -> stop accepting and finish in-flight
// RPCs (grace period) -> engine drains its queue and commits -> store closes.

#include <atomic>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>

#include <CLI/CLI.hpp>
#include <absl/synchronization/mutex.h>
#include <systemd/sd-daemon.h>
#include <google/protobuf/stubs/logging.h>
#include <google/protobuf/util/time_util.h>
#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>

#include "common/clock.h"
#include "common/failpoint.h"
#include "common/logging.h"
#include "config/config.h"
#include "domain/calendar.h"
#include "domain/dates.h"
#include "engine/audit.h"
#include "engine/engine.h"
#include "http/metrics.h"
#include "http/server.h"
#include "light_census.h"
#include "remind/scheduler.h"
#include "rpc/report_service.h"
#include "rpc/limits.h"
#include "rpc/services.h"
#include "rpc/transport.h"
#include "rpc/watch_service.h"
#include "store/check.h"
#include "store/store.h"
#include "watch/hub.h"
#include "version.h"

namespace rectify {
namespace {

struct Flags {
  std::string config_file;
  std::string listen;
  std::string data_dir;
  std::string addr_file;
  std::string log_level;
  bool check_config = false;
  std::string check_dir;  // --check DIR: the offline consistency checker
  std::string test_clock;  // RFC 3339 start instant: run on a clock the tests move
  std::string http_listen;
  std::string verify_audit;  // a ledger directory to verify offline, then exit
};

// "2026-03-02T08:00:00+08:00" / "...Z" -> instant.
Result<TimePoint> ParseInstant(const std::string& text) {
  google::protobuf::Timestamp ts;
  if (!google::protobuf::util::TimeUtil::FromString(text, &ts)) {
    return InvalidArgument("--test-clock wants an RFC 3339 time such as "
                           "2026-03-02T08:00:00+08:00, got \"" + text + "\"");
  }
  return TimePoint(std::chrono::seconds(ts.seconds()) +
                   std::chrono::microseconds(ts.nanos() / 1000));
}

Status WriteFileAtomically(const std::string& path, const std::string& text) {
  std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << text;
    if (!out) return Internal("cannot write " + tmp);
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) return Internal("cannot rename " + tmp + " to " + path + ": " + ec.message());
  return Status::Ok();
}

Result<domain::Calendar> LoadCalendar(const config::Config& cfg) {
  domain::Calendar cal = domain::DefaultCalendar();
  for (const auto& file : cfg.calendar_files) {
    std::ifstream in(file);
    if (!in) return InvalidArgument("cannot read calendar file " + file);
    std::stringstream ss;
    ss << in.rdbuf();
    ASSIGN_OR_RETURN(auto extra, domain::ParseCalendarToml(ss.str(), file));
    cal.Merge(extra);
  }
  return cal;
}

// rectifyd --check DIR: opens the ledger read-only, walks every key, prints one line per
// problem. 0 = clean, 1 = problems found, 2 = the directory cannot be read as a ledger.
int RunCheck(const std::string& dir, const date::time_zone* zone,
             const domain::Calendar& calendar, const domain::ReminderRules& rules) {
  store::StoreOptions sopts;
  sopts.dir = dir;
  sopts.read_only = true;
  sopts.block_cache_bytes = 8 << 20;
  auto store = store::Store::Open(sopts);
  if (!store.ok()) {
    std::cerr << "rectifyd --check: " << store.status().message() << "\n";
    return 2;
  }
  store::CheckOptions copts;
  copts.zone = zone;
  copts.calendar = &calendar;
  copts.rules = &rules;
  auto report = store::CheckStore(**store, copts);
  if (!report.ok()) {
    std::cerr << "rectifyd --check: " << report.status().message() << "\n";
    return 2;
  }
  for (const auto& p : report->problems) std::cout << p << "\n";
  if (report->problems.size() < report->problem_count) {
    std::cout << "... and " << report->problem_count - report->problems.size()
              << " more problems\n";
  }
  // The audit chain is part of consistency: an event edited or deleted offline, even one whose
  // copies still agree with each other, breaks it.
  bool chain_ok = false;
  auto audit = engine::VerifyAuditChain(*(*store)->View());
  if (!audit.ok()) {
    std::cout << "audit chain: cannot verify: " << audit.status().message() << "\n";
  } else {
    chain_ok = audit->ok();
    if (!chain_ok) std::cout << "audit chain:\n" << engine::AuditReportText(*audit);
  }
  const bool clean = report->clean() && chain_ok;
  std::cerr << (clean ? "check: clean " : "check: PROBLEMS FOUND ") << report->Summary()
            << (chain_ok ? ", audit chain intact" : ", audit chain BROKEN") << "\n";
  return clean ? 0 : 1;
}

// rectifyd --verify-audit DIR: recompute the audit chain of a ledger that need not be served
// (read-only: works beside a running daemon, changes nothing). Exit 0 intact, 3 broken, 1 when
// the ledger cannot be read.
int VerifyAuditOffline(const std::string& dir) {
  store::StoreOptions sopts;
  sopts.dir = dir;
  sopts.read_only = true;
  auto store = store::Store::Open(sopts);
  if (!store.ok()) {
    std::cerr << "rectifyd: cannot open the ledger: " << store.status().message() << "\n";
    return 1;
  }
  auto result = engine::VerifyAuditChain(*(*store)->View());
  if (!result.ok()) {
    std::cerr << "rectifyd: cannot verify " << dir << ": " << result.status().message() << "\n";
    return 1;
  }
  std::cout << engine::AuditReportText(*result);
  return result->ok() ? 0 : 3;
}

// A config file as the running daemon would use it: the file, the command line's overrides,
// and everything derived from it, checked as a whole before any of it is used (at start and on
// SIGHUP alike).
struct Loaded {
  config::Config cfg;
  const date::time_zone* zone = nullptr;
  domain::ReminderRules rules;
  std::shared_ptr<const domain::Calendar> calendar;
  std::shared_ptr<grpc::ServerCredentials> credentials;
};

Result<Loaded> Load(const Flags& flags) {
  Loaded l;
  if (!flags.config_file.empty()) {
    ASSIGN_OR_RETURN(l.cfg, config::LoadConfig(flags.config_file));
  }
  config::Config& cfg = l.cfg;
  if (!flags.listen.empty()) cfg.listen = flags.listen;
  if (!flags.data_dir.empty()) cfg.data_dir = flags.data_dir;
  if (!flags.log_level.empty()) cfg.log_level = flags.log_level;
  if (!flags.http_listen.empty()) cfg.http_listen = flags.http_listen;

  auto zone = domain::LocateZone(cfg.time_zone);
  if (!zone.ok()) return InvalidArgument("time_zone: " + zone.status().message());
  l.zone = *zone;
  auto calendar = LoadCalendar(cfg);
  if (!calendar.ok()) return InvalidArgument("calendar: " + calendar.status().message());
  l.calendar = std::make_shared<const domain::Calendar>(std::move(calendar).value());
  const auto& rc = cfg.reminders;
  l.rules.hour = rc.hour;
  l.rules.before_working_days = rc.before;
  l.rules.deadline_day = rc.deadline_day;
  l.rules.overdue_daily = rc.overdue_daily;
  l.rules.supervision_after = rc.supervision_after;
  l.rules.admonition_after = rc.admonition_after;
  l.rules.stale_progress = rc.stale_progress;
  if (Status st = domain::ValidateReminderRules(l.rules); !st.ok()) {
    return InvalidArgument("reminders: " + st.message());
  }
  RETURN_IF_ERROR(rpc::CheckExposure(cfg));
  ASSIGN_OR_RETURN(l.credentials, rpc::ServerCredentialsFor(cfg));
  return l;
}

// SIGHUP: reload what can change safely, say what changed, and keep everything as it was when
// the new file is wrong. What needs a restart is named, not half-applied.
void Reload(const Flags& flags, Loaded& current, rpc::Callers& callers, engine::Engine& engine,
            remind::Scheduler& scheduler) {
  auto log = Logger("app");
  auto next = Load(flags);
  if (!next.ok()) {
    log->error("reload refused, the running config stays: {}", next.status().message());
    return;
  }
  const config::Config& was = current.cfg;
  const config::Config& now = next->cfg;
  std::vector<std::string> reloaded, restart;
  if (!SetLogLevel(now.log_level)) {
    log->error("reload refused, the running config stays: unknown log level {}", now.log_level);
    return;
  }
  SetLogFormatJson(now.log_format == "json");
  if (now.log_level != was.log_level) reloaded.push_back("log level " + now.log_level);
  callers.Reload(now.principals, rpc::AuthOptionsFrom(now));
  reloaded.push_back("principals (" + std::to_string(now.principals.size()) + ")");
  engine::Settings settings;
  settings.policy = callers.policy();
  settings.reminder_rules = next->rules;
  if (!now.channels.empty()) settings.route = remind::MakeRouter(now.channels, now.principals);
  settings.calendar = next->calendar;
  settings.limits = rpc::RequestLimits(now.limits);
  engine.Reconfigure(std::move(settings));
  scheduler.SetChannels(remind::ToChannelConfigs(now.channels));
  reloaded.push_back("reminder rules");
  reloaded.push_back("channels (" + std::to_string(now.channels.size()) + ")");
  std::string years;
  for (int y : next->calendar->Years()) years += (years.empty() ? "" : ",") + std::to_string(y);
  reloaded.push_back("calendar (" + years + ")");
  reloaded.push_back("auth mode " + now.auth.mode);
  reloaded.push_back("limits");
  auto differs = [&](bool changed, const char* what) {
    if (changed) restart.push_back(what);
  };
  differs(now.listen != was.listen, "listen");
  differs(now.data_dir != was.data_dir, "data_dir");
  differs(now.time_zone != was.time_zone, "time_zone");
  differs(now.http_listen != was.http_listen, "http.listen");
  differs(now.log_file != was.log_file || now.log_max_size_mb != was.log_max_size_mb ||
              now.log_max_files != was.log_max_files,
          "log.file/max_size_mb/max_files");
  differs(now.sync_wal != was.sync_wal, "durability");
  // gRPC fixes the largest message it accepts when the server is built.
  differs(now.limits.max_request_bytes != was.limits.max_request_bytes,
          "limits.max_request_bytes");
  differs(now.block_cache_mb != was.block_cache_mb || now.write_buffer_mb != was.write_buffer_mb ||
              now.compaction_cpu_priority != was.compaction_cpu_priority,
          "storage");
  differs(now.engine_max_pending != was.engine_max_pending, "engine.max_pending");
  differs(now.tls.cert_file != was.tls.cert_file || now.tls.key_file != was.tls.key_file ||
              now.tls.client_ca_file != was.tls.client_ca_file ||
              now.tls.client_cert != was.tls.client_cert,
          "tls");
  differs(now.watch_queue_events != was.watch_queue_events ||
              now.watch_progress_interval_ms != was.watch_progress_interval_ms ||
              now.watch_slow_timeout_ms != was.watch_slow_timeout_ms ||
              now.watch_retention_count != was.watch_retention_count ||
              now.watch_retention_hours != was.watch_retention_hours,
          "watch");
  differs(now.reminders.scheduler != was.reminders.scheduler ||
              now.reminders.max_attempts != was.reminders.max_attempts ||
              now.reminders.backoff_base_ms != was.reminders.backoff_base_ms ||
              now.reminders.backoff_max_ms != was.reminders.backoff_max_ms,
          "reminders.scheduler/max_attempts/backoff_*");
  std::string what, later;
  for (const auto& r : reloaded) what += (what.empty() ? "" : ", ") + r;
  for (const auto& r : restart) later += (later.empty() ? "" : ", ") + r;
  log->info("config reloaded from {}: {}", flags.config_file.empty() ? "(defaults)" : flags.config_file,
            what);
  if (!later.empty()) {
    log->warn("config reload: changes to {} take effect only after a restart", later);
  }
  // Keep what now runs, except the restart-only parts, which still describe the process.
  config::Config kept = now;
  kept.listen = was.listen;
  kept.data_dir = was.data_dir;
  kept.time_zone = was.time_zone;
  kept.http_listen = was.http_listen;
  kept.sync_wal = was.sync_wal;
  kept.block_cache_mb = was.block_cache_mb;
  kept.write_buffer_mb = was.write_buffer_mb;
  kept.compaction_cpu_priority = was.compaction_cpu_priority;
  kept.engine_max_pending = was.engine_max_pending;
  kept.tls = was.tls;
  kept.limits.max_request_bytes = was.limits.max_request_bytes;
  current.cfg = std::move(kept);
  current.rules = next->rules;
  current.calendar = next->calendar;
}

int Run(const Flags& flags, sigset_t sigs) {
  auto log = Logger("app");
  if (!flags.verify_audit.empty()) return VerifyAuditOffline(flags.verify_audit);
  auto loaded = Load(flags);
  if (!loaded.ok()) {
    std::cerr << "rectifyd: " << loaded.status().message() << "\n";
    return 2;
  }
  Loaded& current = *loaded;  // SIGHUP replaces parts of it, on this (the main) thread
  const config::Config cfg = current.cfg;  // as started: other threads read this copy
  const domain::ReminderRules rules = current.rules;
  const auto& rc = cfg.reminders;
  auto* zone = &current.zone;
  if (!flags.check_dir.empty()) {
    return RunCheck(flags.check_dir, current.zone, *current.calendar, rules);
  }
  if (!failpoint::Enabled() && std::getenv("RECTIFY_FAILPOINTS") != nullptr) {
    std::cerr << "rectifyd: RECTIFY_FAILPOINTS is set but this rectifyd was built without "
                 "failpoints (cmake -DRECTIFY_FAILPOINTS=ON)\n";
    return 2;
  }
  if (flags.check_config) {
    std::cout << "config OK" << (cfg.source.empty() ? " (built-in defaults)" : ": " + cfg.source)
              << "\n";
    return 0;
  }
  if (!SetLogLevel(cfg.log_level)) {
    std::cerr << "rectifyd: unknown log level " << cfg.log_level << "\n";
    return 2;
  }
  SetLogFormatJson(cfg.log_format == "json");
  if (!cfg.log_file.empty()) {
    std::string error;
    if (!SetLogFile(cfg.log_file, cfg.log_max_size_mb << 20, cfg.log_max_files, &error)) {
      std::cerr << "rectifyd: log.file: " << error << "\n";
      return 2;
    }
  }

  SystemClock system_clock;
  std::unique_ptr<ManualClock> test_clock;
  if (!flags.test_clock.empty()) {
    auto start = ParseInstant(flags.test_clock);
    if (!start.ok()) {
      std::cerr << "rectifyd: " << start.status().message() << "\n";
      return 2;
    }
    test_clock = std::make_unique<ManualClock>(*start);
    log->warn("running on a test clock starting at {}: time moves only through "
              "AdminService.SetClock", flags.test_clock);
  }
  Clock& clock = test_clock ? static_cast<Clock&>(*test_clock) : system_clock;
  store::StoreOptions sopts;
  sopts.dir = cfg.data_dir;
  sopts.block_cache_bytes = cfg.block_cache_mb << 20;
  sopts.write_buffer_bytes = cfg.write_buffer_mb << 20;
  sopts.compaction_at_idle_priority = cfg.compaction_cpu_priority == "idle";
  auto store = store::Store::Open(sopts);
  if (!store.ok()) {
    log->error("cannot open the ledger: {}", store.status().message());
    return 1;
  }

  // Metrics outlive every hook that records into them.
  http::Metrics metrics;
  std::atomic<bool> ready{false};
  rpc::Callers callers(cfg.principals, rpc::AuthOptionsFrom(cfg),
                       [&metrics](std::string_view method, Code code, double seconds) {
                         metrics.RpcDone(method, CodeName(code), seconds);
                       });
  engine::EngineOptions eopts;
  eopts.sync = cfg.sync_wal;
  eopts.policy = callers.policy();
  eopts.max_pending = cfg.engine_max_pending;
  eopts.reminder_rules = rules;
  eopts.limits = rpc::RequestLimits(cfg.limits);
  eopts.on_group_commit = [&metrics](size_t n, double s) { metrics.GroupCommitted(n, s); };
  eopts.on_commit_failed = [&metrics] { metrics.GroupCommitFailed(); };
  if (!cfg.channels.empty()) eopts.route = remind::MakeRouter(cfg.channels, cfg.principals);
  engine::Engine engine(**store, clock, *zone, *current.calendar, eopts);
  watch::HubOptions hopts;
  hopts.queue_events = cfg.watch_queue_events;
  hopts.progress_interval = std::chrono::milliseconds(cfg.watch_progress_interval_ms);
  hopts.slow_timeout = std::chrono::milliseconds(cfg.watch_slow_timeout_ms);
  hopts.retention_count = cfg.watch_retention_count;
  hopts.retention_age = std::chrono::hours(cfg.watch_retention_hours);
  watch::Hub hub(**store, clock, hopts);
  remind::RemindOptions ropts;
  ropts.scheduler = rc.scheduler;
  ropts.max_attempts = static_cast<uint32_t>(rc.max_attempts);
  ropts.backoff_base = std::chrono::milliseconds(rc.backoff_base_ms);
  ropts.backoff_max = std::chrono::milliseconds(rc.backoff_max_ms);
  ropts.channels = remind::ToChannelConfigs(cfg.channels);
  ropts.on_delivery_attempt = [&metrics](std::string_view channel, std::string_view outcome) {
    metrics.DeliveryAttempt(channel, outcome);
  };
  remind::Scheduler scheduler(engine, clock, ropts);
  engine.AddScheduleListener([&scheduler](const engine::ScheduleHint& h) { scheduler.Hint(h); });
  engine.AddListener([&hub, &metrics](const engine::EventGroup& events) {
    hub.PublishAsync(events);
    for (const auto& e : *events) {
      for (const auto& r : e.reminders()) {
        std::string_view kind = v1::ReminderKind_Name(r.kind());
        metrics.ReminderFired(kind.substr(kind.find("KIND_") + 5));
      }
    }
  });
  if (Status st = engine.Start(); !st.ok()) {
    log->error("cannot start the engine: {}", st.message());
    return 1;
  }

  hub.Start(engine.committed_revision());
  scheduler.Start();

  // /metrics, /healthz, /readyz. collect runs on the scrape thread, one scrape at a time. The
  // census is made first so that it outlives the server whose scrapes call it.
  LightCensusRefresher census(engine, metrics);
  std::unique_ptr<http::Server> http_server;
  if (!cfg.http_listen.empty()) {
    census.Start();
    // The light census reads every open item, so it runs on its own idle-priority thread
    // (light_census.h): a scrape asks for one and shows the last one's counts.
    auto collect = [&]() {
      census.Request();
      metrics.SetRevision(engine.committed_revision());
      metrics.SetStore(engine.store().Stats());
      metrics.SetWatchers(hub.stream_count());
      metrics.SetWatcherMaxLag(hub.max_lag());
      if (auto info = engine.GetServerInfo(); info.ok()) {
        for (const auto& sc : info->items_by_state()) {
          metrics.SetItemsByState(domain::StateName(sc.state()), sc.count());
        }
        metrics.SetRemindersByState("PENDING", info->outbox_pending());
        double oldest = 0;
        auto pending = engine.store().View()->PendingDeliveries(INT64_MAX, 1000);
        if (pending.ok() && !pending->empty()) {
          int64_t first = INT64_MAX;
          for (const auto& d : *pending) {
            first = std::min<int64_t>(first, d.created_at().seconds());
          }
          oldest = std::max<double>(
              0, std::chrono::duration<double>(clock.Now().time_since_epoch()).count() - first);
        }
        metrics.SetOutbox(info->outbox_pending(), oldest);
      }
    };
    http::Server::Options hopts_http;
    hopts_http.listen = cfg.http_listen;
    http_server = std::make_unique<http::Server>(hopts_http, metrics, collect,
                                                 [&ready] { return ready.load(); });
    if (Status st = http_server->Start(); !st.ok()) {
      log->error("cannot serve metrics on {}: {}", cfg.http_listen, st.message());
      scheduler.Stop();
      hub.Stop();
      engine.Stop();
      return 1;
    }
    log->info("metrics and health on http://{}:{}/metrics", 
              cfg.http_listen.substr(0, cfg.http_listen.rfind(':')), http_server->port());
  }
  rpc::ItemService items(engine, callers);
  rpc::WatchService watch_service(hub, callers, [&engine] { return engine.limits(); });
  rpc::AdminService admin(engine, callers, test_clock.get());
  rpc::ReminderService reminders(engine, callers);
  rpc::ReportService reports(engine, callers);
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort(cfg.listen, current.credentials, &port);
  builder.RegisterService(&items);
  builder.RegisterService(&admin);
  builder.RegisterService(&watch_service);
  builder.RegisterService(&reminders);
  builder.RegisterService(&reports);
  builder.SetMaxReceiveMessageSize(static_cast<int>(cfg.limits.max_request_bytes));
  auto server = builder.BuildAndStart();
  if (!server || port == 0) {
    log->error("cannot listen on {}", cfg.listen);
    scheduler.Stop();
    hub.Stop();
    engine.Stop();
    return 1;
  }
  std::string host = cfg.listen.substr(0, cfg.listen.rfind(':'));
  std::string bound = host + ":" + std::to_string(port);
  if (cfg.auth.mode == "none") {
    log->warn("AUTHENTICATION IS OFF: callers name themselves in x-rectify-actor and are "
              "believed{}; for anything but local use set [auth] mode = \"token\"",
              callers.open_mode() ? ", and with no principals configured every caller may do "
                                    "everything"
                                  : "");
  }
  log->info("transport tls={} client_certificates={} auth={} principals={}", cfg.tls.enabled(),
            cfg.tls.client_ca_file.empty() ? "off" : cfg.tls.client_cert, cfg.auth.mode,
            cfg.principals.size());
  log->info("rectifyd {} serving addr={} data_dir={} revision={} sync_wal={} time_zone={}",
            kRectifyVersion, bound, cfg.data_dir, engine.committed_revision(), cfg.sync_wal,
            cfg.time_zone);
  if (!flags.addr_file.empty()) {
    if (Status st = WriteFileAtomically(flags.addr_file, bound + "\n"); !st.ok()) {
      log->error("{}", st.message());
    }
  }
  server->GetHealthCheckService()->SetServingStatus(true);
  ready = true;
  // Under systemd (Type=notify) this is when the unit becomes active; elsewhere a no-op.
  sd_notifyf(0, "READY=1\nSTATUS=serving on %s, revision %llu", bound.c_str(),
             static_cast<unsigned long long>(engine.committed_revision()));

  int sig = 0;
  while (true) {
    sigwait(&sigs, &sig);
    if (sig != SIGHUP) break;
    log->info("signal=SIGHUP reloading the config");
    Reload(flags, current, callers, engine, scheduler);
    census.Invalidate();  // the calendar may have moved a light
  }
  log->info("signal={} shutting down", sig == SIGTERM ? "SIGTERM" : "SIGINT");
  sd_notify(0, "STOPPING=1");
  ready = false;
  if (http_server) http_server->Stop();
  census.Stop();
  server->GetHealthCheckService()->SetServingStatus(false);
  scheduler.Stop();  // finishes the delivery attempt in flight
  hub.Stop();  // watch streams end with UNAVAILABLE and the revision to resume from
  // Connected clients get a GOAWAY; calls still running after the grace period are cancelled.
  server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(5));
  engine.Stop();
  server->Wait();
  log->info("stopped revision={}", engine.committed_revision());
  return 0;
}

}  // namespace
}  // namespace rectify

namespace {
// Protobuf's own log lines (e.g. "invalid UTF-8 when parsing") go to the rpc logger at debug:
// the client already got INVALID_ARGUMENT, an operator need not see each one.
void ProtobufLog(google::protobuf::LogLevel level, const char* file, int line,
                 const std::string& message) {
  rectify::Logger("rpc")->debug("protobuf {}:{} {}", file, line, message);
}
}  // namespace

int main(int argc, char** argv) {
  // Debian builds Abseil without NDEBUG, which leaves absl::Mutex's deadlock detector on: every
  // lock gRPC takes is recorded in one process-wide graph behind one spin lock. A release build
  // of Abseil has it off. Measured with perf at 64 transitions in flight: 1.4% of the daemon's CPU.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  google::protobuf::SetLogHandler(&ProtobufLog);
  // Signals are taken by sigwait on the main thread: block them before any thread starts
  // (gRPC and RocksDB start threads of their own, some from static initialisers).
  sigset_t sigs;
  sigemptyset(&sigs);
  sigaddset(&sigs, SIGINT);
  sigaddset(&sigs, SIGTERM);
  sigaddset(&sigs, SIGHUP);  // reload the config
  pthread_sigmask(SIG_BLOCK, &sigs, nullptr);
  rectify::Flags flags;
  CLI::App app{"rectifyd: the rectification ledger daemon (整改台账)"};
  app.add_option("--config", flags.config_file, "config file (TOML)");
  app.add_option("--listen", flags.listen, "gRPC listen address (default 127.0.0.1:50051; port 0 "
                                           "picks a free port)");
  app.add_option("--data-dir", flags.data_dir, "RocksDB data directory (default ./data)");
  app.add_option("--addr-file", flags.addr_file, "write the bound address to this file");
  app.add_option("--log-level", flags.log_level, "trace|debug|info|warn|error");
  app.add_option("--http-listen", flags.http_listen,
                 "serve /metrics, /healthz, /readyz on this address (default: [http] listen; "
                 "off when empty)");
  app.add_flag("--check-config", flags.check_config, "validate the config and exit");
  app.add_option("--check", flags.check_dir,
                 "check the ledger in DIR (a stopped daemon's data dir or a backup) read-only: "
                 "one line per inconsistency, exit 0 when clean, 1 when not");
  app.add_option("--verify-audit", flags.verify_audit,
                 "recompute the audit chain of the ledger in DIR (read-only), print the result "
                 "and exit: 0 intact, 3 broken, 1 unreadable");
  app.add_option("--test-clock", flags.test_clock,
                 "TESTS ONLY: run on a manual clock starting at this RFC 3339 instant, moved "
                 "by AdminService.SetClock");
  app.set_version_flag("--version", kRectifyVersion);
  CLI11_PARSE(app, argc, argv);
  return rectify::Run(flags, sigs);
}

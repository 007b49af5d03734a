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
#include <systemd/sd-daemon.h>
#include <google/protobuf/stubs/logging.h>
#include <google/protobuf/util/time_util.h>
#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>

#include "common/clock.h"
#include "common/logging.h"
#include "config/config.h"
#include "domain/calendar.h"
#include "domain/dates.h"
#include "engine/engine.h"
#include "http/metrics.h"
#include "http/server.h"
#include "remind/scheduler.h"
#include "rpc/report_service.h"
#include "rpc/services.h"
#include "rpc/transport.h"
#include "rpc/watch_service.h"
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
  std::string test_clock;  // RFC 3339 start instant: run on a clock the tests move
  std::string http_listen;
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

int Run(const Flags& flags, sigset_t sigs) {
  auto log = Logger("app");
  config::Config cfg;
  if (!flags.config_file.empty()) {
    auto loaded = config::LoadConfig(flags.config_file);
    if (!loaded.ok()) {
      std::cerr << "rectifyd: " << loaded.status().message() << "\n";
      return 2;
    }
    cfg = std::move(loaded).value();
  }
  if (!flags.listen.empty()) cfg.listen = flags.listen;
  if (!flags.data_dir.empty()) cfg.data_dir = flags.data_dir;
  if (!flags.log_level.empty()) cfg.log_level = flags.log_level;
  if (!flags.http_listen.empty()) cfg.http_listen = flags.http_listen;

  auto zone = domain::LocateZone(cfg.time_zone);
  if (!zone.ok()) {
    std::cerr << "rectifyd: time_zone: " << zone.status().message() << "\n";
    return 2;
  }
  auto calendar = LoadCalendar(cfg);
  if (!calendar.ok()) {
    std::cerr << "rectifyd: calendar: " << calendar.status().message() << "\n";
    return 2;
  }
  const auto& rc = cfg.reminders;
  domain::ReminderRules rules;
  rules.hour = rc.hour;
  rules.before_working_days = rc.before;
  rules.deadline_day = rc.deadline_day;
  rules.overdue_daily = rc.overdue_daily;
  rules.supervision_after = rc.supervision_after;
  rules.admonition_after = rc.admonition_after;
  rules.stale_progress = rc.stale_progress;
  if (Status st = domain::ValidateReminderRules(rules); !st.ok()) {
    std::cerr << "rectifyd: reminders: " << st.message() << "\n";
    return 2;
  }
  if (Status st = rpc::CheckExposure(cfg); !st.ok()) {
    std::cerr << "rectifyd: " << st.message() << "\n";
    return 2;
  }
  auto credentials = rpc::ServerCredentialsFor(cfg);
  if (!credentials.ok()) {
    std::cerr << "rectifyd: " << credentials.status().message() << "\n";
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
  eopts.reminder_rules = rules;
  eopts.on_group_commit = [&metrics](size_t n, double s) { metrics.GroupCommitted(n, s); };
  eopts.on_commit_failed = [&metrics] { metrics.GroupCommitFailed(); };
  if (!cfg.channels.empty()) eopts.route = remind::MakeRouter(cfg.channels, cfg.principals);
  engine::Engine engine(**store, clock, *zone, std::move(calendar).value(), eopts);
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
  engine.AddListener([&hub, &scheduler, &metrics](const std::vector<v1::Event>& events) {
    hub.PublishAsync(events);
    scheduler.Wake();
    for (const auto& e : events) {
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

  // /metrics, /healthz, /readyz. collect runs on the scrape thread, one scrape at a time.
  std::unique_ptr<http::Server> http_server;
  if (!cfg.http_listen.empty()) {
    auto collect = [&] {
      metrics.SetRevision(engine.committed_revision());
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
  rpc::WatchService watch_service(hub, callers);
  rpc::AdminService admin(engine, callers, test_clock.get());
  rpc::ReminderService reminders(engine, callers);
  rpc::ReportService reports(engine, callers);
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort(cfg.listen, *credentials, &port);
  builder.RegisterService(&items);
  builder.RegisterService(&admin);
  builder.RegisterService(&watch_service);
  builder.RegisterService(&reminders);
  builder.RegisterService(&reports);
  builder.SetMaxReceiveMessageSize(4 << 20);
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
  sigwait(&sigs, &sig);
  log->info("signal={} shutting down", sig == SIGTERM ? "SIGTERM" : "SIGINT");
  sd_notify(0, "STOPPING=1");
  ready = false;
  if (http_server) http_server->Stop();
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
  google::protobuf::SetLogHandler(&ProtobufLog);
  // Signals are taken by sigwait on the main thread: block them before any thread starts
  // (gRPC and RocksDB start threads of their own, some from static initialisers).
  sigset_t sigs;
  sigemptyset(&sigs);
  sigaddset(&sigs, SIGINT);
  sigaddset(&sigs, SIGTERM);
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
  app.add_option("--test-clock", flags.test_clock,
                 "TESTS ONLY: run on a manual clock starting at this RFC 3339 instant, moved "
                 "by AdminService.SetClock");
  app.set_version_flag("--version", kRectifyVersion);
  CLI11_PARSE(app, argc, argv);
  return rectify::Run(flags, sigs);
}

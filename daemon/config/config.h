#pragma once

// The config file (TOML) -> a validated Config, once. Unknown keys and bad values are refused
// with the key, the line and the reason. Read at start-up (and on SIGHUP, later) by app/.

#include <chrono>
#include <string>
#include <vector>

#include "common/status.h"

namespace rectify::config {

struct Principal {
  std::string name;
  bool supervisor = false;
  bool admin = false;
  bool auditor = false;
  bool scheduler = false;
  std::vector<std::string> units;
  std::vector<std::string> token_hashes;   // "sha256:salt:digest" (rectifyctl admin hash-token)
  std::vector<std::string> cert_subjects;  // client certificate subjects ("CN=ops,O=..." or "CN=ops")
  std::string email;   // for the email channel
  std::string mobile;  // for @-mentions in group robots
};

// A delivery channel ([[channel]]). Secrets stay here and in notify/, never in logs.
struct Channel {
  std::string name;
  std::string type;  // webhook | wecom | dingtalk | feishu | email
  std::string url;
  std::string secret;
  std::string username, password, from;
  bool starttls = false;
  uint64_t timeout_ms = 5000;
  std::vector<std::string> units;  // only items of these units (empty = all)
};

struct Reminders {
  int hour = 9;
  std::vector<int> before = {5, 1};
  bool deadline_day = true;
  bool overdue_daily = true;
  int supervision_after = 5;
  int admonition_after = 10;
  int stale_progress = 10;
  bool scheduler = true;          // the daemon's own scheduler (runs can still come from outside)
  uint64_t max_attempts = 12;     // then a delivery is dead
  uint64_t backoff_base_ms = 1000;
  uint64_t backoff_max_ms = 600000;
};

// [auth]: how callers prove who they are.
struct Auth {
  // "none": callers name themselves (x-rectify-actor), for local use; "token": every call
  // carries `authorization: Bearer <token>` or a client certificate that maps to a principal.
  std::string mode = "none";
  // With mode "none" the gRPC port stays on loopback unless the operator says this.
  bool allow_remote_unauthenticated = false;
};

// [tls]: TLS on the gRPC port, and optionally client certificates (mutual TLS).
struct Tls {
  std::string cert_file;       // server certificate chain (PEM); with key_file turns TLS on
  std::string key_file;
  std::string client_ca_file;  // verify client certificates against this CA bundle
  std::string client_cert = "require";  // with client_ca_file: "request" or "require"
  bool enabled() const { return !cert_file.empty(); }
};

// [limits]: what one request may carry. Strings count characters (code points). The defaults
// match domain::Limits; rpc/limits.cc turns these into it.
struct Limits {
  uint64_t max_request_bytes = 4 << 20;  // gRPC max receive message size: RESOURCE_EXHAUSTED
  uint64_t max_title_chars = 200;
  uint64_t max_description_chars = 4000;
  uint64_t max_name_chars = 64;
  uint64_t max_text_chars = 2000;
  uint64_t max_ref_chars = 200;
  uint64_t max_request_id_chars = 128;
  uint64_t max_measures = 50;
  uint64_t max_evidence = 50;
  uint64_t max_co_units = 50;
  uint64_t max_page_size = 1000;
  uint64_t max_filter_values = 1000;
};

struct Config {
  std::string listen = "127.0.0.1:50051";
  Auth auth;                            // [auth]
  Tls tls;                              // [tls]
  bool closer_not_endorser = true;      // [policy]
  double rate_per_second = 0;           // [rate_limit] per principal; 0 = unlimited
  uint64_t rate_burst = 0;              // 0 = one second's worth (at least 1)
  std::string http_listen;              // [http] listen: /metrics, /healthz, /readyz ("" = off)
  std::string data_dir = "./data";
  std::string time_zone = "Asia/Shanghai";
  bool sync_wal = true;                 // [durability] sync
  size_t block_cache_mb = 64;           // [storage]
  size_t write_buffer_mb = 16;
  // Compaction threads' CPU priority: "idle" (SCHED_IDLE: they run when nothing else wants the
  // CPU) or "normal". Flushes always run at normal priority.
  std::string compaction_cpu_priority = "idle";
  // [engine] max_pending: mutations queued for the writer beyond this are refused with
  // RESOURCE_EXHAUSTED (overload sheds load instead of growing memory and latency).
  size_t engine_max_pending = 10000;
  std::string log_level = "info";       // [log]
  std::string log_format = "text";      // text | json
  std::string log_file;                 // "" = stderr (the journal under systemd)
  uint64_t log_max_size_mb = 0;         // rotate at this size; 0 = never
  uint64_t log_max_files = 5;           // rotated files kept
  std::vector<Principal> principals;    // [[principal]]
  std::vector<std::string> calendar_files;  // [calendar] files: add or replace years
  Reminders reminders;                  // [reminders]
  std::vector<Channel> channels;        // [[channel]]
  // [watch]
  size_t watch_queue_events = 1024;
  uint64_t watch_progress_interval_ms = 5000;
  uint64_t watch_slow_timeout_ms = 60000;
  uint64_t watch_retention_count = 1000000;   // 0 = no count limit
  uint64_t watch_retention_hours = 24 * 7;     // 0 = no age limit
  Limits limits;                        // [limits]
  std::string source;                   // the file it came from ("" = built-in defaults)
};

// Parses and validates config text. `source` names it in errors ("rectifyd.toml:12:3: ...").
Result<Config> ParseConfig(std::string_view text, std::string_view source);
// Reads and parses a file.
Result<Config> LoadConfig(const std::string& path);

}  // namespace rectify::config

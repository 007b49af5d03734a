#include "config/config.h"

#include <cmath>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>

#include <toml++/toml.h>

#include "common/token.h"

namespace rectify::config {
namespace {

std::string Where(std::string_view source, const toml::source_region& r) {
  return std::string(source) + ":" + std::to_string(r.begin.line) + ":" +
         std::to_string(r.begin.column);
}

Status Bad(std::string_view source, const toml::node& node, const std::string& key,
           const std::string& why) {
  return InvalidArgument(Where(source, node.source()) + ": " + key + ": " + why);
}

// Refuses keys a table does not know: a typo must not silently keep a default.
Status CheckKeys(std::string_view source, const toml::table& t, const std::string& path,
                 const std::set<std::string>& known) {
  for (const auto& [k, v] : t) {
    if (!known.count(std::string(k.str()))) {
      std::string full = path.empty() ? std::string(k.str()) : path + "." + std::string(k.str());
      return InvalidArgument(Where(source, k.source()) + ": " + full + ": unknown key");
    }
  }
  return Status::Ok();
}

template <typename T>
Status Get(std::string_view source, const toml::table& t, const std::string& path,
           const char* key, T& out) {
  const toml::node* n = t.get(key);
  if (n == nullptr) return Status::Ok();
  std::string full = path.empty() ? key : path + "." + key;
  if constexpr (std::is_same_v<T, std::string>) {
    auto v = n->value<std::string>();
    if (!v) return Bad(source, *n, full, "must be a string");
    out = *v;
  } else if constexpr (std::is_same_v<T, bool>) {
    auto v = n->value<bool>();
    if (!v || !n->is_boolean()) return Bad(source, *n, full, "must be true or false");
    out = *v;
  } else {
    if (!n->is_integer()) return Bad(source, *n, full, "must be an integer");
    auto v = n->value<int64_t>();
    if (*v < 0) return Bad(source, *n, full, "must not be negative");
    if (static_cast<uint64_t>(*v) > static_cast<uint64_t>(std::numeric_limits<T>::max())) {
      return Bad(source, *n, full, "is too large");
    }
    out = static_cast<T>(*v);
  }
  return Status::Ok();
}

Status GetStrings(std::string_view source, const toml::table& t, const std::string& path,
                  const char* key, std::vector<std::string>& out) {
  const toml::node* n = t.get(key);
  if (n == nullptr) return Status::Ok();
  std::string full = path.empty() ? key : path + "." + key;
  const toml::array* arr = n->as_array();
  if (arr == nullptr) return Bad(source, *n, full, "must be an array of strings");
  for (const auto& e : *arr) {
    auto v = e.value<std::string>();
    if (!v) return Bad(source, e, full, "must be an array of strings");
    out.push_back(*v);
  }
  return Status::Ok();
}

// [auth], [tls], [policy], [rate_limit], and what they require of the principals.
Status ParseSecurity(std::string_view source, const toml::table& root, Config& c) {
  if (const toml::node* n = root.get("auth")) {
    const toml::table* t = n->as_table();
    if (t == nullptr) return Bad(source, *n, "auth", "must be a table");
    RETURN_IF_ERROR(CheckKeys(source, *t, "auth", {"mode", "allow_remote_unauthenticated"}));
    RETURN_IF_ERROR(Get(source, *t, "auth", "mode", c.auth.mode));
    RETURN_IF_ERROR(Get(source, *t, "auth", "allow_remote_unauthenticated",
                        c.auth.allow_remote_unauthenticated));
    if (c.auth.mode != "none" && c.auth.mode != "token") {
      return Bad(source, *t->get("mode"), "auth.mode", "must be \"none\" or \"token\"");
    }
  }
  if (const toml::node* n = root.get("tls")) {
    const toml::table* t = n->as_table();
    if (t == nullptr) return Bad(source, *n, "tls", "must be a table");
    RETURN_IF_ERROR(CheckKeys(source, *t, "tls",
                              {"cert_file", "key_file", "client_ca_file", "client_cert"}));
    RETURN_IF_ERROR(Get(source, *t, "tls", "cert_file", c.tls.cert_file));
    RETURN_IF_ERROR(Get(source, *t, "tls", "key_file", c.tls.key_file));
    RETURN_IF_ERROR(Get(source, *t, "tls", "client_ca_file", c.tls.client_ca_file));
    RETURN_IF_ERROR(Get(source, *t, "tls", "client_cert", c.tls.client_cert));
    if (c.tls.cert_file.empty() != c.tls.key_file.empty()) {
      return Bad(source, *t, "tls", "cert_file and key_file go together");
    }
    if (!c.tls.client_ca_file.empty() && c.tls.cert_file.empty()) {
      return Bad(source, *t, "tls.client_ca_file", "needs cert_file and key_file (TLS on)");
    }
    if (c.tls.client_cert != "request" && c.tls.client_cert != "require") {
      return Bad(source, *t->get("client_cert"), "tls.client_cert",
                 "must be \"request\" or \"require\"");
    }
  }
  if (const toml::node* n = root.get("policy")) {
    const toml::table* t = n->as_table();
    if (t == nullptr) return Bad(source, *n, "policy", "must be a table");
    RETURN_IF_ERROR(CheckKeys(source, *t, "policy", {"closer_not_endorser"}));
    RETURN_IF_ERROR(Get(source, *t, "policy", "closer_not_endorser", c.closer_not_endorser));
  }
  if (const toml::node* n = root.get("rate_limit")) {
    const toml::table* t = n->as_table();
    if (t == nullptr) return Bad(source, *n, "rate_limit", "must be a table");
    RETURN_IF_ERROR(CheckKeys(source, *t, "rate_limit", {"requests_per_second", "burst"}));
    if (const toml::node* r = t->get("requests_per_second")) {
      auto v = r->value<double>();
      // TOML has nan and inf; `*v < 0` lets both through, and the token bucket then never
      // refuses anyone (found by tests/fuzz config_fuzzer's invariants).
      if (!v || !(r->is_integer() || r->is_floating_point()) || !std::isfinite(*v) || *v < 0) {
        return Bad(source, *r, "rate_limit.requests_per_second", "must be a finite number >= 0");
      }
      c.rate_per_second = *v;
    }
    RETURN_IF_ERROR(Get(source, *t, "rate_limit", "burst", c.rate_burst));
  }
  if (c.auth.mode == "token") {
    if (c.principals.empty()) {
      return Bad(source, *root.get("auth"), "auth.mode",
                 "\"token\" needs at least one [[principal]] with token_hashes or "
                 "cert_subjects");
    }
  }
  return Status::Ok();
}

}  // namespace

Result<Config> ParseConfig(std::string_view text, std::string_view source) {
  toml::table root;
  try {
    root = toml::parse(text, source);
  } catch (const toml::parse_error& e) {
    return InvalidArgument(Where(source, e.source()) + ": " + std::string(e.description()));
  }
  Config c;
  c.source = std::string(source);
  RETURN_IF_ERROR(CheckKeys(source, root, "",
                            {"listen", "data_dir", "time_zone", "durability", "storage", "log",
                             "principal", "calendar", "reminders", "watch", "channel", "http",
                             "auth", "tls", "policy", "rate_limit", "limits",
                             "engine"}));
  RETURN_IF_ERROR(Get(source, root, "", "listen", c.listen));
  RETURN_IF_ERROR(Get(source, root, "", "data_dir", c.data_dir));
  RETURN_IF_ERROR(Get(source, root, "", "time_zone", c.time_zone));

  auto table = [&](const char* key, const toml::table*& out) -> Status {
    out = nullptr;
    const toml::node* n = root.get(key);
    if (n == nullptr) return Status::Ok();
    out = n->as_table();
    if (out == nullptr) return Bad(source, *n, key, "must be a table");
    return Status::Ok();
  };
  const toml::table* t = nullptr;
  RETURN_IF_ERROR(table("durability", t));
  if (t) {
    RETURN_IF_ERROR(CheckKeys(source, *t, "durability", {"sync"}));
    RETURN_IF_ERROR(Get(source, *t, "durability", "sync", c.sync_wal));
  }
  RETURN_IF_ERROR(table("storage", t));
  if (t) {
    RETURN_IF_ERROR(CheckKeys(source, *t, "storage",
                              {"block_cache_mb", "write_buffer_mb", "compaction_cpu_priority"}));
    RETURN_IF_ERROR(Get(source, *t, "storage", "block_cache_mb", c.block_cache_mb));
    RETURN_IF_ERROR(Get(source, *t, "storage", "write_buffer_mb", c.write_buffer_mb));
    if (c.write_buffer_mb == 0) {
      return Bad(source, *t->get("write_buffer_mb"), "storage.write_buffer_mb", "must be > 0");
    }
    RETURN_IF_ERROR(
        Get(source, *t, "storage", "compaction_cpu_priority", c.compaction_cpu_priority));
    if (c.compaction_cpu_priority != "idle" && c.compaction_cpu_priority != "normal") {
      return Bad(source, *t->get("compaction_cpu_priority"), "storage.compaction_cpu_priority",
                 "must be \"idle\" or \"normal\"");
    }
  }
  RETURN_IF_ERROR(table("engine", t));
  if (t) {
    RETURN_IF_ERROR(CheckKeys(source, *t, "engine", {"max_pending"}));
    RETURN_IF_ERROR(Get(source, *t, "engine", "max_pending", c.engine_max_pending));
    if (c.engine_max_pending == 0) {
      return Bad(source, *t->get("max_pending"), "engine.max_pending", "must be > 0");
    }
  }
  RETURN_IF_ERROR(table("log", t));
  if (t) {
    RETURN_IF_ERROR(
        CheckKeys(source, *t, "log", {"level", "format", "file", "max_size_mb", "max_files"}));
    RETURN_IF_ERROR(Get(source, *t, "log", "file", c.log_file));
    RETURN_IF_ERROR(Get(source, *t, "log", "max_size_mb", c.log_max_size_mb));
    RETURN_IF_ERROR(Get(source, *t, "log", "max_files", c.log_max_files));
    if (c.log_max_files == 0) return Bad(source, *t->get("max_files"), "log.max_files", "must be > 0");
    RETURN_IF_ERROR(Get(source, *t, "log", "level", c.log_level));
    RETURN_IF_ERROR(Get(source, *t, "log", "format", c.log_format));
    static const std::set<std::string> kLevels = {"trace", "debug", "info", "warn",
                                                  "error", "critical", "off"};
    if (!kLevels.count(c.log_level)) {
      return Bad(source, *t->get("level"), "log.level",
                 "must be one of trace, debug, info, warn, error, critical, off");
    }
    if (c.log_format != "text" && c.log_format != "json") {
      return Bad(source, *t->get("format"), "log.format", "must be \"text\" or \"json\"");
    }
  }
  RETURN_IF_ERROR(table("calendar", t));
  if (t) {
    RETURN_IF_ERROR(CheckKeys(source, *t, "calendar", {"files"}));
    RETURN_IF_ERROR(GetStrings(source, *t, "calendar", "files", c.calendar_files));
  }
  RETURN_IF_ERROR(table("reminders", t));
  if (t) {
    auto& r = c.reminders;
    RETURN_IF_ERROR(CheckKeys(source, *t, "reminders",
                              {"hour", "before", "deadline_day", "overdue_daily",
                               "supervision_after", "admonition_after", "stale_progress",
                               "scheduler", "max_attempts", "backoff_base_ms", "backoff_max_ms"}));
    RETURN_IF_ERROR(Get(source, *t, "reminders", "hour", r.hour));
    if (r.hour > 23) {
      return Bad(source, *t->get("hour"), "reminders.hour", "must be between 0 and 23");
    }
    if (const toml::node* n = t->get("before")) {
      const toml::array* arr = n->as_array();
      if (arr == nullptr) return Bad(source, *n, "reminders.before", "must be an array of integers");
      r.before.clear();
      for (const auto& e : *arr) {
        auto v = e.value<int64_t>();
        if (!v || !e.is_integer() || *v < 1 || *v > 60) {
          return Bad(source, e, "reminders.before", "each must be an integer from 1 to 60");
        }
        r.before.push_back(static_cast<int>(*v));
      }
    }
    RETURN_IF_ERROR(Get(source, *t, "reminders", "deadline_day", r.deadline_day));
    RETURN_IF_ERROR(Get(source, *t, "reminders", "overdue_daily", r.overdue_daily));
    RETURN_IF_ERROR(Get(source, *t, "reminders", "supervision_after", r.supervision_after));
    RETURN_IF_ERROR(Get(source, *t, "reminders", "admonition_after", r.admonition_after));
    RETURN_IF_ERROR(Get(source, *t, "reminders", "stale_progress", r.stale_progress));
    RETURN_IF_ERROR(Get(source, *t, "reminders", "scheduler", r.scheduler));
    RETURN_IF_ERROR(Get(source, *t, "reminders", "max_attempts", r.max_attempts));
    RETURN_IF_ERROR(Get(source, *t, "reminders", "backoff_base_ms", r.backoff_base_ms));
    RETURN_IF_ERROR(Get(source, *t, "reminders", "backoff_max_ms", r.backoff_max_ms));
    if (r.admonition_after <= r.supervision_after) {
      return Bad(source, *t, "reminders.admonition_after",
                 "must be greater than reminders.supervision_after");
    }
    if (r.max_attempts == 0) return Bad(source, *t, "reminders.max_attempts", "must be > 0");
  }
  if (const toml::node* n = root.get("channel")) {
    const toml::array* arr = n->as_array();
    if (arr == nullptr) return Bad(source, *n, "channel", "must be an array of tables ([[channel]])");
    std::set<std::string> names;
    for (const auto& e : *arr) {
      const toml::table* ch = e.as_table();
      if (ch == nullptr) return Bad(source, e, "channel", "must be a table");
      RETURN_IF_ERROR(CheckKeys(source, *ch, "channel",
                                {"name", "type", "url", "secret", "username", "password", "from",
                                 "starttls", "timeout_ms", "units"}));
      Channel out;
      RETURN_IF_ERROR(Get(source, *ch, "channel", "name", out.name));
      RETURN_IF_ERROR(Get(source, *ch, "channel", "type", out.type));
      RETURN_IF_ERROR(Get(source, *ch, "channel", "url", out.url));
      RETURN_IF_ERROR(Get(source, *ch, "channel", "secret", out.secret));
      RETURN_IF_ERROR(Get(source, *ch, "channel", "username", out.username));
      RETURN_IF_ERROR(Get(source, *ch, "channel", "password", out.password));
      RETURN_IF_ERROR(Get(source, *ch, "channel", "from", out.from));
      RETURN_IF_ERROR(Get(source, *ch, "channel", "starttls", out.starttls));
      RETURN_IF_ERROR(Get(source, *ch, "channel", "timeout_ms", out.timeout_ms));
      RETURN_IF_ERROR(GetStrings(source, *ch, "channel", "units", out.units));
      if (out.name.empty()) return Bad(source, e, "channel.name", "is required");
      if (!names.insert(out.name).second) {
        return Bad(source, e, "channel.name", "\"" + out.name + "\" is listed twice");
      }
      static const std::set<std::string> kTypes = {"webhook", "wecom", "dingtalk", "feishu",
                                                   "email"};
      if (!kTypes.count(out.type)) {
        return Bad(source, e, "channel.type",
                   "must be one of webhook, wecom, dingtalk, feishu, email");
      }
      if (out.url.empty()) return Bad(source, e, "channel.url", "is required");
      if (out.type == "email" && out.from.empty()) {
        return Bad(source, e, "channel.from", "is required for an email channel");
      }
      if (out.timeout_ms == 0) return Bad(source, e, "channel.timeout_ms", "must be > 0");
      c.channels.push_back(std::move(out));
    }
  }
  RETURN_IF_ERROR(table("http", t));
  if (t) {
    RETURN_IF_ERROR(CheckKeys(source, *t, "http", {"listen"}));
    RETURN_IF_ERROR(Get(source, *t, "http", "listen", c.http_listen));
  }
  RETURN_IF_ERROR(table("watch", t));
  if (t) {
    RETURN_IF_ERROR(CheckKeys(source, *t, "watch",
                              {"queue_events", "progress_interval_ms", "slow_timeout_ms",
                               "retention_count", "retention_hours"}));
    RETURN_IF_ERROR(Get(source, *t, "watch", "queue_events", c.watch_queue_events));
    RETURN_IF_ERROR(Get(source, *t, "watch", "progress_interval_ms",
                        c.watch_progress_interval_ms));
    RETURN_IF_ERROR(Get(source, *t, "watch", "slow_timeout_ms", c.watch_slow_timeout_ms));
    RETURN_IF_ERROR(Get(source, *t, "watch", "retention_count", c.watch_retention_count));
    RETURN_IF_ERROR(Get(source, *t, "watch", "retention_hours", c.watch_retention_hours));
    if (c.watch_queue_events == 0) {
      return Bad(source, *t->get("queue_events"), "watch.queue_events", "must be > 0");
    }
    if (c.watch_progress_interval_ms < 10) {
      return Bad(source, *t, "watch.progress_interval_ms", "must be at least 10");
    }
  }
  RETURN_IF_ERROR(table("limits", t));
  if (t) {
    auto& l = c.limits;
    const std::vector<std::pair<const char*, uint64_t*>> keys = {
        {"max_request_bytes", &l.max_request_bytes},
        {"max_title_chars", &l.max_title_chars},
        {"max_description_chars", &l.max_description_chars},
        {"max_name_chars", &l.max_name_chars},
        {"max_text_chars", &l.max_text_chars},
        {"max_ref_chars", &l.max_ref_chars},
        {"max_request_id_chars", &l.max_request_id_chars},
        {"max_measures", &l.max_measures},
        {"max_evidence", &l.max_evidence},
        {"max_co_units", &l.max_co_units},
        {"max_page_size", &l.max_page_size},
        {"max_filter_values", &l.max_filter_values},
    };
    RETURN_IF_ERROR(CheckKeys(source, *t, "limits",
                              {"max_request_bytes", "max_title_chars", "max_description_chars",
                               "max_name_chars", "max_text_chars", "max_ref_chars",
                               "max_request_id_chars", "max_measures", "max_evidence",
                               "max_co_units", "max_page_size", "max_filter_values"}));
    for (const auto& [k, p] : keys) {
      RETURN_IF_ERROR(Get(source, *t, "limits", k, *p));
      if (t->get(k) != nullptr && *p == 0) {
        return Bad(source, *t->get(k), std::string("limits.") + k, "must be > 0");
      }
    }
    // Below a few KB no ordinary request fits; gRPC takes the size as an int.
    if (l.max_request_bytes < 4096 ||
        l.max_request_bytes > static_cast<uint64_t>(std::numeric_limits<int>::max())) {
      return Bad(source, *t, "limits.max_request_bytes",
                 "must be between 4096 and " + std::to_string(std::numeric_limits<int>::max()));
    }
  }
  if (const toml::node* n = root.get("principal")) {
    const toml::array* arr = n->as_array();
    if (arr == nullptr) return Bad(source, *n, "principal", "must be an array of tables "
                                                            "([[principal]])");
    std::set<std::string> names;
    for (const auto& e : *arr) {
      const toml::table* p = e.as_table();
      if (p == nullptr) return Bad(source, e, "principal", "must be a table");
      RETURN_IF_ERROR(CheckKeys(source, *p, "principal",
                                {"name", "roles", "units", "email", "mobile", "token_hashes",
                                 "cert_subjects"}));
      Principal pr;
      RETURN_IF_ERROR(Get(source, *p, "principal", "name", pr.name));
      if (pr.name.empty()) return Bad(source, e, "principal.name", "is required");
      if (!names.insert(pr.name).second) {
        return Bad(source, e, "principal.name", "\"" + pr.name + "\" is listed twice");
      }
      std::vector<std::string> roles;
      RETURN_IF_ERROR(GetStrings(source, *p, "principal", "roles", roles));
      for (const auto& r : roles) {
        if (r == "member") continue;  // every principal is one
        if (r == "supervisor") pr.supervisor = true;
        else if (r == "admin") pr.admin = true;
        else if (r == "auditor") pr.auditor = true;
        else if (r == "scheduler") pr.scheduler = true;
        else return Bad(source, *p->get("roles"), "principal.roles",
                        "unknown role \"" + r +
                            "\" (known: member, supervisor, auditor, admin, scheduler)");
      }
      RETURN_IF_ERROR(GetStrings(source, *p, "principal", "token_hashes", pr.token_hashes));
      for (const auto& h : pr.token_hashes) {
        if (auto parsed = ParseTokenHash(h); !parsed.ok()) {
          return Bad(source, *p->get("token_hashes"), "principal.token_hashes",
                     parsed.status().message());
        }
      }
      RETURN_IF_ERROR(GetStrings(source, *p, "principal", "cert_subjects", pr.cert_subjects));
      RETURN_IF_ERROR(GetStrings(source, *p, "principal", "units", pr.units));
      RETURN_IF_ERROR(Get(source, *p, "principal", "email", pr.email));
      RETURN_IF_ERROR(Get(source, *p, "principal", "mobile", pr.mobile));
      c.principals.push_back(std::move(pr));
    }
  }
  RETURN_IF_ERROR(ParseSecurity(source, root, c));
  return c;
}

Result<Config> LoadConfig(const std::string& path) {
  std::ifstream in(path);
  if (!in) return InvalidArgument("cannot read config file " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ParseConfig(ss.str(), path);
}

}  // namespace rectify::config

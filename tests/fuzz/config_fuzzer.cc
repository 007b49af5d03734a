// Fuzz target: the config file (config::ParseConfig, what rectifyd runs on --config and on
// SIGHUP). The bytes are the file's text.
//
// Invariants:
//   - a refusal is INVALID_ARGUMENT and names where ("fuzz.toml:LINE:COLUMN: ...");
//   - a config that loads holds values the daemon can use: the limits are > 0, the request size
//     fits gRPC's int, the reminder hour is 0-23, admonition comes after supervision, the rate
//     limit is a finite number >= 0, channel and principal names are unique;
//   - its key facts round-trip: every field written back out as TOML parses again to the same
//     Config (so what --check-config accepted is what the daemon runs with).

#include <bit>
#include <cmath>
#include <set>
#include <sstream>

#include <toml++/toml.h>

#include "config/config.h"
#include "fuzz_check.h"

namespace {

using namespace rectify;
using config::Config;

toml::array Strings(const std::vector<std::string>& v) {
  toml::array a;
  for (const auto& s : v) a.push_back(s);
  return a;
}

int64_t I(uint64_t v) { return static_cast<int64_t>(v); }

// Every field of `c` as a config file.
std::string Emit(const Config& c) {
  toml::table root;
  root.insert("listen", c.listen);
  root.insert("data_dir", c.data_dir);
  root.insert("time_zone", c.time_zone);
  root.insert("auth", toml::table{{"mode", c.auth.mode},
                                  {"allow_remote_unauthenticated",
                                   c.auth.allow_remote_unauthenticated}});
  root.insert("tls", toml::table{{"cert_file", c.tls.cert_file},
                                 {"key_file", c.tls.key_file},
                                 {"client_ca_file", c.tls.client_ca_file},
                                 {"client_cert", c.tls.client_cert}});
  root.insert("policy", toml::table{{"closer_not_endorser", c.closer_not_endorser}});
  root.insert("rate_limit", toml::table{{"requests_per_second", c.rate_per_second},
                                        {"burst", I(c.rate_burst)}});
  root.insert("http", toml::table{{"listen", c.http_listen}});
  root.insert("durability", toml::table{{"sync", c.sync_wal}});
  root.insert("storage", toml::table{{"block_cache_mb", I(c.block_cache_mb)},
                                     {"write_buffer_mb", I(c.write_buffer_mb)}});
  root.insert("engine", toml::table{{"max_pending", I(c.engine_max_pending)}});
  root.insert("log", toml::table{{"level", c.log_level},
                                 {"format", c.log_format},
                                 {"file", c.log_file},
                                 {"max_size_mb", I(c.log_max_size_mb)},
                                 {"max_files", I(c.log_max_files)}});
  root.insert("calendar", toml::table{{"files", Strings(c.calendar_files)}});
  const auto& r = c.reminders;
  toml::array before;
  for (int b : r.before) before.push_back(b);
  root.insert("reminders", toml::table{{"hour", r.hour},
                                       {"before", std::move(before)},
                                       {"deadline_day", r.deadline_day},
                                       {"overdue_daily", r.overdue_daily},
                                       {"supervision_after", r.supervision_after},
                                       {"admonition_after", r.admonition_after},
                                       {"stale_progress", r.stale_progress},
                                       {"scheduler", r.scheduler},
                                       {"max_attempts", I(r.max_attempts)},
                                       {"backoff_base_ms", I(r.backoff_base_ms)},
                                       {"backoff_max_ms", I(r.backoff_max_ms)}});
  root.insert("watch", toml::table{{"queue_events", I(c.watch_queue_events)},
                                   {"progress_interval_ms", I(c.watch_progress_interval_ms)},
                                   {"slow_timeout_ms", I(c.watch_slow_timeout_ms)},
                                   {"retention_count", I(c.watch_retention_count)},
                                   {"retention_hours", I(c.watch_retention_hours)}});
  const auto& l = c.limits;
  root.insert("limits", toml::table{{"max_request_bytes", I(l.max_request_bytes)},
                                    {"max_title_chars", I(l.max_title_chars)},
                                    {"max_description_chars", I(l.max_description_chars)},
                                    {"max_name_chars", I(l.max_name_chars)},
                                    {"max_text_chars", I(l.max_text_chars)},
                                    {"max_ref_chars", I(l.max_ref_chars)},
                                    {"max_request_id_chars", I(l.max_request_id_chars)},
                                    {"max_measures", I(l.max_measures)},
                                    {"max_evidence", I(l.max_evidence)},
                                    {"max_co_units", I(l.max_co_units)},
                                    {"max_page_size", I(l.max_page_size)},
                                    {"max_filter_values", I(l.max_filter_values)}});
  toml::array principals;
  for (const auto& p : c.principals) {
    std::vector<std::string> roles = {"member"};
    if (p.supervisor) roles.push_back("supervisor");
    if (p.admin) roles.push_back("admin");
    if (p.auditor) roles.push_back("auditor");
    if (p.scheduler) roles.push_back("scheduler");
    principals.push_back(toml::table{{"name", p.name},
                                     {"roles", Strings(roles)},
                                     {"units", Strings(p.units)},
                                     {"token_hashes", Strings(p.token_hashes)},
                                     {"cert_subjects", Strings(p.cert_subjects)},
                                     {"email", p.email},
                                     {"mobile", p.mobile}});
  }
  if (!principals.empty()) root.insert("principal", std::move(principals));
  toml::array channels;
  for (const auto& ch : c.channels) {
    channels.push_back(toml::table{{"name", ch.name},
                                   {"type", ch.type},
                                   {"url", ch.url},
                                   {"secret", ch.secret},
                                   {"username", ch.username},
                                   {"password", ch.password},
                                   {"from", ch.from},
                                   {"starttls", ch.starttls},
                                   {"timeout_ms", I(ch.timeout_ms)},
                                   {"units", Strings(ch.units)}});
  }
  if (!channels.empty()) root.insert("channel", std::move(channels));
  std::ostringstream os;
  os << root;
  return os.str();
}

// Every field but `source`, as text: equal facts <=> equal strings.
std::string Facts(const Config& c) {
  std::ostringstream o;
  auto list = [&](const std::vector<std::string>& v) {
    o << '[';
    for (const auto& s : v) o << s.size() << ':' << s << ',';
    o << ']';
  };
  o << c.listen << '|' << c.data_dir << '|' << c.time_zone << '|' << c.auth.mode
    << c.auth.allow_remote_unauthenticated << '|' << c.tls.cert_file << '|' << c.tls.key_file
    << '|' << c.tls.client_ca_file << '|' << c.tls.client_cert << '|' << c.closer_not_endorser
    << '|' << std::bit_cast<uint64_t>(c.rate_per_second) << '|' << c.rate_burst << '|' << c.http_listen << '|'
    << c.sync_wal << '|' << c.block_cache_mb << '|' << c.write_buffer_mb << '|'
    << c.engine_max_pending << '|' << c.log_level << c.log_format << c.log_file
    << c.log_max_size_mb << ',' << c.log_max_files << '|';
  list(c.calendar_files);
  const auto& r = c.reminders;
  o << '|' << r.hour << ':';
  for (int b : r.before) o << b << ',';
  o << r.deadline_day << r.overdue_daily << r.supervision_after << ',' << r.admonition_after
    << ',' << r.stale_progress << r.scheduler << r.max_attempts << ',' << r.backoff_base_ms
    << ',' << r.backoff_max_ms << '|' << c.watch_queue_events << ','
    << c.watch_progress_interval_ms << ',' << c.watch_slow_timeout_ms << ','
    << c.watch_retention_count << ',' << c.watch_retention_hours << '|';
  const auto& l = c.limits;
  for (uint64_t v : {l.max_request_bytes, l.max_title_chars, l.max_description_chars,
                     l.max_name_chars, l.max_text_chars, l.max_ref_chars, l.max_request_id_chars,
                     l.max_measures, l.max_evidence, l.max_co_units, l.max_page_size,
                     l.max_filter_values}) {
    o << v << ',';
  }
  for (const auto& p : c.principals) {
    o << "|P" << p.name << p.supervisor << p.admin << p.auditor << p.scheduler;
    list(p.units);
    list(p.token_hashes);
    list(p.cert_subjects);
    o << p.email << '/' << p.mobile;
  }
  for (const auto& ch : c.channels) {
    o << "|C" << ch.name << '/' << ch.type << '/' << ch.url << '/' << ch.secret << '/'
      << ch.username << '/' << ch.password << '/' << ch.from << ch.starttls << ch.timeout_ms;
    list(ch.units);
  }
  return o.str();
}

void CheckUsable(const Config& c) {
  const auto& l = c.limits;
  for (uint64_t v : {l.max_title_chars, l.max_description_chars, l.max_name_chars,
                     l.max_text_chars, l.max_ref_chars, l.max_request_id_chars, l.max_measures,
                     l.max_evidence, l.max_co_units, l.max_page_size, l.max_filter_values}) {
    FUZZ_CHECK(v > 0, "a loaded config has a zero limit");
  }
  FUZZ_CHECK(l.max_request_bytes >= 4096 && l.max_request_bytes <= 2147483647u,
             "max_request_bytes out of gRPC's range");
  const auto& r = c.reminders;
  FUZZ_CHECK(r.hour >= 0 && r.hour <= 23, "reminders.hour out of 0-23");
  FUZZ_CHECK(r.admonition_after > r.supervision_after, "admonition not after supervision");
  FUZZ_CHECK(r.max_attempts > 0, "reminders.max_attempts is 0");
  for (int b : r.before) FUZZ_CHECK(b >= 1 && b <= 60, "reminders.before out of 1-60");
  FUZZ_CHECK(std::isfinite(c.rate_per_second) && c.rate_per_second >= 0,
             "rate_limit.requests_per_second is not a finite number >= 0: " +
                 std::to_string(c.rate_per_second));
  FUZZ_CHECK(c.watch_queue_events > 0 && c.watch_progress_interval_ms >= 10,
             "watch settings out of range");
  FUZZ_CHECK(c.write_buffer_mb > 0 && c.engine_max_pending > 0 && c.log_max_files > 0,
             "a size that must be > 0 is 0");
  FUZZ_CHECK(c.auth.mode == "none" || c.auth.mode == "token", "unknown auth.mode");
  FUZZ_CHECK(c.auth.mode == "none" || !c.principals.empty(), "token mode without principals");
  std::set<std::string> names;
  for (const auto& p : c.principals) {
    FUZZ_CHECK(!p.name.empty() && names.insert(p.name).second, "principal names not unique");
  }
  names.clear();
  for (const auto& ch : c.channels) {
    FUZZ_CHECK(!ch.name.empty() && names.insert(ch.name).second, "channel names not unique");
    FUZZ_CHECK(!ch.url.empty() && ch.timeout_ms > 0, "a channel without url or timeout");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto parsed = config::ParseConfig(text, "fuzz.toml");
  fuzz::Note(parsed.ok() ? "loaded" : "refused: " + parsed.status().message());
  if (!parsed.ok()) {
    FUZZ_CHECK(parsed.status().code() == Code::kInvalidArgument,
               "a bad config is not INVALID_ARGUMENT: " + parsed.status().message());
    FUZZ_CHECK(parsed.status().message().starts_with("fuzz.toml:"),
               "a refusal does not say where: " + parsed.status().message());
    return 0;
  }
  const Config& c = *parsed;
  FUZZ_CHECK(c.source == "fuzz.toml", "source is not the name given");
  CheckUsable(c);
  const std::string emitted = Emit(c);
  auto again = config::ParseConfig(emitted, "emitted.toml");
  FUZZ_CHECK(again.ok(), "the config written back out does not load: " +
                             again.status().message() + "\n" + emitted);
  FUZZ_CHECK(Facts(*again) == Facts(c), "the config written back out loads differently\n" +
                                            Facts(c) + "\n" + Facts(*again) + "\n" + emitted);
  return 0;
}

#include "notify/sender.h"

#include <curl/curl.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>

#include "common/logging.h"
#include "notify/classify.h"
#include "notify/redact.h"
#include "notify/request.h"

namespace rectify::notify {
namespace {

constexpr size_t kMaxResponseBytes = 64 * 1024;  // more is never needed to classify
constexpr std::chrono::milliseconds kDefaultTimeout{5000};

struct EasyDeleter {
  void operator()(CURL* h) const { curl_easy_cleanup(h); }
};
struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};
using Easy = std::unique_ptr<CURL, EasyDeleter>;
using Slist = std::unique_ptr<curl_slist, SlistDeleter>;

size_t CollectBody(char* data, size_t size, size_t n, void* user) {
  auto* body = static_cast<std::string*>(user);
  const size_t bytes = size * n;
  if (body->size() < kMaxResponseBytes) {
    body->append(data, std::min(bytes, kMaxResponseBytes - body->size()));
  }
  return bytes;  // read the rest and drop it, so the transfer itself succeeds
}

struct Upload {
  const std::string* data;
  size_t pos = 0;
};

size_t ReadUpload(char* buffer, size_t size, size_t n, void* user) {
  auto* up = static_cast<Upload*>(user);
  const size_t len = std::min(size * n, up->data->size() - up->pos);
  std::memcpy(buffer, up->data->data() + up->pos, len);
  up->pos += len;
  return len;
}

bool Append(Slist* list, const std::string& line) {
  curl_slist* next = curl_slist_append(list->get(), line.c_str());
  if (next == nullptr) return false;
  list->release();
  list->reset(next);
  return true;
}

long TimeoutMs(const ChannelConfig& ch) {
  const auto t = ch.timeout.count() > 0 ? ch.timeout : kDefaultTimeout;
  return static_cast<long>(t.count());
}

// Options every transfer shares. NOSIGNAL: a worker thread must not get SIGALRM from the
// resolver's timeout, which is also what makes libcurl thread-safe to use this way.
void CommonOptions(CURL* h, const ChannelConfig& ch, char* errbuf) {
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, TimeoutMs(ch));
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, TimeoutMs(ch));
  curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
  if (!ch.ca_file.empty()) curl_easy_setopt(h, CURLOPT_CAINFO, ch.ca_file.c_str());
}

std::string CurlError(CURLcode rc, const char* errbuf) {
  std::string e = errbuf[0] != '\0' ? errbuf : curl_easy_strerror(rc);
  while (!e.empty() && (e.back() == '\n' || e.back() == '\r')) e.pop_back();
  return e;
}

// Failures that no retry can fix: the configuration is wrong.
bool ConfigError(CURLcode rc) {
  return rc == CURLE_URL_MALFORMAT || rc == CURLE_UNSUPPORTED_PROTOCOL ||
         rc == CURLE_LOGIN_DENIED || rc == CURLE_USE_SSL_FAILED || rc == CURLE_SSL_CERTPROBLEM;
}

DeliveryResult SendHttp(const ChannelConfig& ch, const Digest& d,
                        std::chrono::system_clock::time_point now) {
  auto req = BuildRequest(ch, d, now);
  if (!req.ok()) return {Outcome::kFinal, 0, req.status().message()};

  Easy easy(curl_easy_init());
  if (!easy) return {Outcome::kRetry, 0, "curl_easy_init failed"};
  CURL* h = easy.get();
  char errbuf[CURL_ERROR_SIZE] = {0};
  CommonOptions(h, ch, errbuf);

  Slist headers;
  for (const auto& [name, value] : req->headers) {
    if (!Append(&headers, name + ": " + value)) return {Outcome::kRetry, 0, "out of memory"};
  }
  if (!Append(&headers, "Expect:"))
    return {Outcome::kRetry, 0, "out of memory"};  // no 100-continue

  std::string response;
  curl_easy_setopt(h, CURLOPT_URL, req->url.c_str());
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_POST, 1L);
  curl_easy_setopt(h, CURLOPT_POSTFIELDS, req->body.data());
  curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(req->body.size()));
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, CollectBody);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &response);

  const CURLcode rc = curl_easy_perform(h);
  if (rc != CURLE_OK) {
    const Outcome outcome = ConfigError(rc) ? Outcome::kFinal : Outcome::kRetry;
    std::string what = CurlError(rc, errbuf);
    if (rc == CURLE_OPERATION_TIMEDOUT) {
      what = "timed out after " + std::to_string(TimeoutMs(ch)) + " ms (" + what + ")";
    }
    return {outcome, 0, what};
  }
  long status = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  return Classify(static_cast<int>(status), response, ch.type);
}

DeliveryResult SendEmail(const ChannelConfig& ch, const Digest& d,
                         std::chrono::system_clock::time_point now) {
  auto msg = BuildEmail(ch, d, now);
  if (!msg.ok()) return {Outcome::kFinal, 0, msg.status().message()};

  Easy easy(curl_easy_init());
  if (!easy) return {Outcome::kRetry, 0, "curl_easy_init failed"};
  CURL* h = easy.get();
  char errbuf[CURL_ERROR_SIZE] = {0};
  CommonOptions(h, ch, errbuf);

  Slist rcpts;
  for (const auto& r : msg->recipients) {
    if (!Append(&rcpts, "<" + r + ">")) return {Outcome::kRetry, 0, "out of memory"};
  }
  const std::string mail_from = "<" + msg->mail_from + ">";
  Upload upload{&msg->data};
  curl_easy_setopt(h, CURLOPT_URL, ch.url.c_str());
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  curl_easy_setopt(h, CURLOPT_MAIL_FROM, mail_from.c_str());
  curl_easy_setopt(h, CURLOPT_MAIL_RCPT, rcpts.get());
  curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(h, CURLOPT_READFUNCTION, ReadUpload);
  curl_easy_setopt(h, CURLOPT_READDATA, &upload);
  curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(msg->data.size()));
  if (ch.starttls) curl_easy_setopt(h, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_ALL));
  if (!ch.username.empty()) {
    curl_easy_setopt(h, CURLOPT_USERNAME, ch.username.c_str());
    curl_easy_setopt(h, CURLOPT_PASSWORD, ch.password.c_str());
  }

  const CURLcode rc = curl_easy_perform(h);
  long reply = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &reply);
  if (rc == CURLE_OK) return {Outcome::kDelivered, static_cast<int>(reply), ""};
  std::string what = CurlError(rc, errbuf);
  if (rc == CURLE_USE_SSL_FAILED) what = "STARTTLS is required but failed: " + what;
  if (rc == CURLE_OPERATION_TIMEDOUT) {
    what = "timed out after " + std::to_string(TimeoutMs(ch)) + " ms (" + what + ")";
  }
  DeliveryResult r = ClassifySmtp(static_cast<int>(reply), what);
  if (ConfigError(rc)) r.outcome = Outcome::kFinal;
  return r;
}

}  // namespace

Sender::Sender() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

DeliveryResult Sender::Send(const ChannelConfig& channel, const Digest& digest,
                            std::chrono::system_clock::time_point now) const {
  const auto start = std::chrono::steady_clock::now();
  DeliveryResult r = channel.type == ChannelType::kEmail ? SendEmail(channel, digest, now)
                                                         : SendHttp(channel, digest, now);
  r.error = Redact(r.error, channel);
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::steady_clock::now() - start)
                      .count();
  Logger("notify")->debug("send channel={} type={} key={} lines={} outcome={} status={} ms={}{}{}",
                          channel.name, ChannelTypeName(channel.type), digest.idempotency_key,
                          digest.lines.size(), OutcomeName(r.outcome), r.http_status, ms,
                          r.error.empty() ? "" : " error=", r.error);
  return r;
}

}  // namespace rectify::notify

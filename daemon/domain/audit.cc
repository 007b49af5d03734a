#include "domain/audit.h"

#include <openssl/evp.h>

#include <optional>

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

namespace rectify::domain {
namespace {

std::string Short(std::string_view hash) {
  return hash.empty() ? std::string("(none)") : Hex(hash.substr(0, 8));
}

}  // namespace

std::string CanonicalEventBytes(const v1::Event& event) {
  // Sealing (the writer's hot path) hashes an event that has no hash yet: no copy needed.
  std::optional<v1::Event> without_hash;
  if (!event.hash().empty()) {
    without_hash.emplace(event);
    without_hash->clear_hash();
  }
  const v1::Event& copy = without_hash ? *without_hash : event;
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream sos(&bytes);
    google::protobuf::io::CodedOutputStream cos(&sos);
    // Deterministic: the same event gives the same bytes on every run of every build of this
    // proto (fields in number order; no maps here, so nothing is left to iteration order).
    cos.SetSerializationDeterministic(true);
    copy.SerializeToCodedStream(&cos);
  }
  return bytes;
}

namespace {

std::string Sha256(std::string_view prev_hash, std::string_view body) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr);
  EVP_DigestUpdate(ctx, prev_hash.data(), prev_hash.size());
  EVP_DigestUpdate(ctx, body.data(), body.size());
  EVP_DigestFinal_ex(ctx, out, &len);
  EVP_MD_CTX_free(ctx);
  return std::string(reinterpret_cast<const char*>(out), len);
}

}  // namespace

std::string EventHash(const v1::Event& event) {
  return Sha256(event.prev_hash(), CanonicalEventBytes(event));
}

std::string SealEvent(std::string_view prev_hash, v1::Event& event) {
  static_assert(v1::Event::kHashFieldNumber == 13,
                "SealEvent appends the hash field: it must stay Event's highest field number");
  event.clear_hash();
  event.set_prev_hash(std::string(prev_hash));
  std::string bytes = CanonicalEventBytes(event);
  // (prev_hash may point into the event itself: hash what the event now holds.)
  event.set_hash(Sha256(event.prev_hash(), bytes));
  // Field 13, length-delimited: tag (13 << 3 | 2) = 0x6a, a one-byte length (32), the hash.
  bytes.reserve(bytes.size() + 2 + event.hash().size());
  bytes.push_back(static_cast<char>(0x6a));
  bytes.push_back(static_cast<char>(event.hash().size()));
  bytes += event.hash();
  return bytes;
}

ChainVerifier::ChainVerifier(uint64_t first, uint64_t chain_start, std::string prev_hash)
    : next_(first == 0 ? 1 : first), chain_start_(chain_start), prev_hash_(std::move(prev_hash)) {
  head_revision_ = next_ - 1;
}

void ChainVerifier::Break(uint64_t revision, std::string reason) {
  if (broken_revision_ != 0) return;  // the first break is the one that counts
  broken_revision_ = revision;
  reason_ = std::move(reason);
}

void ChainVerifier::BreakAt(uint64_t revision, std::string reason) {
  Break(revision, std::move(reason));
}

bool ChainVerifier::Add(uint64_t revision, std::string_view bytes, std::string* item_id) {
  if (!ok()) return false;
  if (revision != next_) {
    Break(next_, "revision " + std::to_string(next_) +
                     " is missing from the event log (the log goes on at revision " +
                     std::to_string(revision) + ")");
    return false;
  }
  v1::Event event;
  if (!event.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    Break(revision, "the stored event does not parse");
    return false;
  }
  if (event.revision() != revision) {
    Break(revision, "the event stored at revision " + std::to_string(revision) +
                        " says it is revision " + std::to_string(event.revision()));
    return false;
  }
  ++next_;
  if (item_id != nullptr) *item_id = event.item_id();
  if (revision < chain_start_) {  // written before the chain existed: nothing to check
    ++unhashed_;
    head_revision_ = revision;
    return true;
  }
  if (event.hash().empty()) {
    Break(revision, "the event has no hash, but the audit chain starts at revision " +
                        std::to_string(chain_start_));
    return false;
  }
  if (event.prev_hash() != prev_hash_) {
    const std::string before =
        revision == chain_start_ ? std::string("the start of the chain (no previous hash)")
                                 : "revision " + std::to_string(revision - 1) + "'s hash " +
                                       Short(prev_hash_);
    Break(revision, "the event does not follow the previous one: it commits to previous hash " +
                        Short(event.prev_hash()) + ", but " + before +
                        " (an earlier event was replaced or rehashed)");
    return false;
  }
  // Take the hash out rather than hash a copy without it: this runs once per stored event.
  std::string stored = std::move(*event.mutable_hash());
  event.clear_hash();
  if (EventHash(event) != stored) {
    Break(revision, "the event's content does not match its hash " + Short(stored) +
                        ": it was changed after it was written");
    return false;
  }
  prev_hash_ = std::move(stored);
  head_revision_ = revision;
  ++checked_;
  return true;
}

void ChainVerifier::Finish(uint64_t revision) {
  if (!ok() || next_ > revision) return;
  Break(next_, "revisions " + std::to_string(next_) + " to " + std::to_string(revision) +
                   " are missing: the event log ends at revision " + std::to_string(next_ - 1) +
                   " but the ledger is at revision " + std::to_string(revision));
}

}  // namespace rectify::domain

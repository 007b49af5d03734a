#include "client/evidence.h"

#include <cctype>
#include <string>

namespace rectify::client {
namespace {

constexpr size_t kDigestLength = 64;

bool IsHexDigest(std::string_view s) {
  if (s.size() != kDigestLength) return false;
  for (char c : s) {
    if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

}  // namespace

Parsed<v1::Evidence> ParseEvidence(std::string_view flag, std::string_view text) {
  for (size_t colon = text.find(':'); colon != std::string_view::npos;
       colon = text.find(':', colon + 1)) {
    if (colon == 0) continue;  // the name must not be empty
    const std::string_view rest = text.substr(colon + 1);
    const std::string_view digest = rest.substr(0, kDigestLength);
    if (!IsHexDigest(digest)) continue;
    const std::string_view after = rest.substr(digest.size());
    if (!after.empty() && after.front() != ':') continue;
    if (after.size() == 1) break;  // "NAME:SHA256:" with an empty URI is a typo, not a form
    v1::Evidence evidence;
    evidence.set_name(std::string(text.substr(0, colon)));
    std::string lower(digest);
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    evidence.set_sha256(lower);
    if (!after.empty()) evidence.set_uri(std::string(after.substr(1)));
    return evidence;
  }
  return Parsed<v1::Evidence>::Error("invalid value '" + std::string(text) + "' for " +
                                     std::string(flag) +
                                     "; expected NAME:SHA256[:URI] with SHA256 as 64 hex digits");
}

}  // namespace rectify::client

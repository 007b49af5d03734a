#include "common/token.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

namespace rectify {
namespace {

constexpr std::string_view kScheme = "sha256:";
constexpr size_t kSaltBytes = 16;
constexpr size_t kDigestBytes = 32;

bool Unhex(std::string_view hex, std::string* out) {
  if (hex.size() % 2 != 0) return false;
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  out->clear();
  for (size_t i = 0; i < hex.size(); i += 2) {
    int hi = nibble(hex[i]), lo = nibble(hex[i + 1]);
    if (hi < 0 || lo < 0) return false;
    out->push_back(static_cast<char>(hi << 4 | lo));
  }
  return true;
}

std::string Digest(std::string_view salt, std::string_view token) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr);
  EVP_DigestUpdate(ctx, salt.data(), salt.size());
  EVP_DigestUpdate(ctx, token.data(), token.size());
  EVP_DigestFinal_ex(ctx, md, &len);
  EVP_MD_CTX_free(ctx);
  return std::string(reinterpret_cast<char*>(md), len);
}

Result<std::string> RandomBytes(size_t n) {
  std::string out(n, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1) {
    return Internal("the system's random number generator failed");
  }
  return out;
}

}  // namespace

Result<std::string> GenerateToken() {
  ASSIGN_OR_RETURN(std::string bytes, RandomBytes(32));
  return "rfy_" + Hex(bytes);
}

Result<std::string> HashToken(std::string_view token) {
  if (token.empty()) return InvalidArgument("the token is empty");
  ASSIGN_OR_RETURN(std::string salt, RandomBytes(kSaltBytes));
  return std::string(kScheme) + Hex(salt) + ":" + Hex(Digest(salt, token));
}

Result<TokenHash> ParseTokenHash(std::string_view text) {
  const std::string_view expect =
      "expected sha256:<32 hex digits>:<64 hex digits>, as `rectifyctl admin hash-token` prints";
  if (!text.starts_with(kScheme)) {
    return InvalidArgument("not a token hash: " + std::string(expect));
  }
  text.remove_prefix(kScheme.size());
  const size_t colon = text.find(':');
  TokenHash h;
  if (colon == std::string_view::npos || !Unhex(text.substr(0, colon), &h.salt) ||
      !Unhex(text.substr(colon + 1), &h.digest) || h.salt.size() != kSaltBytes ||
      h.digest.size() != kDigestBytes) {
    return InvalidArgument("malformed token hash: " + std::string(expect));
  }
  return h;
}

bool TokenMatches(const TokenHash& hash, std::string_view token) {
  const std::string d = Digest(hash.salt, token);
  return d.size() == hash.digest.size() &&
         CRYPTO_memcmp(d.data(), hash.digest.data(), d.size()) == 0;
}

std::string Hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

}  // namespace rectify

#pragma once

// Bearer tokens and their stored form. The config never holds a token, only a salted hash
// ("sha256:<salt hex>:<digest hex>", made by `rectifyctl admin hash-token`); the daemon hashes
// what a caller presents with each candidate's salt and compares in constant time.
//
// Tokens are 32 random bytes, so one salted SHA-256 is enough (there is nothing to guess a
// dictionary from); a slow password hash would only make every call slower.
//
// Pure functions; safe on any thread. Shared by rectifyd and rectifyctl.

#include <string>
#include <string_view>

#include "common/status.h"

namespace rectify {

struct TokenHash {
  std::string salt;    // raw bytes
  std::string digest;  // raw SHA-256 of salt || token
};

// "rfy_" + 64 hex characters from the system's CSPRNG.
Result<std::string> GenerateToken();

// The stored form of a token, with a fresh random salt.
Result<std::string> HashToken(std::string_view token);

// INVALID_ARGUMENT naming what is wrong with the text (never echoing it).
Result<TokenHash> ParseTokenHash(std::string_view text);

// Whether `token` hashes to `hash`, compared in constant time.
bool TokenMatches(const TokenHash& hash, std::string_view token);

// Lowercase hex of raw bytes (token hashes, and the audit chain's hashes in domain/audit).
std::string Hex(std::string_view bytes);

}  // namespace rectify

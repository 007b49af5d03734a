#pragma once

// Independent helpers for checking notify's output: they share no code with daemon/notify,
// so a bug there cannot hide itself here.

#include <string>
#include <string_view>

#include "notify/types.h"

namespace rectify::notify::testing {

// Strict UTF-8 validation (RFC 3629: no overlongs, surrogates or > U+10FFFF).
bool IsValidUtf8(std::string_view s);

// Standard base64 decoding; whitespace (line breaks) is skipped. Returns false on bad input.
bool Base64Decode(std::string_view in, std::string* out);

// Decodes a header value made of RFC 2047 "=?UTF-8?B?...?=" words (folding whitespace between
// words ignored) and plain text. Returns false on a malformed word.
bool DecodeRfc2047(std::string_view value, std::string* out);

// Splits a raw RFC 5322 message: returns the unfolded value of header `name` (case-
// insensitive; "" when absent) or the body after the blank line.
std::string HeaderOf(const std::string& message, const std::string& name);
std::string BodyOf(const std::string& message);

// A digest with Chinese text, used across the tests.
Digest SampleDigest();
ReminderLine Line(std::string id, std::string title, std::string kind, int days, bool late = false);

}  // namespace rectify::notify::testing

#pragma once

// UTF-8 helpers for the renderers: every byte limit (WeCom's 4096, RFC 2047 words) is cut on
// a character boundary, and text from the ledger is made safe to put on one line.

#include <cstddef>
#include <string>
#include <string_view>

namespace rectify::notify {

// Replaces every invalid UTF-8 sequence with U+FFFD. With single_line, CR, LF, TAB and the
// other C0/DEL control characters become one space each, so a title cannot break a line,
// a header or a markdown list.
std::string SanitizeUtf8(std::string_view text, bool single_line);

// The longest prefix length <= max_bytes that ends on a character boundary of valid UTF-8.
size_t Utf8PrefixLength(std::string_view text, size_t max_bytes);

// `text` if it fits in max_bytes; otherwise its longest boundary-cut prefix followed by
// `ellipsis`, the whole at most max_bytes (the ellipsis is dropped if even it won't fit).
std::string TruncateUtf8(std::string_view text, size_t max_bytes, std::string_view ellipsis);

}  // namespace rectify::notify

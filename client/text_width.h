#pragma once

// Terminal display width of UTF-8 text, so tables line up when cells hold Chinese.
//
// East Asian Wide and Fullwidth characters take two columns, combining marks and other
// zero-width code points take none, everything else one. Invalid UTF-8 bytes are counted as
// one column each (a terminal shows them as U+FFFD). Pure functions, no locale involved: the
// result must not depend on how the machine running rectifyctl is configured.

#include <string>
#include <string_view>

namespace rectify::client {

// Decodes the code point starting at `text[*pos]` and advances `*pos` past it. A malformed or
// truncated sequence yields U+FFFD and advances by one byte.
char32_t DecodeUtf8(std::string_view text, size_t* pos);

// Columns one code point takes: 0, 1 or 2.
int CodePointWidth(char32_t cp);

// Columns the whole string takes.
int DisplayWidth(std::string_view text);

// Returns `text` unchanged if it fits in `max_width` columns; otherwise the longest prefix
// (whole code points, combining marks kept with their base) that fits together with
// `ellipsis`, followed by `ellipsis`. The result may be one column short of `max_width` when a
// wide character did not fit.
std::string TruncateToWidth(std::string_view text, int max_width,
                            std::string_view ellipsis = "...");

enum class Align { kLeft, kRight };

// Pads `text` with spaces to `width` columns; text already wider is returned unchanged.
std::string PadToWidth(std::string_view text, int width, Align align = Align::kLeft);

// A single-line version of `text` for a table cell: every control character (newline, tab, ...)
// becomes one space.
std::string OneLine(std::string_view text);

}  // namespace rectify::client

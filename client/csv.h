#pragma once

// CSV for the ledger export and import (RFC 4180) and the text encodings Excel in China saves.
// Pure functions, no I/O; iconv (glibc) is the only library used, for GB18030 -> UTF-8.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "client/parsed.h"

namespace rectify::client {

inline constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";

// One field, quoted when it holds a comma, a quote, CR or LF (quotes doubled), else as is.
std::string CsvField(std::string_view value);
// Fields joined by commas, ended by CRLF (RFC 4180).
std::string CsvLine(const std::vector<std::string>& fields);

struct CsvRecord {
  int line = 0;  // the physical line (1-based) the record starts on
  std::vector<std::string> fields;
};

// Parses RFC 4180 CSV (also LF-only line ends, a missing final line end). Quoted fields may hold
// commas, doubled quotes and line breaks. Errors name the line: a quote inside an unquoted
// field, text after a closing quote, a quoted field never closed.
Parsed<std::vector<CsvRecord>> ParseCsv(std::string_view text);

bool IsValidUtf8(std::string_view text);

// The file's text as UTF-8: a UTF-8 BOM is dropped; valid UTF-8 is kept; anything else is read
// as GB18030 (a superset of GBK and GB2312, what Excel in China saves) and converted. `*encoding`
// says which ("UTF-8 (BOM)", "UTF-8", "GB18030"). An error when it is neither.
Parsed<std::string> DecodeToUtf8(std::string_view bytes, std::string* encoding);

// UTF-8 -> GB18030 (tests produce GBK files with it; iconv(1) in e2e).
Parsed<std::string> Utf8ToGb18030(std::string_view utf8);

// FNV-1a 64 of the bytes, as 16 lower-case hex digits: a stable content hash for request ids.
std::string ContentHash(std::string_view bytes);

}  // namespace rectify::client

#include "client/csv.h"

#include <iconv.h>

#include <cerrno>
#include <cstdio>

#include "client/text_width.h"

namespace rectify::client {
namespace {

Parsed<std::string> Convert(std::string_view in, const char* from, const char* to) {
  iconv_t cd = iconv_open(to, from);
  if (cd == reinterpret_cast<iconv_t>(-1)) {
    return Parsed<std::string>::Error(std::string("iconv cannot convert ") + from + " to " + to);
  }
  std::string out;
  std::string input(in);
  char* src = input.data();
  size_t src_left = input.size();
  char buf[4096];
  bool failed = false;
  size_t failed_at = 0;
  while (src_left > 0) {
    char* dst = buf;
    size_t dst_left = sizeof buf;
    const size_t r = iconv(cd, &src, &src_left, &dst, &dst_left);
    out.append(buf, dst - buf);
    if (r == static_cast<size_t>(-1) && errno != E2BIG) {
      failed = true;
      failed_at = input.size() - src_left;
      break;
    }
  }
  iconv_close(cd);
  if (failed) {
    return Parsed<std::string>::Error(std::string("the text is not valid ") + from +
                                      " (byte offset " + std::to_string(failed_at) + ")");
  }
  return out;
}

}  // namespace

std::string CsvField(std::string_view value) {
  if (value.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(value);
  std::string out = "\"";
  for (char c : value) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

std::string CsvLine(const std::vector<std::string>& fields) {
  std::string out;
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) out.push_back(',');
    out += CsvField(fields[i]);
  }
  out += "\r\n";
  return out;
}

Parsed<std::vector<CsvRecord>> ParseCsv(std::string_view text) {
  using Out = Parsed<std::vector<CsvRecord>>;
  std::vector<CsvRecord> records;
  size_t i = 0;
  int line = 1;
  while (i < text.size()) {
    CsvRecord rec;
    rec.line = line;
    std::string field;
    bool end_of_record = false;
    while (!end_of_record) {
      field.clear();
      if (i < text.size() && text[i] == '"') {
        const int opened = line;
        ++i;
        while (true) {
          if (i >= text.size()) {
            return Out::Error("line " + std::to_string(opened) +
                              ": a quoted field is never closed");
          }
          const char c = text[i++];
          if (c == '"') {
            if (i < text.size() && text[i] == '"') {
              field.push_back('"');
              ++i;
              continue;
            }
            break;
          }
          if (c == '\n') ++line;
          field.push_back(c);
        }
        if (i < text.size() && text[i] != ',' && text[i] != '\r' && text[i] != '\n') {
          return Out::Error("line " + std::to_string(line) +
                            ": text after the closing quote of a field");
        }
      } else {
        while (i < text.size() && text[i] != ',' && text[i] != '\r' && text[i] != '\n') {
          if (text[i] == '"') {
            return Out::Error("line " + std::to_string(line) +
                              ": a quote inside an unquoted field (quote the whole field)");
          }
          field.push_back(text[i++]);
        }
      }
      rec.fields.push_back(field);
      if (i >= text.size()) {
        end_of_record = true;
      } else if (text[i] == ',') {
        ++i;
      } else {  // CRLF or LF (a lone CR ends the record too)
        if (text[i] == '\r') ++i;
        if (i < text.size() && text[i] == '\n') ++i;
        ++line;
        end_of_record = true;
      }
    }
    records.push_back(std::move(rec));
  }
  return records;
}

bool IsValidUtf8(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    int n = 0;
    char32_t cp = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      n = 1;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      n = 2;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      n = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    for (int k = 1; k <= n; ++k) {
      if (i + k >= text.size()) return false;
      const auto cc = static_cast<unsigned char>(text[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    // Overlong forms, surrogates and values past U+10FFFF are not UTF-8.
    if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
        cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      return false;
    }
    i += n + 1;
  }
  return true;
}

Parsed<std::string> DecodeToUtf8(std::string_view bytes, std::string* encoding) {
  if (bytes.starts_with(kUtf8Bom)) {
    bytes.remove_prefix(kUtf8Bom.size());
    if (!IsValidUtf8(bytes)) {
      return Parsed<std::string>::Error("the file starts with a UTF-8 BOM but is not valid UTF-8");
    }
    *encoding = "UTF-8 (BOM)";
    return std::string(bytes);
  }
  if (IsValidUtf8(bytes)) {
    *encoding = "UTF-8";
    return std::string(bytes);
  }
  auto converted = Convert(bytes, "GB18030", "UTF-8");
  if (!converted.ok()) {
    return Parsed<std::string>::Error("the file is neither UTF-8 nor GB18030/GBK: " +
                                      converted.error());
  }
  *encoding = "GB18030";
  return converted;
}

Parsed<std::string> Utf8ToGb18030(std::string_view utf8) {
  return Convert(utf8, "UTF-8", "GB18030");
}

std::string ContentHash(std::string_view bytes) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 1099511628211ull;
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

}  // namespace rectify::client

#include "engine/page_token.h"

#include <cstdint>

namespace rectify::engine {
namespace {

constexpr char kVersion = 1;

uint32_t Checksum(const std::string& s) {
  uint32_t h = 2166136261u;
  for (unsigned char c : s) {
    h ^= c;
    h *= 16777619u;
  }
  return h;
}

}  // namespace

std::string EncodePageToken(const PageCursor& cursor) {
  std::string raw;
  raw.push_back(kVersion);
  raw.push_back(static_cast<char>(cursor.kind));
  raw.push_back(static_cast<char>(cursor.order));
  raw += cursor.key;
  uint32_t sum = Checksum(raw);
  for (int s = 24; s >= 0; s -= 8) raw.push_back(static_cast<char>(sum >> s));
  static const char* kHex = "0123456789abcdef";
  std::string out;
  for (unsigned char c : raw) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 15]);
  }
  return out;
}

Result<PageCursor> DecodePageToken(const std::string& token, PageKind kind, int order) {
  if (token.empty()) return PageCursor{kind, order, ""};
  auto bad = [] { return InvalidArgument("page_token is malformed: pass back the "
                                         "next_page_token of the previous page unchanged"); };
  if (token.size() % 2 != 0 || token.size() < 14 || token.size() > 4096) return bad();
  std::string raw;
  for (size_t i = 0; i < token.size(); i += 2) {
    auto nib = [](char c) -> int {
      if (c >= '0' && c <= '9') return c - '0';
      if (c >= 'a' && c <= 'f') return c - 'a' + 10;
      return -1;
    };
    int hi = nib(token[i]), lo = nib(token[i + 1]);
    if (hi < 0 || lo < 0) return bad();
    raw.push_back(static_cast<char>(hi << 4 | lo));
  }
  std::string body = raw.substr(0, raw.size() - 4);
  uint32_t sum = 0;
  for (size_t i = raw.size() - 4; i < raw.size(); ++i) {
    sum = sum << 8 | static_cast<unsigned char>(raw[i]);
  }
  if (sum != Checksum(body) || body[0] != kVersion) return bad();
  if (body[1] != static_cast<char>(kind) || body[2] != static_cast<char>(order)) {
    return InvalidArgument("page_token was made for a different request: keep the same filters "
                           "and order while paging");
  }
  return PageCursor{kind, order, body.substr(3)};
}

}  // namespace rectify::engine

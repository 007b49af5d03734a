#include "client/text_width.h"

namespace rectify::client {
namespace {

constexpr char32_t kReplacement = 0xFFFD;

struct Range {
  char32_t first;
  char32_t last;
};

// East Asian Wide (W) and Fullwidth (F) blocks. The emoji blocks are not in the brief's list but
// every current terminal draws them two columns wide.
constexpr Range kWide[] = {
    {0x1100, 0x115F},    // Hangul Jamo initial consonants
    {0x2E80, 0xA4CF},    // CJK radicals .. Yi, including CJK punctuation, kana, ideographs
    {0xAC00, 0xD7A3},    // Hangul syllables
    {0xF900, 0xFAFF},    // CJK compatibility ideographs
    {0xFE30, 0xFE4F},    // CJK compatibility forms
    {0xFF00, 0xFF60},    // Fullwidth forms
    {0xFFE0, 0xFFE6},    // Fullwidth signs
    {0x1F300, 0x1F64F},  // Miscellaneous symbols and pictographs, emoticons
    {0x1F900, 0x1F9FF},  // Supplemental symbols and pictographs
    {0x20000, 0x3FFFD},  // CJK extension B and beyond
};

// Combining marks and other code points that take no column of their own.
constexpr Range kZero[] = {
    {0x0300, 0x036F},    // combining diacritical marks
    {0x0483, 0x0489},    // Cyrillic combining marks
    {0x0591, 0x05BD},    // Hebrew points
    {0x0610, 0x061A},    // Arabic marks
    {0x064B, 0x065F},    // Arabic harakat
    {0x1160, 0x11FF},    // Hangul Jamo medial vowels and final consonants (join the initial)
    {0x1AB0, 0x1AFF},    // combining diacritical marks extended
    {0x1DC0, 0x1DFF},    // combining diacritical marks supplement
    {0x200B, 0x200F},    // zero width space, ZWNJ, ZWJ, direction marks
    {0x2028, 0x202E},    // separators and embedding controls
    {0x2060, 0x2064},    // word joiner and invisible operators
    {0x20D0, 0x20FF},    // combining marks for symbols
    {0x302A, 0x302F},    // ideographic tone marks (inside the wide block: checked first)
    {0x3099, 0x309A},    // combining kana voiced marks
    {0xFE00, 0xFE0F},    // variation selectors
    {0xFE20, 0xFE2F},    // combining half marks
    {0xFEFF, 0xFEFF},    // byte order mark
    {0xE0100, 0xE01EF},  // variation selectors supplement
};

bool InRanges(char32_t cp, const Range* begin, const Range* end) {
  for (const Range* r = begin; r != end; ++r) {
    if (cp >= r->first && cp <= r->last) return true;
  }
  return false;
}

bool IsContinuation(unsigned char b) { return (b & 0xC0) == 0x80; }

}  // namespace

char32_t DecodeUtf8(std::string_view text, size_t* pos) {
  const size_t start = *pos;
  const auto lead = static_cast<unsigned char>(text[start]);
  if (lead < 0x80) {
    *pos = start + 1;
    return lead;
  }
  int length;
  char32_t cp;
  char32_t min;
  if ((lead & 0xE0) == 0xC0) {
    length = 2, cp = lead & 0x1F, min = 0x80;
  } else if ((lead & 0xF0) == 0xE0) {
    length = 3, cp = lead & 0x0F, min = 0x800;
  } else if ((lead & 0xF8) == 0xF0) {
    length = 4, cp = lead & 0x07, min = 0x10000;
  } else {
    *pos = start + 1;
    return kReplacement;
  }
  if (start + length > text.size()) {
    *pos = start + 1;
    return kReplacement;
  }
  for (int i = 1; i < length; ++i) {
    const auto b = static_cast<unsigned char>(text[start + i]);
    if (!IsContinuation(b)) {
      *pos = start + 1;
      return kReplacement;
    }
    cp = (cp << 6) | (b & 0x3F);
  }
  // Overlong forms, surrogates and values past U+10FFFF are malformed.
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
    *pos = start + 1;
    return kReplacement;
  }
  *pos = start + length;
  return cp;
}

int CodePointWidth(char32_t cp) {
  if (cp < 0x20 || (cp >= 0x7F && cp < 0xA0)) return 0;  // C0/C1 controls
  if (cp == 0x00AD) return 1;                            // soft hyphen: most terminals show it
  if (InRanges(cp, std::begin(kZero), std::end(kZero))) return 0;
  if (InRanges(cp, std::begin(kWide), std::end(kWide))) return 2;
  return 1;
}

int DisplayWidth(std::string_view text) {
  int width = 0;
  size_t pos = 0;
  while (pos < text.size()) width += CodePointWidth(DecodeUtf8(text, &pos));
  return width;
}

std::string TruncateToWidth(std::string_view text, int max_width, std::string_view ellipsis) {
  if (max_width <= 0) return "";
  if (DisplayWidth(text) <= max_width) return std::string(text);
  const int ellipsis_width = DisplayWidth(ellipsis);
  if (ellipsis_width >= max_width) return TruncateToWidth(ellipsis, max_width, "");
  const int budget = max_width - ellipsis_width;
  int width = 0;
  size_t pos = 0;
  size_t cut = 0;
  while (pos < text.size()) {
    size_t next = pos;
    const int w = CodePointWidth(DecodeUtf8(text, &next));
    if (width + w > budget) break;
    width += w;
    pos = next;
    cut = pos;  // zero-width marks that follow a kept base are kept with it
  }
  std::string out(text.substr(0, cut));
  out.append(ellipsis);
  return out;
}

std::string PadToWidth(std::string_view text, int width, Align align) {
  const int missing = width - DisplayWidth(text);
  if (missing <= 0) return std::string(text);
  std::string padding(static_cast<size_t>(missing), ' ');
  return align == Align::kLeft ? std::string(text) + padding : padding + std::string(text);
}

std::string OneLine(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    const auto b = static_cast<unsigned char>(c);
    out.push_back(b < 0x20 || b == 0x7F ? ' ' : c);
  }
  return out;
}

}  // namespace rectify::client

#pragma once

// Page tokens: opaque to clients, checked on the way back in. A token names what it pages
// (list or history), the order it was made for, and the position to continue after; hex with
// a checksum, so a token that was cut, edited or made for another call is INVALID_ARGUMENT.

#include <string>

#include "common/status.h"

namespace rectify::engine {

enum class PageKind : char { kList = 'L', kHistory = 'H' };

struct PageCursor {
  PageKind kind;
  int order = 0;
  std::string key;  // empty = from the start
};

std::string EncodePageToken(const PageCursor& cursor);
// "" decodes to a cursor at the start. A token of another kind or order is refused.
Result<PageCursor> DecodePageToken(const std::string& token, PageKind kind, int order);

}  // namespace rectify::engine

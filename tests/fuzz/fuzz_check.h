#pragma once

// Shared by the fuzz targets: FUZZ_CHECK for invariants, and a reader that splits one input into
// the pieces a target needs. The same sources build with libFuzzer (clang, RECTIFY_FUZZ=ON) and
// with the replay main (replay_main.cc, the default GCC build), so nothing here depends on
// libFuzzer's headers.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

// An invariant the production code broke: print what and where, then abort, so libFuzzer saves
// the input as a crash and the replay test fails naming the check.
#define FUZZ_CHECK(cond, what)                                                             \
  do {                                                                                     \
    if (!(cond)) {                                                                         \
      std::fprintf(stderr, "%s:%d: invariant broken: %s\n  %s\n", __FILE__, __LINE__,      \
                   #cond, std::string(what).c_str());                                      \
      std::abort();                                                                        \
    }                                                                                      \
  } while (0)

namespace rectify::fuzz {

// With RECTIFY_FUZZ_VERBOSE=1 in the environment, a target says how far an input got (parsed,
// refused and why, applied): for checking that a new seed reaches the code it is meant for.
inline void Note(const std::string& what) {
  static const bool verbose = std::getenv("RECTIFY_FUZZ_VERBOSE") != nullptr;
  if (verbose) std::fprintf(stderr, "  %s\n", what.c_str());
}

// Reads the input front to back. Past the end every read returns zeros / empty, so a target
// never needs to check lengths (and short inputs still reach the code under test).
class Input {
 public:
  Input(const uint8_t* data, size_t size)
      : data_(reinterpret_cast<const char*>(data)), size_(size) {}

  uint8_t Byte() { return pos_ < size_ ? static_cast<uint8_t>(data_[pos_++]) : 0; }

  // A piece whose length is the next two bytes (little-endian), capped by what is left.
  std::string_view Sized() {
    size_t n = Byte();
    n |= static_cast<size_t>(Byte()) << 8;
    return Take(n);
  }

  std::string_view Rest() { return Take(size_ - pos_); }

 private:
  std::string_view Take(size_t n) {
    n = std::min(n, size_ - pos_);
    std::string_view out(data_ + pos_, n);
    pos_ += n;
    return out;
  }

  const char* data_;
  size_t size_;
  size_t pos_ = 0;
};

}  // namespace rectify::fuzz

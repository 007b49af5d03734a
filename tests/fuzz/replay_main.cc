// The replay driver of the default (GCC) build: runs every file named on the command line, or
// found in a directory named on it, through the target's LLVMFuzzerTestOneInput once. This is
// how ctest covers the seed corpus and every regression input without libFuzzer; a broken
// invariant aborts (FUZZ_CHECK) and fails the test. With libFuzzer (RECTIFY_FUZZ=ON) the target
// links libFuzzer's own main instead and this file is not used.

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace fs = std::filesystem;

int main(int argc, char** argv) {
  std::vector<fs::path> files;
  for (int i = 1; i < argc; ++i) {
    fs::path p(argv[i]);
    std::error_code ec;
    if (fs::is_directory(p, ec)) {
      for (const auto& e : fs::recursive_directory_iterator(p)) {
        if (e.is_regular_file() && e.path().filename().string()[0] != '.') files.push_back(e);
      }
    } else if (fs::exists(p, ec)) {
      files.push_back(p);
    } else {
      std::fprintf(stderr, "replay: %s does not exist\n", argv[i]);
      return 2;
    }
  }
  std::sort(files.begin(), files.end());  // a stable order, so a failure is reproducible
  if (files.empty()) {
    std::fprintf(stderr, "replay: no inputs (a seed corpus must not be empty)\n");
    return 2;
  }
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    // Printed before the run: when an invariant aborts, the last line names the input.
    std::fprintf(stderr, "replay: %s (%zu bytes)\n", f.c_str(), bytes.size());
    LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  }
  std::printf("inputs fuzzed: %zu, crashes: 0\n", files.size());
  return 0;
}

// The harness itself: a sanitizer report left by a child process must fail the test that
// started it (deploy/run-sanitizers.sh relies on this for rectifyd and rectifyctl).

#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>

#include "harness.h"

namespace rectify::e2e {
namespace {

// Points RECTIFY_SANITIZER_LOG at a scratch prefix for one test, then puts the old value back.
class SanitizerLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = MakeTempDir("sanlog");
    if (const char* old = std::getenv("RECTIFY_SANITIZER_LOG")) old_ = old;
    setenv("RECTIFY_SANITIZER_LOG", (dir_ + "/report").c_str(), 1);
  }
  void TearDown() override {
    if (old_) {
      setenv("RECTIFY_SANITIZER_LOG", old_->c_str(), 1);
    } else {
      unsetenv("RECTIFY_SANITIZER_LOG");
    }
    std::filesystem::remove_all(dir_);
  }
  std::string dir_;
  std::optional<std::string> old_;
};

TEST_F(SanitizerLogTest, AReportLeftByTheChildFailsTheTest) {
  std::ofstream(dir_ + "/report.4242") << "==4242==ERROR: AddressSanitizer: heap-use-after-free\n";
  EXPECT_NONFATAL_FAILURE(ExpectNoSanitizerReport(4242, "rectifyd"),
                          "heap-use-after-free");
}

TEST_F(SanitizerLogTest, AReportOfAnotherProcessIsNotCounted) {
  std::ofstream(dir_ + "/report.4243") << "==4243==ERROR: AddressSanitizer: heap-use-after-free\n";
  ExpectNoSanitizerReport(4242, "rectifyd");  // must not fail
}

TEST_F(SanitizerLogTest, OffOutsideTheSanitizerRun) {
  unsetenv("RECTIFY_SANITIZER_LOG");
  std::ofstream(dir_ + "/report.4242") << "anything\n";
  ExpectNoSanitizerReport(4242, "rectifyd");  // must not fail
}

}  // namespace
}  // namespace rectify::e2e

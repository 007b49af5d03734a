// The harness itself: a sanitizer report left by a child process must fail the test that
// started it (deploy/run-sanitizers.sh relies on this for rectifyd and rectifyctl), and a
// child never outlives what started it.

#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <thread>

#include "harness.h"
#include "spawn.h"

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

// PR_SET_PDEATHSIG is tied to the thread that forked: when it ends, so does the child. A test
// process that dies (a sanitizer abort, a crash) ends all its threads, so its daemons go too.
// Without it this test would wait the full 30 s of `sleep` and see it exit 0.
TEST(SpawnTest, AChildDiesWithTheThreadThatStartedIt) {
  pid_t pid = -1;
  std::thread starter([&] { pid = test_support::SpawnChild({"/bin/sleep", "30"}); });
  starter.join();
  ASSERT_GT(pid, 0);
  EXPECT_EQ(test_support::WaitChild(pid), 128 + SIGKILL);
}

TEST(SpawnTest, ExitCodesAndStreamsComeBack) {
  const std::string dir = MakeTempDir("spawn");
  const pid_t pid = test_support::SpawnChild(
      {"/bin/sh", "-c", "echo out; echo err >&2; exit 3"}, {.out = dir + "/out", .err_to_out = true});
  EXPECT_EQ(test_support::WaitChild(pid), 3);
  std::ifstream in(dir + "/out");
  std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(all, "out\nerr\n");
  errno = 0;
  EXPECT_EQ(test_support::SpawnChild({dir + "/no-such-program"}), -1);
  EXPECT_EQ(errno, ENOENT);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace rectify::e2e

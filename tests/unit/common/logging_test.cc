// SetLogFile: every module logger moves to the file, which rotates at the size given.

#include "common/logging.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace rectify {
namespace {

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(LoggingTest, FileSinkRotatesAndKeepsMaxFiles) {
  char tmpl[] = "/tmp/rectify-log-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  const std::string dir = tmpl, path = dir + "/rectifyd.log";
  auto before = Logger("before");  // created before the switch: must follow it
  std::string error;
  ASSERT_TRUE(SetLogFile(path, 4096, 2, &error)) << error;
  auto after = Logger("after");
  before->info("first line module=before");
  after->info("first line module=after");
  for (int i = 0; i < 200; ++i) after->info("filler line {} {}", i, std::string(60, 'x'));
  after->info("last line");
  spdlog::apply_all([](std::shared_ptr<spdlog::logger> l) { l->flush(); });
  EXPECT_TRUE(std::filesystem::exists(path));
  EXPECT_TRUE(std::filesystem::exists(dir + "/rectifyd.1.log"));
  EXPECT_TRUE(std::filesystem::exists(dir + "/rectifyd.2.log"));
  EXPECT_FALSE(std::filesystem::exists(dir + "/rectifyd.3.log")) << "max_files = 2";
  EXPECT_NE(Slurp(path).find("last line"), std::string::npos);
  EXPECT_LE(std::filesystem::file_size(path), 4096u);
  std::filesystem::remove_all(dir);
}

TEST(LoggingTest, UnwritablePathIsAnError) {
  std::string error;
  EXPECT_FALSE(SetLogFile("/proc/rectify-cannot-write-here/x.log", 0, 1, &error));
  EXPECT_FALSE(error.empty());
}

}  // namespace
}  // namespace rectify

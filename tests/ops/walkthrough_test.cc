// The user's guide cannot drift from the program:
// - README.md's walk-through ("A year's ledger with rectifyctl"): the ```sh blocks marked
//   <!-- walkthrough --> are run, in order, against the real rectifyd (started as the README's
//   `rectifyd ... &` line says, on its --test-clock) with the real rectifyctl; every command must
//   exit as the README says and print what its `#>` lines say.
// - README.md's "rectifyctl reference" names every command and flag `rectifyctl ... --help`
//   lists, and no flag that none of them has.
//
// The blocks use a small subset of sh, and this runner knows exactly that subset (anything else
// fails the test, so the README cannot grow a line nobody runs):
//   rectifyd ARGS &        start the daemon (the harness's: free port, scratch --data-dir)
//   rectifyctl ARGS [&]    run rectifyctl with --addr of that daemon; `&`: in the background
//   kill %N                SIGTERM to background job N (1 = the daemon), wait, expect exit 0
//   export NAME=VALUE      environment of the rectifyctl processes from then on
//   sleep N                nothing (the harness waits until the daemon answers)
//   # text                a comment
//   #> text                the output (stdout and stderr) of the command above contains text;
//                          after `kill %N`, of that background job
//   #> exit N              the command above exits with N (default 0)
// Words may be quoted with "..." or '...'; a line ending in \ continues on the next.

#include <gtest/gtest.h>

#include <filesystem>
#include <regex>
#include <set>

#include "harness.h"
#include "process.h"

namespace rectify::ops {
namespace {

using e2e::BinaryPath;
using e2e::Daemon;
using e2e::MakeTempDir;
using e2e::TempDirGuard;

const std::string kReadme = std::string(RECTIFY_SOURCE_DIR) + "/README.md";

struct Step {
  size_t line = 0;                      // in README.md, 1-based, for messages
  std::vector<std::string> words;       // the command, split as sh would
  bool background = false;
  int exit_code = 0;
  std::vector<std::string> expect;      // #> lines
};

// Splits a command line into words: blanks separate, "..." and '...' quote.
std::vector<std::string> Words(const std::string& line) {
  std::vector<std::string> out;
  std::string word;
  bool in_word = false;
  char quote = 0;
  for (char c : line) {
    if (quote != 0) {
      if (c == quote) quote = 0;
      else word += c;
    } else if (c == '"' || c == '\'') {
      quote = c;
      in_word = true;
    } else if (c == ' ' || c == '\t') {
      if (in_word) out.push_back(word);
      word.clear();
      in_word = false;
    } else {
      word += c;
      in_word = true;
    }
  }
  EXPECT_EQ(quote, 0) << "unbalanced quote in: " << line;
  if (in_word) out.push_back(word);
  return out;
}

std::string Trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t");
  size_t e = s.find_last_not_of(" \t");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

// The steps of every marked block, in order.
std::vector<Step> WalkthroughSteps(const std::vector<std::string>& lines) {
  std::vector<Step> steps;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (Trim(lines[i]) != "<!-- walkthrough -->") continue;
    EXPECT_TRUE(i + 1 < lines.size() && lines[i + 1] == "```sh")
        << "README.md:" << i + 1 << ": a walkthrough marker must be followed by ```sh";
    for (i += 2; i < lines.size() && lines[i] != "```"; ++i) {
      std::string line = Trim(lines[i]);
      if (line.empty()) continue;
      if (StartsWith(line, "#>")) {
        EXPECT_FALSE(steps.empty()) << "README.md:" << i + 1 << ": #> before any command";
        if (steps.empty()) continue;
        std::string text = Trim(line.substr(2));
        std::smatch m;
        static const std::regex kExit(R"(^exit (\d+)$)");
        if (std::regex_match(text, m, kExit)) {
          steps.back().exit_code = std::stoi(m[1]);
        } else {
          steps.back().expect.push_back(text);
        }
        continue;
      }
      if (line[0] == '#') continue;
      Step step;
      step.line = i + 1;
      while (!line.empty() && line.back() == '\\' && i + 1 < lines.size()) {
        line = Trim(line.substr(0, line.size() - 1)) + " " + Trim(lines[++i]);
      }
      if (!line.empty() && line.back() == '&') {
        step.background = true;
        line = Trim(line.substr(0, line.size() - 1));
      }
      step.words = Words(line);
      steps.push_back(std::move(step));
    }
  }
  return steps;
}

std::string Show(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& w : words) out += (out.empty() ? "" : " ") + w;
  return out;
}

class WalkthroughTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = MakeTempDir("walkthrough");
    guard_ = std::make_unique<TempDirGuard>(dir_);
    // `export ... -o FILE` writes into the current directory, as for a reader.
    cwd_ = std::filesystem::current_path();
    std::filesystem::create_directories(dir_ + "/cwd");
    std::filesystem::current_path(dir_ + "/cwd");
  }
  void TearDown() override {
    for (auto& job : jobs_) {
      if (job.pid > 0) {
        kill(job.pid, SIGKILL);
        WaitExit(job.pid);
      }
    }
    if (daemon_ && daemon_->Running()) daemon_->Stop();
    std::filesystem::current_path(cwd_);
  }

  struct Job {
    pid_t pid = -1;  // -1 once stopped; the daemon's job has none (the harness holds it)
    std::string out, err;
    bool daemon = false;
  };

  void StartDaemon(const Step& step) {
    ASSERT_FALSE(daemon_) << "README.md:" << step.line << ": a second rectifyd";
    ASSERT_TRUE(step.background) << "README.md:" << step.line << ": rectifyd without &";
    std::vector<std::string> args;
    bool test_clock = false;
    for (size_t i = 1; i < step.words.size(); ++i) {
      if (step.words[i] == "--data-dir" && i + 1 < step.words.size()) {
        ++i;  // the harness's scratch directory instead
        continue;
      }
      test_clock = test_clock || step.words[i] == "--test-clock";
      args.push_back(step.words[i]);
    }
    ASSERT_TRUE(test_clock) << "README.md:" << step.line
                            << ": the walk-through's dates need --test-clock";
    daemon_ = std::make_unique<Daemon>(dir_ + "/ledger", args);
    daemon_->Start();
    Job job;
    job.daemon = true;
    jobs_.push_back(job);
  }

  std::vector<std::string> CtlArgs(const Step& step) {
    std::vector<std::string> args = {BinaryPath("rectifyctl"), "--addr", daemon_->addr()};
    args.insert(args.end(), step.words.begin() + 1, step.words.end());
    return args;
  }

  void RunCtl(const Step& step) {
    ASSERT_TRUE(daemon_) << "README.md:" << step.line << ": rectifyctl before rectifyd";
    if (step.background) {
      Job job;
      job.out = dir_ + "/job" + std::to_string(jobs_.size() + 1) + ".out";
      job.err = dir_ + "/job" + std::to_string(jobs_.size() + 1) + ".err";
      job.pid = Spawn(CtlArgs(step), job.out, job.err, Env(env_));
      ASSERT_GT(job.pid, 0) << "cannot start rectifyctl";
      EXPECT_TRUE(step.expect.empty())
          << "README.md:" << step.line << ": put a background job's #> lines after its kill";
      jobs_.push_back(job);
      return;
    }
    RunResult r = RunCommand(CtlArgs(step), dir_, Env(env_));
    EXPECT_EQ(r.exit_code, step.exit_code)
        << "README.md:" << step.line << ": " << Show(step.words) << "\n" << r.out << r.err;
    for (const auto& text : step.expect) {
      EXPECT_NE((r.out + r.err).find(text), std::string::npos)
          << "README.md:" << step.line << ": " << Show(step.words) << "\nprints no \"" << text
          << "\":\n" << r.out << r.err;
    }
  }

  void Kill(const Step& step) {
    static const std::regex kJob(R"(^%(\d+)$)");
    std::smatch m;
    ASSERT_TRUE(step.words.size() == 2 && std::regex_match(step.words[1], m, kJob))
        << "README.md:" << step.line << ": only `kill %N` is understood";
    size_t n = std::stoul(m[1]);
    ASSERT_TRUE(n >= 1 && n <= jobs_.size()) << "README.md:" << step.line << ": no job %" << n;
    Job& job = jobs_[n - 1];
    if (job.daemon) {
      EXPECT_TRUE(step.expect.empty()) << "README.md:" << step.line;
      daemon_->Stop();  // SIGTERM, ASSERTs a clean exit
      return;
    }
    ASSERT_GT(job.pid, 0) << "README.md:" << step.line << ": job %" << n << " already stopped";
    kill(job.pid, SIGTERM);
    int code = WaitExit(job.pid);
    job.pid = -1;
    std::string output = ReadFile(job.out) + ReadFile(job.err);
    EXPECT_EQ(code, step.exit_code) << "README.md:" << step.line << ": job %" << n << "\n"
                                    << output;
    for (const auto& text : step.expect) {
      EXPECT_NE(output.find(text), std::string::npos)
          << "README.md:" << step.line << ": job %" << n << " printed no \"" << text << "\":\n"
          << output;
    }
  }

  std::string dir_;
  std::unique_ptr<TempDirGuard> guard_;
  std::filesystem::path cwd_;
  std::unique_ptr<Daemon> daemon_;
  std::vector<Job> jobs_;
  std::map<std::string, std::string> env_;
};

TEST_F(WalkthroughTest, EveryCommandOfTheWalkthroughRunsAsTheReadmeSays) {
  std::vector<Step> steps = WalkthroughSteps(Lines(ReadFile(kReadme)));
  ASSERT_GE(steps.size(), 20u) << "README.md has no walk-through blocks to run";
  size_t ctl = 0;
  for (const Step& step : steps) {
    ASSERT_FALSE(step.words.empty());
    const std::string& cmd = step.words[0];
    if (cmd == "rectifyd") {
      ASSERT_NO_FATAL_FAILURE(StartDaemon(step));
    } else if (cmd == "rectifyctl") {
      ASSERT_NO_FATAL_FAILURE(RunCtl(step));
      ++ctl;
    } else if (cmd == "kill") {
      ASSERT_NO_FATAL_FAILURE(Kill(step));
    } else if (cmd == "export" && step.words.size() == 2 &&
               step.words[1].find('=') != std::string::npos) {
      const std::string& kv = step.words[1];
      env_[kv.substr(0, kv.find('='))] = kv.substr(kv.find('=') + 1);
    } else if (cmd == "sleep") {
      // The harness has waited until the daemon answers.
    } else {
      FAIL() << "README.md:" << step.line << ": the walk-through test cannot run: "
             << Show(step.words);
    }
    if (HasFatalFailure()) return;
  }
  EXPECT_GE(ctl, 20u);
  EXPECT_FALSE(daemon_->Running()) << "the walk-through should end by stopping the daemon";
  // The workbook the walk-through exports is there (an XLSX is a ZIP: "PK").
  bool found = false;
  for (const auto& e : std::filesystem::directory_iterator(".")) {
    if (e.path().extension() == ".xlsx") {
      found = true;
      EXPECT_EQ(ReadFile(e.path()).substr(0, 2), "PK") << e.path();
    }
  }
  EXPECT_TRUE(found) << "the walk-through's export wrote no .xlsx into the current directory";
}

// ---------------------------------------------------------------------------------------------
// The rectifyctl reference against rectifyctl --help

// The README section from `heading` to the next heading of the same or a higher level.
std::string Section(const std::string& text, const std::string& heading) {
  size_t b = text.find("\n" + heading + "\n");
  if (b == std::string::npos) return "";
  size_t level = heading.find(' ');
  std::string stop = "\n" + std::string(level, '#') + " ";
  size_t e = b + heading.size() + 2;
  while (true) {
    e = text.find("\n#", e);
    if (e == std::string::npos) break;
    size_t hashes = text.find_first_not_of('#', e + 1) - (e + 1);
    if (hashes <= level && text[e + 1 + hashes] == ' ') break;
    ++e;
  }
  return text.substr(b, e == std::string::npos ? std::string::npos : e - b);
}

struct HelpPage {
  std::vector<std::string> subcommands;
  std::set<std::string> flags;  // long flags, "--x"
};

HelpPage Help(const std::vector<std::string>& path, const std::string& scratch) {
  std::vector<std::string> args = {BinaryPath("rectifyctl")};
  args.insert(args.end(), path.begin(), path.end());
  args.push_back("--help");
  RunResult r = RunCommand(args, scratch);
  EXPECT_EQ(r.exit_code, 0) << Show(args) << "\n" << r.err;
  HelpPage page;
  static const std::regex kFlag(R"((--[a-z][a-z-]*))");
  static const std::regex kSub(R"(^  ([a-z][a-z-]*)\s)");
  bool in_subcommands = false;
  for (const auto& line : Lines(r.out)) {
    if (line == "Subcommands:") {
      in_subcommands = true;
      continue;
    }
    if (!line.empty() && line[0] != ' ') in_subcommands = false;
    std::smatch m;
    if (in_subcommands && std::regex_search(line, m, kSub)) page.subcommands.push_back(m[1]);
    // Option lines start with two blanks and a dash; the flag names precede the help text.
    if (StartsWith(line, "  -")) {
      std::string names = line.substr(0, line.find(' ', line.find("--")));
      for (std::sregex_iterator it(names.begin(), names.end(), kFlag), end; it != end; ++it) {
        page.flags.insert((*it)[1]);
      }
    }
  }
  return page;
}

TEST(RectifyctlReferenceTest, NamesEveryCommandAndFlagAndNoOther) {
  const std::string dir = MakeTempDir("reference");
  TempDirGuard guard(dir);
  const std::string readme = ReadFile(kReadme);
  const std::string reference = Section(readme, "## rectifyctl reference");
  ASSERT_FALSE(reference.empty()) << "README.md has no \"## rectifyctl reference\"";

  // Walk the command tree: every command path and the flags of each.
  std::set<std::string> all_flags;
  std::vector<std::vector<std::string>> todo = {{}};
  size_t commands = 0;
  while (!todo.empty()) {
    std::vector<std::string> path = todo.back();
    todo.pop_back();
    HelpPage page = Help(path, dir);
    for (const auto& sub : page.subcommands) {
      std::vector<std::string> next = path;
      next.push_back(sub);
      todo.push_back(next);
    }
    if (!path.empty()) {
      ++commands;
      const std::string name = Show(path);
      EXPECT_NE(reference.find("`" + name), std::string::npos)
          << "rectifyctl " << name << " is not in README.md's rectifyctl reference";
    }
    for (const auto& flag : page.flags) {
      all_flags.insert(flag);
      if (flag == "--help") continue;
      EXPECT_NE(reference.find(flag), std::string::npos)
          << "rectifyctl " << Show(path) << " " << flag
          << " is not in README.md's rectifyctl reference";
    }
  }
  EXPECT_GE(commands, 25u) << "cannot read the command tree from rectifyctl --help";

  // And the other way round: no flag the program does not have. The reference mentions one
  // flag of rectifyd's, the one `admin set-clock` needs.
  all_flags.insert("--test-clock");
  static const std::regex kFlag(R"((^|[^\w-])(--[a-z][a-z-]*[a-z]))");
  for (std::sregex_iterator it(reference.begin(), reference.end(), kFlag), end; it != end; ++it) {
    EXPECT_TRUE(all_flags.count((*it)[2]))
        << (*it)[2] << " is in README.md's rectifyctl reference but no rectifyctl command has it";
  }
}

}  // namespace
}  // namespace rectify::ops

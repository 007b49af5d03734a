// The files an operator installs, checked against the real binaries:
// - deploy/rectifyd.example.toml passes `rectifyd --check-config`, as it stands and with every
//   commented-out example enabled; it names and explains every key daemon/config/config.cc
//   accepts (read from config.cc itself, so a new key without documentation fails here); broken
//   copies are refused naming the key. README.md's config reference names every such key too.
// - deploy/systemd/*: `systemd-analyze verify` on copies whose binary paths point at the build
//   (skipped, saying why, where systemd-analyze is missing or cannot run); the policy the issue
//   asks for (Type=notify, own user, ProtectSystem=strict, ...); the reminder unit's commands run
//   against a real daemon.
// - `cmake --install` (deploy/install.cmake) under a scratch prefix: the binaries run, the units
//   name binaries that the install put there, the docs and sysusers file are in place.
// - deploy/Dockerfile: cannot be built here (no container runtime), so its references to the
//   repository are checked and its runtime-package step is run on the real binaries.

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>
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

const std::string kSource = RECTIFY_SOURCE_DIR;
const std::string kExample = kSource + "/deploy/rectifyd.example.toml";
const std::string kUnitDir = kSource + "/deploy/systemd";
const std::vector<std::string> kUnits = {"rectifyd.service", "rectify-remind.service",
                                         "rectify-remind.timer"};
const std::string kInstalledRectifyd = "/usr/local/bin/rectifyd";
const std::string kInstalledRectifyctl = "/usr/local/bin/rectifyctl";

// "#key = v" and "#[table]" lines are examples: enabling one removes the "#". Explanations are
// "# text" (or a lone "#") and stay.
std::string EnableExamples(const std::string& text) {
  std::string out;
  for (const auto& line : Lines(text)) {
    bool example = line.size() > 1 && line[0] == '#' && line[1] != ' ' && line[1] != '#';
    out += (example ? line.substr(1) : line) + "\n";
  }
  return out;
}

bool IsComment(const std::string& line) { return !line.empty() && line[0] == '#'; }

// table ("" = top level) -> keys, as config.cc's CheckKeys calls list them.
std::map<std::string, std::set<std::string>> KeysConfigAccepts() {
  std::string code = ReadFile(kSource + "/daemon/config/config.cc");
  std::map<std::string, std::set<std::string>> out;
  static const std::regex kCall(
      R"re(CheckKeys\(\s*source\s*,\s*[*\w]+\s*,\s*"(\w*)"\s*,\s*\{([^}]*)\})re");
  static const std::regex kKey(R"re("(\w+)")re");
  for (std::sregex_iterator it(code.begin(), code.end(), kCall), end; it != end; ++it) {
    std::string table = (*it)[1];
    std::string list = (*it)[2];
    for (std::sregex_iterator k(list.begin(), list.end(), kKey); k != end; ++k) {
      out[table].insert((*k)[1]);
    }
  }
  return out;
}

struct KeyLine {
  std::string table, key;
  size_t line;
};

// Keys and table headers of a TOML text, in order; a header also counts as a top-level key.
std::vector<KeyLine> KeyLines(const std::vector<std::string>& lines) {
  static const std::regex kHeader(R"(^\[\[?(\w+)\]\]?\s*$)");
  static const std::regex kAssign(R"(^(\w+)\s*=)");
  std::vector<KeyLine> out;
  std::string table;
  for (size_t i = 0; i < lines.size(); ++i) {
    std::smatch m;
    if (std::regex_match(lines[i], m, kHeader)) {
      table = m[1];
      out.push_back({"", table, i});
    } else if (std::regex_search(lines[i], m, kAssign)) {
      out.push_back({table, m[1], i});
    }
  }
  return out;
}

// Every key config.cc accepts is in `found` (table -> keys, as KeysConfigAccepts), and no other.
void ExpectSameKeys(std::map<std::string, std::set<std::string>> accepted,
                    std::map<std::string, std::set<std::string>> found, const std::string& where) {
  for (const auto& [table, set] : accepted) {
    for (const auto& key : set) {
      EXPECT_TRUE(found[table].count(key)) << (table.empty() ? "" : table + ".") << key
                                           << " is accepted by config.cc but missing from "
                                           << where;
    }
  }
  for (const auto& [table, set] : found) {
    for (const auto& key : set) {
      EXPECT_TRUE(accepted[table].count(key))
          << (table.empty() ? "" : table + ".") << key << " is in " << where
          << " but config.cc does not accept it";
    }
  }
}

RunResult CheckConfig(const std::string& path, const std::string& scratch) {
  return RunCommand({BinaryPath("rectifyd"), "--config", path, "--check-config"}, scratch);
}

class DeployTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = MakeTempDir("ops");
    guard_ = std::make_unique<TempDirGuard>(dir_);
  }
  std::string dir_;
  std::unique_ptr<TempDirGuard> guard_;
};

// ---------------------------------------------------------------------------------------------
// The example config

TEST_F(DeployTest, ExampleConfigPassesCheckConfig) {
  RunResult r = CheckConfig(kExample, dir_);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("config OK"), std::string::npos) << r.out;
}

TEST_F(DeployTest, ExampleConfigWithEveryExampleEnabledPassesCheckConfig) {
  std::string text = ReadFile(kExample);
  std::string enabled = EnableExamples(text);
  ASSERT_NE(enabled, text) << "the example has no commented-out examples to enable";
  for (const char* table : {"[[principal]]", "[[channel]]"}) {
    EXPECT_NE(enabled.find(std::string("\n") + table + "\n"), std::string::npos)
        << table << " has no example";
  }
  std::string path = dir_ + "/enabled.toml";
  WriteFile(path, enabled);
  RunResult r = CheckConfig(path, dir_);
  EXPECT_EQ(r.exit_code, 0) << r.err << "\n" << enabled;
}

TEST_F(DeployTest, ExampleConfigNamesAndExplainsEveryKeyTheDaemonAccepts) {
  auto accepted = KeysConfigAccepts();
  ASSERT_GE(accepted.size(), 8u) << "cannot read CheckKeys calls in daemon/config/config.cc";
  ASSERT_TRUE(accepted.count("") && accepted[""].count("listen"));

  std::vector<std::string> lines = Lines(EnableExamples(ReadFile(kExample)));
  std::vector<KeyLine> keys = KeyLines(lines);
  std::map<std::string, std::set<std::string>> in_example;
  for (const auto& k : keys) in_example[k.table].insert(k.key);
  ExpectSameKeys(accepted, in_example, "deploy/rectifyd.example.toml");

  // Explained: the comment block above the key (or above the run of keys it belongs to)
  // mentions it, or a "# key  explanation" line lists it (the [[principal]]/[[channel]] form).
  for (const auto& [table, set] : accepted) {
    for (const auto& key : set) {
      if (table.empty() && accepted.count(key)) continue;  // a table header
      bool documented = std::any_of(lines.begin(), lines.end(), [&](const std::string& l) {
        return StartsWith(l, "# " + key + "  ");
      });
      for (const auto& k : keys) {
        if (documented || k.table != table || k.key != key) continue;
        size_t i = k.line;
        while (i > 0 && !IsComment(lines[i - 1]) && !lines[i - 1].empty()) --i;
        std::string block;
        while (i > 0 && IsComment(lines[i - 1])) block = lines[--i] + "\n" + block;
        documented =
            block.find(key) != std::string::npos || (k.line > 0 && IsComment(lines[k.line - 1]));
      }
      EXPECT_TRUE(documented) << (table.empty() ? "" : table + ".") << key
                              << " has no explanation in the example";
    }
  }
}

// README.md's "### Config reference": a "#### Top level" or "#### `[table]`" heading per table,
// then rows "| `key` | default | what it does | SIGHUP or restart |".
TEST_F(DeployTest, ReadmeConfigReferenceNamesEveryKeyTheDaemonAccepts) {
  auto accepted = KeysConfigAccepts();
  ASSERT_GE(accepted.size(), 8u) << "cannot read CheckKeys calls in daemon/config/config.cc";

  std::map<std::string, std::set<std::string>> in_readme;
  static const std::regex kTable(R"(^#### (Top level|`\[\[?(\w+)\]\]?`)$)");
  static const std::regex kRow(R"(^\| `(\w+)` \|([^|]+)\|([^|]+)\|([^|]+)\|$)");
  bool in_reference = false;
  std::string table;
  for (const auto& line : Lines(ReadFile(kSource + "/README.md"))) {
    if (StartsWith(line, "#") && !StartsWith(line, "####")) {
      in_reference = line == "### Config reference";
      table = "?";
      continue;
    }
    if (!in_reference) continue;
    std::smatch m;
    if (std::regex_match(line, m, kTable)) {
      table = m[2];  // "" for the top level, as in KeysConfigAccepts
      in_readme[""];
      if (!table.empty()) in_readme[""].insert(table);
    } else if (std::regex_match(line, m, kRow)) {
      ASSERT_NE(table, "?") << "a key row before any table heading: " << line;
      in_readme[table].insert(m[1]);
      std::string reload = m[4];
      EXPECT_TRUE(reload == " SIGHUP " || reload == " restart ")
          << line << ": the last column says whether SIGHUP applies the key or it needs a restart";
    }
  }
  ASSERT_FALSE(in_readme.empty()) << "README.md has no \"### Config reference\" with tables";
  ExpectSameKeys(accepted, in_readme, "README.md's config reference");
}

TEST_F(DeployTest, BrokenCopiesOfTheExampleAreRefusedNamingTheKey) {
  const std::string text = ReadFile(kExample);
  struct Case {
    std::string from, to, key;
  };
  const std::vector<Case> cases = {
      {"sync = true", "sync = \"yes\"", "durability.sync"},
      {"queue_events = 1024", "queue_evnts = 1024", "watch.queue_evnts"},
      {"hour = 9", "hour = 24", "reminders.hour"},
      {"admonition_after = 10", "admonition_after = 3", "reminders.admonition_after"},
      {"level = \"info\"", "level = \"loud\"", "log.level"},
      {"write_buffer_mb = 16", "write_buffer_mb = -1", "storage.write_buffer_mb"},
      {"files = []", "files = \"holidays.toml\"", "calendar.files"},
      {"time_zone = \"Asia/Shanghai\"", "time_zone = \"Asia/Peking\"", "time_zone"},
      {"#type = \"wecom\"", "type = \"pager\"", "channel.type"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.to);
    std::string broken = c.from[0] == '#' ? EnableExamples(text) : text;
    std::string from = c.from[0] == '#' ? c.from.substr(1) : c.from;
    size_t at = broken.find("\n" + from + "\n");
    ASSERT_NE(at, std::string::npos) << "the example no longer has the line " << from;
    broken.replace(at + 1, from.size(), c.to);
    std::string path = dir_ + "/broken.toml";
    WriteFile(path, broken);
    RunResult r = CheckConfig(path, dir_);
    EXPECT_NE(r.exit_code, 0) << "accepted: " << c.to;
    EXPECT_NE(r.err.find(c.key), std::string::npos) << "the error does not name " << c.key << ":\n"
                                                    << r.err;
  }
}

// A bug found while writing these tests: --check-config returns before the reminder rules are
// validated (domain::ValidateReminderRules runs later in app/main.cc), so a config it calls OK
// can still stop the daemon at start-up. Enable once app/ validates them before --check-config.
TEST_F(DeployTest, CheckConfigRefusesWhatStartUpRefuses) {
  std::string text = ReadFile(kExample);
  ReplaceAll(text, "\nstale_progress = 10\n", "\nstale_progress = 0\n");
  std::string path = dir_ + "/stale0.toml";
  WriteFile(path, text);
  RunResult r = CheckConfig(path, dir_);
  EXPECT_NE(r.exit_code, 0) << "--check-config accepted reminders.stale_progress = 0";
  EXPECT_NE(r.err.find("stale_progress"), std::string::npos) << r.err;
}

// ---------------------------------------------------------------------------------------------
// systemd units

std::vector<std::string> UnitValues(const std::string& text, const std::string& key) {
  std::vector<std::string> out;
  for (const auto& line : Lines(text)) {
    if (StartsWith(line, key + "=")) out.push_back(line.substr(key.size() + 1));
  }
  return out;
}

std::string UnitValue(const std::string& text, const std::string& key) {
  auto v = UnitValues(text, key);
  return v.empty() ? "<missing>" : v.back();
}

TEST_F(DeployTest, UnitsSayWhatTheIssueAsks) {
  std::string d = ReadFile(kUnitDir + "/rectifyd.service");
  EXPECT_EQ(UnitValue(d, "Type"), "notify");
  EXPECT_EQ(UnitValue(d, "NotifyAccess"), "main");
  EXPECT_EQ(UnitValue(d, "User"), "rectifyd");
  EXPECT_EQ(UnitValue(d, "ProtectSystem"), "strict");
  EXPECT_EQ(UnitValue(d, "NoNewPrivileges"), "yes");
  EXPECT_EQ(UnitValue(d, "StateDirectory"), "rectifyd");
  EXPECT_EQ(UnitValue(d, "ExecStart"),
            kInstalledRectifyd + " --config /etc/rectifyd/rectifyd.toml");
  // The example config is what gets installed: its data_dir must be writable under the unit.
  std::smatch m;
  std::string example = ReadFile(kExample);
  ASSERT_TRUE(std::regex_search(example, m, std::regex("\ndata_dir = \"([^\"]*)\"")));
  EXPECT_TRUE(StartsWith(m[1].str(), "/var/lib/rectifyd/")) << m[1];
  // The user the unit runs as is created by the sysusers file next to it.
  EXPECT_NE(ReadFile(kUnitDir + "/rectifyd.sysusers.conf").find("\nu rectifyd "),
            std::string::npos);

  std::string r = ReadFile(kUnitDir + "/rectify-remind.service");
  EXPECT_EQ(UnitValue(r, "Type"), "oneshot");
  EXPECT_EQ(UnitValue(r, "ExecStart"), kInstalledRectifyctl + " remind run");
  std::string t = ReadFile(kUnitDir + "/rectify-remind.timer");
  EXPECT_EQ(UnitValue(t, "Unit"), "rectify-remind.service");
  EXPECT_NE(UnitValue(t, "OnCalendar").find("09:05:00 Asia/Shanghai"), std::string::npos);
}

// Copies of the units into `dir` with the installed paths pointing at the build.
void CopyUnitsForTheBuild(const std::string& dir) {
  for (const auto& name : kUnits) {
    std::string text = ReadFile(kUnitDir + "/" + name);
    ReplaceAll(text, kInstalledRectifyd, BinaryPath("rectifyd"));
    ReplaceAll(text, kInstalledRectifyctl, BinaryPath("rectifyctl"));
    WriteFile(dir + "/" + name, text);
  }
}

RunResult Verify(const std::string& dir, const std::vector<std::string>& units,
                 const std::string& scratch) {
  std::vector<std::string> args = {"/usr/bin/systemd-analyze", "verify", "--man=no"};
  for (const auto& u : units) args.push_back(dir + "/" + u);
  return RunCommand(args, scratch);
}

TEST_F(DeployTest, SystemdAnalyzeVerifiesTheUnits) {
  if (!std::filesystem::exists("/usr/bin/systemd-analyze")) {
    GTEST_SKIP() << "systemd-analyze is not installed (Debian package systemd; "
                    "deploy/install-deps.sh installs it): the units were not verified";
  }
  // A control: if a trivial unit does not verify, this machine cannot run the check.
  std::string control = dir_ + "/control";
  std::filesystem::create_directories(control);
  WriteFile(control + "/ops-control.service",
            "[Unit]\nDescription=control\n[Service]\nType=oneshot\nExecStart=/bin/true\n");
  RunResult c = Verify(control, {"ops-control.service"}, dir_);
  if (c.exit_code != 0) {
    GTEST_SKIP() << "systemd-analyze verify cannot run here (a trivial unit fails with exit "
                 << c.exit_code << "): " << c.out << c.err;
  }

  std::string units = dir_ + "/units";
  std::filesystem::create_directories(units);
  CopyUnitsForTheBuild(units);
  RunResult r = Verify(units, kUnits, dir_);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  // Warnings do not change the exit code: any message about our units is a failure. Lines that
  // name none of them are the machine's own (its other units) and only shown.
  for (const auto& line : Lines(r.out + r.err)) {
    EXPECT_EQ(line.find("rectify"), std::string::npos) << line;
  }

  // The check is real: the same units pointing at a binary that is not there fail.
  std::string missing = dir_ + "/missing";
  std::filesystem::create_directories(missing);
  std::string text = ReadFile(units + "/rectifyd.service");
  ReplaceAll(text, BinaryPath("rectifyd"), dir_ + "/no-such-rectifyd");
  WriteFile(missing + "/rectifyd.service", text);
  EXPECT_NE(Verify(missing, {"rectifyd.service"}, dir_).exit_code, 0)
      << "systemd-analyze verify accepted an ExecStart that does not exist";
}

TEST_F(DeployTest, SysusersFileCreatesTheServiceUser) {
  if (!std::filesystem::exists("/usr/bin/systemd-sysusers")) {
    GTEST_SKIP() << "systemd-sysusers is not installed (Debian package systemd)";
  }
  // Into an empty root, never the machine's own /etc.
  std::string root = dir_ + "/root";
  std::filesystem::create_directories(root + "/etc");
  RunResult r = RunCommand(
      {"/usr/bin/systemd-sysusers", "--root=" + root, kUnitDir + "/rectifyd.sysusers.conf"}, dir_);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  std::string passwd = ReadFile(root + "/etc/passwd");
  EXPECT_NE(passwd.find("rectifyd:x:"), std::string::npos) << passwd;
  EXPECT_NE(passwd.find(":/var/lib/rectifyd:/usr/sbin/nologin"), std::string::npos) << passwd;
  EXPECT_NE(ReadFile(root + "/etc/group").find("rectifyd:x:"), std::string::npos);
}

// The ExecCondition of rectify-remind.service as /bin/sh would get it from systemd.
std::string ConditionScript() {
  std::string cond = UnitValue(ReadFile(kUnitDir + "/rectify-remind.service"), "ExecCondition");
  const std::string prefix = "/bin/sh -c '";
  if (!StartsWith(cond, prefix) || cond.back() != '\'') return "";
  std::string script = cond.substr(prefix.size(), cond.size() - prefix.size() - 1);
  ReplaceAll(script, "$$", "$");
  ReplaceAll(script, "%%", "%");
  ReplaceAll(script, kInstalledRectifyctl, BinaryPath("rectifyctl"));
  return script;
}

TEST_F(DeployTest, ReminderUnitCommandsWorkAgainstTheDaemon) {
  std::string script = ConditionScript();
  ASSERT_FALSE(script.empty()) << "ExecCondition is not /bin/sh -c '...'";
  Daemon daemon(dir_);
  daemon.Start();
  if (HasFatalFailure()) return;
  Env env({{"RECTIFY_ADDR", daemon.addr()},
           {"RECTIFY_ACTOR", "rectify-remind"},
           {"TZ", "Asia/Shanghai"}});

  // Is today (in China) a working day? The daemon's calendar says; the condition must agree.
  RunResult today = RunCommand({"/bin/date", "+%F"}, dir_, env);
  ASSERT_EQ(today.exit_code, 0);
  std::string date = Lines(today.out).at(0);
  e2e::CtlResult cal =
      e2e::Ctl(daemon.addr(), "", {"-o", "json", "calendar", "add-workdays", date, "0"});
  ASSERT_EQ(cal.exit_code, 0) << cal.err;
  bool working = cal.out.find("\"startIsWorkingDay\":true") != std::string::npos;
  RunResult cond = RunCommand({"/bin/sh", "-c", script}, dir_, env);
  EXPECT_EQ(cond.exit_code, working ? 0 : 1) << date << " " << cal.out << cond.err;

  // ExecStart, as the unit runs it (the address and caller come from the environment).
  std::string exec = UnitValue(ReadFile(kUnitDir + "/rectify-remind.service"), "ExecStart");
  ReplaceAll(exec, kInstalledRectifyctl, BinaryPath("rectifyctl"));
  RunResult run = RunCommand({"/bin/sh", "-c", exec}, dir_, env);
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;

  // A daemon that does not answer is a failure of the unit (255), not a skipped day.
  daemon.Stop();
  Env down({{"RECTIFY_ADDR", daemon.addr()}, {"TZ", "Asia/Shanghai"}});
  RunResult dead = RunCommand({"/bin/sh", "-c", script}, dir_, down);
  EXPECT_EQ(dead.exit_code, 255) << dead.err;
}

// ---------------------------------------------------------------------------------------------
// Dockerfile (not buildable here)

TEST_F(DeployTest, DockerfileMatchesTheRepositoryAndItsScripts) {
  std::string df = ReadFile(kSource + "/deploy/Dockerfile");
  ASSERT_FALSE(df.empty());
  // Every file it copies from the build context exists.
  static const std::regex kCopy(R"(\nCOPY (?!--from)(\S+) )");
  for (std::sregex_iterator it(df.begin(), df.end(), kCopy), end; it != end; ++it) {
    std::string src = (*it)[1];
    EXPECT_TRUE(src == "." || std::filesystem::exists(kSource + "/" + src)) << src;
  }
  // The same install and build scripts as a developer machine, Debian 12 both stages.
  EXPECT_NE(df.find("RUN deploy/install-deps.sh"), std::string::npos);
  EXPECT_NE(df.find("deploy/build.sh"), std::string::npos);
  EXPECT_NE(df.find("FROM debian:12 AS build"), std::string::npos);
  EXPECT_NE(df.find("FROM debian:12-slim"), std::string::npos);
  EXPECT_NE(df.find("\nUSER rectifyd"), std::string::npos);
  EXPECT_NE(df.find("\nVOLUME [\"/var/lib/rectifyd\"]"), std::string::npos);
  EXPECT_NE(df.find("\nHEALTHCHECK "), std::string::npos);
  // The binaries are where build.sh puts them (the same layout as this build).
  for (const char* name : {"rectifyd", "rectifyctl"}) {
    std::string rel = std::filesystem::relative(BinaryPath(name), RECTIFY_BUILD_DIR).string();
    EXPECT_NE(df.find("build/" + rel), std::string::npos) << "build/" << rel;
  }

  // Its runtime-package step, run on this build: every package it names is a real, installed
  // Debian package, and gRPC is among them.
  static const std::regex kRun(R"(\nRUN (ldd (?:[^\n]*\\\n)*[^\n]*))");
  std::smatch m;
  ASSERT_TRUE(std::regex_search(df, m, kRun)) << "no RUN ldd ... step";
  std::string step = m[1];
  ReplaceAll(step, "\\\n", " ");
  ReplaceAll(step, "/out/rectifyd", BinaryPath("rectifyd"));
  ReplaceAll(step, "/out/rectifyctl", BinaryPath("rectifyctl"));
  ReplaceAll(step, "/out/", dir_ + "/out/");
  std::filesystem::create_directories(dir_ + "/out");
  std::string list = dir_ + "/out/runtime-packages.txt";
  RunResult r = RunCommand({"/bin/bash", "-o", "pipefail", "-c", step}, dir_);
  ASSERT_EQ(r.exit_code, 0) << step << "\n" << r.err;
  std::vector<std::string> packages = Lines(ReadFile(list));
  EXPECT_GE(packages.size(), 5u) << r.out;
  EXPECT_TRUE(std::any_of(packages.begin(), packages.end(), [](const std::string& p) {
    return StartsWith(p, "libgrpc++");
  })) << r.out;
  std::vector<std::string> query = {"/usr/bin/dpkg-query", "-W", "-f=${db:Status-Status}\\n"};
  query.insert(query.end(), packages.begin(), packages.end());
  RunResult q = RunCommand(query, dir_);
  EXPECT_EQ(q.exit_code, 0) << q.err;
  for (const auto& line : Lines(q.out)) EXPECT_EQ(line, "installed");
}

// ---------------------------------------------------------------------------------------------
// cmake --install

TEST_F(DeployTest, InstallPutsEverythingUnderThePrefixAndTheUnitsFindTheBinaries) {
  const std::string destdir = dir_ + "/root";
  const std::string prefix = "/opt/rectify-test";
  const std::string root = destdir + prefix;
  RunResult r = RunCommand({"/usr/bin/env", "DESTDIR=" + destdir, RECTIFY_CMAKE, "--install",
                            RECTIFY_BUILD_DIR, "--prefix", prefix},
                           dir_);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  for (const char* bin : {"rectifyd", "rectifyctl"}) {
    RunResult v = RunCommand({root + "/bin/" + bin, "--version"}, dir_);
    EXPECT_EQ(v.exit_code, 0) << bin << ": " << v.err;
    EXPECT_NE(v.out.find("0."), std::string::npos) << bin << ": " << v.out;
  }
  // Every absolute path to one of our binaries in an installed unit is under the prefix and
  // exists there; the repository's /usr/local/bin is gone.
  static const std::regex kBinary(R"((/[\w./-]*/bin/rectify(?:d|ctl))\b)");
  for (const auto& unit : kUnits) {
    const std::string text = ReadFile(root + "/lib/systemd/system/" + unit);
    ASSERT_FALSE(text.empty()) << unit;
    EXPECT_EQ(text.find("/usr/local/bin/"), std::string::npos) << unit;
    size_t named = 0;
    for (std::sregex_iterator it(text.begin(), text.end(), kBinary), end; it != end; ++it) {
      ++named;
      const std::string path = (*it)[1];
      EXPECT_EQ(path.rfind(prefix + "/bin/", 0), 0u) << unit << ": " << path;
      EXPECT_TRUE(std::filesystem::exists(destdir + path)) << unit << ": " << path;
    }
    if (unit.ends_with(".service")) {
      EXPECT_GT(named, 0u) << unit << " runs none of ours?";
    }
  }
  EXPECT_EQ(ReadFile(root + "/lib/sysusers.d/rectifyd.conf"),
            ReadFile(kUnitDir + "/rectifyd.sysusers.conf"));
  const std::string example = root + "/share/doc/rectifyd/rectifyd.example.toml";
  EXPECT_EQ(ReadFile(example), ReadFile(kExample));
  RunResult check =
      RunCommand({root + "/bin/rectifyd", "--config", example, "--check-config"}, dir_);
  EXPECT_EQ(check.exit_code, 0) << check.err;
  EXPECT_TRUE(std::filesystem::exists(root + "/share/doc/rectifyd/README.md"));
  EXPECT_TRUE(std::filesystem::exists(root + "/share/doc/rectifyd/examples/watch_subscriber.py"));
}

}  // namespace
}  // namespace rectify::ops

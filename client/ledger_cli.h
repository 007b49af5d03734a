#pragma once

// Registers `report`, `export` and `import` on rectifyctl's CLI11 app and turns their flags
// into commands. Kept out of cli.cc so that file only gains a registration and a dispatch line.

#include <CLI/CLI.hpp>
#include <optional>
#include <string>

#include "client/cli.h"

namespace rectify::client {

class LedgerCli {
 public:
  void Register(CLI::App& app);
  // True if `chosen` is one of this class's subcommands.
  bool Owns(const CLI::App* chosen) const;
  // Fills *command from the parsed flags of `chosen`; a usage message on error.
  std::optional<std::string> Convert(const CLI::App* chosen, Command* command) const;

 private:
  CLI::App* report_ = nullptr;
  CLI::App* export_ = nullptr;
  CLI::App* import_ = nullptr;
  CLI::Option* report_output_ = nullptr;

  int year_ = 0;
  std::string unit_, by_, output_, format_, file_, owner_, leader_, source_, category_, light_;
  std::vector<std::string> states_, members_;
  int min_per_person_ = 0;
  bool overdue_ = false, dry_run_ = false, skip_bad_ = false;
};

}  // namespace rectify::client

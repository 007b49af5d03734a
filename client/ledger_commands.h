#pragma once

// The year-end commands of issue #6, as parsed values: `report`, `export`, `import`. Parsed by
// ledger_cli.cc, run by ledger_exec.cc; cli.h only lists them in its Command variant.

#include <optional>
#include <string>

#include "rectify/v1/rectify.pb.h"

namespace rectify::client {

enum class ReportFormat { kTable, kJson, kCsv, kMd };

struct ReportCommand {
  v1::GetReportRequest request;
  std::optional<ReportFormat> format;  // report's own -o; unset = the global -o (table|json)
};

struct ExportCommand {
  enum class Format { kXlsx, kCsv };
  v1::ListItemsRequest filter;  // year and filters; paged through to the end
  Format format = Format::kXlsx;
  std::string file;
};

struct ImportCommand {
  std::string file;
  bool dry_run = false;   // validate and show what would be created; create nothing
  bool skip_bad = false;  // create the good rows even when some are bad
};

}  // namespace rectify::client

#pragma once

// `rectifyctl import FILE`, the part that needs no daemon: the file's bytes -> the create
// requests of its good rows and the reasons of its bad ones. Pure (no I/O), so the fuzz target
// (tests/fuzz/csv_import_fuzzer.cc) runs exactly what the command runs.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "client/parsed.h"
#include "rectify/v1/rectify.pb.h"

namespace rectify::client {

struct ImportPlan {
  std::string encoding;  // "UTF-8 (BOM)", "UTF-8" or "GB18030" (DecodeToUtf8)
  struct Row {
    int line;  // the physical line the row starts on
    v1::CreateItemRequest request;
  };
  std::vector<Row> good;                         // in file order, request ids set
  std::vector<std::pair<int, std::string>> bad;  // line, what is wrong
};

// Decodes (UTF-8 or GB18030), parses the CSV, maps the header (the first row that is not blank)
// and turns every other non-blank row into a create request whose request_id is derived from
// the file's content and the row's line, so importing the same file again creates nothing new.
// An error (no header, bad header, bad encoding or CSV) is for the whole file; a bad row is in
// `bad`.
Parsed<ImportPlan> PlanImport(std::string_view bytes);

}  // namespace rectify::client

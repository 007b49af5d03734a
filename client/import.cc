#include "client/import.h"

#include "client/csv.h"
#include "client/ledger.h"

namespace rectify::client {

Parsed<ImportPlan> PlanImport(std::string_view bytes) {
  ImportPlan plan;
  auto text = DecodeToUtf8(bytes, &plan.encoding);
  if (!text.ok()) return Parsed<ImportPlan>::Error(text.error());
  auto records = ParseCsv(text.value());
  if (!records.ok()) return Parsed<ImportPlan>::Error(records.error());
  auto blank = [](const CsvRecord& r) {
    for (const auto& field : r.fields) {
      if (field.find_first_not_of(" \t\r\n") != std::string::npos) return false;
    }
    return true;
  };
  // The header is the first record that is not blank.
  size_t first = 0;
  while (first < records.value().size() && blank(records.value()[first])) ++first;
  if (first == records.value().size()) {
    return Parsed<ImportPlan>::Error("the file has no header row");
  }
  auto columns = MapHeader(records.value()[first].fields);
  if (!columns.ok()) {
    return Parsed<ImportPlan>::Error("line " + std::to_string(records.value()[first].line) +
                                     ": " + columns.error());
  }
  // Every row is checked before anything is created (the caller decides what to do with bad
  // rows). The request id makes a re-run of the same file idempotent.
  const std::string file_hash = ContentHash(bytes);
  for (size_t i = first + 1; i < records.value().size(); ++i) {
    const CsvRecord& rec = records.value()[i];
    if (blank(rec)) continue;
    auto req = RowToCreate(columns.value(), rec.fields);
    if (!req.ok()) {
      plan.bad.emplace_back(rec.line, req.error());
      continue;
    }
    ImportPlan::Row row{rec.line, std::move(req).value()};
    row.request.set_request_id("import-" + file_hash + "-" + std::to_string(rec.line));
    plan.good.push_back(std::move(row));
  }
  return plan;
}

}  // namespace rectify::client

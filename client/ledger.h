#pragma once

// The ledger sheet (整改台账) shared by `export` and `import`: the columns in DOMAIN.md's order
// with their Chinese headers, an item flattened into one row of cells, and a row read back into
// a CreateItemRequest. Pure functions; the writers (CSV, XLSX) and the calls live elsewhere.

#include <map>
#include <string>
#include <vector>

#include "client/parsed.h"
#include "rectify/v1/rectify.pb.h"

namespace rectify::client {

// How a cell is typed in XLSX (CSV holds text only).
enum class CellKind { kText, kNumber, kDate, kDateTime, kLight };

struct LedgerColumn {
  const char* header;     // 中文表头
  CellKind kind;
  int width;              // XLSX column width, in characters (CJK counted as 2)
  bool importable;        // read back by import (the fields CreateItem takes)
};

// The columns, in DOMAIN.md's table order, then 状态, 版本, 修订号 and the times.
const std::vector<LedgerColumn>& LedgerColumns();

// One item as cells, one per column. Lists are one entry per line:
//   整改措施  "1. text（完成时限 2026-06-30）（已完成）"
//   延期记录  "2026-06-30 → 2026-07-31；原因：…；批准：张三；2026-06-20 10:00:00"
//   整改进展  "2026-05-01 10:00:00 张三：note"
//   佐证材料  "name；sha256 …；N 字节；uri"
//   签字背书  "2026-05-01 10:00:00 分管领导 张三 签字背书：opinion"
// Dates are YYYY-MM-DD, times YYYY-MM-DD HH:MM:SS in the local zone (TZ), enums their Chinese
// labels, the light 绿灯/蓝灯/黄灯/红灯 ("" once closed or cancelled).
std::vector<std::string> LedgerRow(const v1::Item& item);

// The column index of each header in an imported file. Errors: a required column missing, an
// unknown header (a typo must not drop a field silently), a header twice.
Parsed<std::map<std::string, size_t>> MapHeader(const std::vector<std::string>& header);

// One data row (cells by header) -> a create request; the message says what is wrong with which
// column. Only the importable columns are read; the others are output and are ignored.
Parsed<v1::CreateItemRequest> RowToCreate(const std::map<std::string, size_t>& columns,
                                          const std::vector<std::string>& cells);

// "1. 建立台账（完成时限 2026-06-30）" lines back into measures (the done mark is dropped: a
// new item's measures start undone).
Parsed<std::vector<v1::Measure>> ParseMeasures(const std::string& text);

}  // namespace rectify::client

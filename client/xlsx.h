#pragma once

// The ledger as an Excel workbook (libxlsxwriter): one sheet 整改台账, the header row frozen and
// filterable, columns as wide as their content (CJK counted as two), multi-line cells wrapped,
// 整改时限 a date cell, the times date-time cells, 年度/版本/修订号 numbers, and 预警灯 filled with
// its colour.

#include <string>
#include <vector>

#include "rectify/v1/rectify.pb.h"

namespace rectify::client {

// The fill colour (RGB) of a light's cell; 0 for none.
unsigned LightFill(v1::Light light);

// Writes the items to `path`; "" on success, else what went wrong.
std::string WriteLedgerXlsx(const std::string& path, const std::vector<v1::Item>& items);

}  // namespace rectify::client

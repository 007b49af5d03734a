#pragma once

// Plain-text tables and field/value sheets for terminals, aligned by display width so Chinese
// cells line up (see text_width.h). Rendering is pure: rows in, text out.

#include <string>
#include <vector>

#include "client/text_width.h"

namespace rectify::client {

struct Column {
  std::string header;
  Align align = Align::kLeft;
  int max_width = 0;  // cells wider than this are truncated with an ellipsis; 0 = no limit
};

using Row = std::vector<std::string>;

// A header line, a line of dashes under each header, then one line per row. Columns are
// separated by two spaces; each column is as wide as its widest cell (after truncation);
// control characters in cells become spaces; lines carry no trailing spaces. Rows shorter than
// the header are padded with empty cells, extra cells are ignored.
std::string RenderTable(const std::vector<Column>& columns, const std::vector<Row>& rows);

struct SheetRow {
  std::string label;
  std::string value;  // may hold several lines: continuation lines are indented under the value
};

// A two-column field/value sheet: labels padded to the widest label, then two spaces, then the
// value.
std::string RenderSheet(const std::vector<SheetRow>& rows);

}  // namespace rectify::client

#include "client/table.h"

#include <algorithm>

namespace rectify::client {
namespace {

constexpr std::string_view kGap = "  ";

void TrimTrailingSpaces(std::string* line) {
  while (!line->empty() && line->back() == ' ') line->pop_back();
}

}  // namespace

std::string RenderTable(const std::vector<Column>& columns, const std::vector<Row>& rows) {
  const size_t n = columns.size();
  // Cells as they will be shown: one line, truncated.
  std::vector<Row> cells;
  cells.reserve(rows.size() + 1);
  Row header;
  for (const Column& c : columns) header.push_back(OneLine(c.header));
  cells.push_back(std::move(header));
  for (const Row& row : rows) {
    Row shown(n);
    for (size_t i = 0; i < n && i < row.size(); ++i) {
      shown[i] = OneLine(row[i]);
      if (columns[i].max_width > 0) shown[i] = TruncateToWidth(shown[i], columns[i].max_width);
    }
    cells.push_back(std::move(shown));
  }

  std::vector<int> widths(n, 0);
  for (const Row& row : cells) {
    for (size_t i = 0; i < n; ++i) widths[i] = std::max(widths[i], DisplayWidth(row[i]));
  }

  auto render_line = [&](const Row& row) {
    std::string line;
    for (size_t i = 0; i < n; ++i) {
      if (i > 0) line.append(kGap);
      line.append(PadToWidth(row[i], widths[i], columns[i].align));
    }
    TrimTrailingSpaces(&line);
    line.push_back('\n');
    return line;
  };

  std::string out = render_line(cells[0]);
  std::string rule;
  for (size_t i = 0; i < n; ++i) {
    if (i > 0) rule.append(kGap);
    rule.append(static_cast<size_t>(widths[i]), '-');
  }
  out.append(rule).push_back('\n');
  for (size_t r = 1; r < cells.size(); ++r) out.append(render_line(cells[r]));
  return out;
}

std::string RenderSheet(const std::vector<SheetRow>& rows) {
  int label_width = 0;
  for (const SheetRow& row : rows) {
    label_width = std::max(label_width, DisplayWidth(OneLine(row.label)));
  }
  const std::string indent(static_cast<size_t>(label_width) + kGap.size(), ' ');
  std::string out;
  for (const SheetRow& row : rows) {
    std::string line = PadToWidth(OneLine(row.label), label_width);
    line.append(kGap);
    std::string_view value = row.value;
    bool first = true;
    while (true) {
      const size_t nl = value.find('\n');
      const std::string_view part = value.substr(0, nl);
      if (!first) line.append(indent);
      line.append(OneLine(part));
      TrimTrailingSpaces(&line);
      line.push_back('\n');
      out.append(line);
      line.clear();
      first = false;
      if (nl == std::string_view::npos) break;
      value.remove_prefix(nl + 1);
    }
  }
  return out;
}

}  // namespace rectify::client

#include "client/xlsx.h"

#include <xlsxwriter.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>

#include "client/ledger.h"
#include "client/text_width.h"

namespace rectify::client {
namespace {

constexpr int kMaxWidth = 60;  // wider content wraps instead

// "YYYY-MM-DD" or "YYYY-MM-DD HH:MM:SS" -> lxw_datetime; false if it is neither.
bool ToDatetime(const std::string& text, lxw_datetime* out) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  if (text.size() == 10 && std::sscanf(text.c_str(), "%4d-%2d-%2d", &y, &mo, &d) == 3) {
    *out = lxw_datetime{y, mo, d, 0, 0, 0};
    return true;
  }
  if (text.size() == 19 &&
      std::sscanf(text.c_str(), "%4d-%2d-%2d %2d:%2d:%2d", &y, &mo, &d, &h, &mi, &s) == 6) {
    *out = lxw_datetime{y, mo, d, h, mi, static_cast<double>(s)};
    return true;
  }
  return false;
}

int WidestLine(const std::string& text) {
  int widest = 0;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    widest = std::max(widest, DisplayWidth(std::string_view(text).substr(start, end - start)));
    start = end + 1;
  }
  return widest;
}

}  // namespace

unsigned LightFill(v1::Light light) {
  switch (light) {
    case v1::LIGHT_GREEN: return 0xC6EFCE;
    case v1::LIGHT_BLUE: return 0xBDD7EE;
    case v1::LIGHT_YELLOW: return 0xFFEB9C;
    case v1::LIGHT_RED: return 0xFFC7CE;
    default: return 0;
  }
}

std::string WriteLedgerXlsx(const std::string& path, const std::vector<v1::Item>& items) {
  lxw_workbook* wb = workbook_new(path.c_str());
  if (wb == nullptr) return "cannot create " + path;
  lxw_worksheet* ws = workbook_add_worksheet(wb, "整改台账");

  lxw_format* header = workbook_add_format(wb);
  format_set_bold(header);
  format_set_bg_color(header, 0xD9D9D9);
  format_set_border(header, LXW_BORDER_THIN);
  format_set_align(header, LXW_ALIGN_CENTER);
  format_set_align(header, LXW_ALIGN_VERTICAL_CENTER);
  lxw_format* text = workbook_add_format(wb);
  format_set_text_wrap(text);
  format_set_align(text, LXW_ALIGN_VERTICAL_TOP);
  lxw_format* date_fmt = workbook_add_format(wb);
  format_set_num_format(date_fmt, "yyyy-mm-dd");
  format_set_align(date_fmt, LXW_ALIGN_VERTICAL_TOP);
  lxw_format* datetime_fmt = workbook_add_format(wb);
  format_set_num_format(datetime_fmt, "yyyy-mm-dd hh:mm:ss");
  format_set_align(datetime_fmt, LXW_ALIGN_VERTICAL_TOP);
  lxw_format* number = workbook_add_format(wb);
  format_set_align(number, LXW_ALIGN_VERTICAL_TOP);
  std::map<unsigned, lxw_format*> lights;
  for (v1::Light l : {v1::LIGHT_GREEN, v1::LIGHT_BLUE, v1::LIGHT_YELLOW, v1::LIGHT_RED}) {
    lxw_format* f = workbook_add_format(wb);
    format_set_pattern(f, LXW_PATTERN_SOLID);
    format_set_bg_color(f, LightFill(l));
    format_set_align(f, LXW_ALIGN_CENTER);
    format_set_align(f, LXW_ALIGN_VERTICAL_TOP);
    lights[l] = f;
  }

  const auto& columns = LedgerColumns();
  std::vector<int> widths(columns.size());
  for (size_t c = 0; c < columns.size(); ++c) {
    worksheet_write_string(ws, 0, static_cast<lxw_col_t>(c), columns[c].header, header);
    widths[c] = DisplayWidth(columns[c].header) + 2;
  }
  lxw_row_t r = 1;
  for (const v1::Item& item : items) {
    const std::vector<std::string> cells = LedgerRow(item);
    for (size_t c = 0; c < columns.size(); ++c) {
      const std::string& v = cells[c];
      const auto col = static_cast<lxw_col_t>(c);
      widths[c] = std::max(widths[c], std::min(kMaxWidth, WidestLine(v) + 2));
      if (v.empty()) continue;
      lxw_datetime dt;
      switch (columns[c].kind) {
        case CellKind::kNumber:
          worksheet_write_number(ws, r, col, std::strtod(v.c_str(), nullptr), number);
          break;
        case CellKind::kDate:
        case CellKind::kDateTime:
          if (ToDatetime(v, &dt)) {
            worksheet_write_datetime(ws, r, col, &dt,
                                     columns[c].kind == CellKind::kDate ? date_fmt : datetime_fmt);
          } else {
            worksheet_write_string(ws, r, col, v.c_str(), text);
          }
          break;
        case CellKind::kLight:
          worksheet_write_string(ws, r, col, v.c_str(), lights.count(item.light())
                                                            ? lights[item.light()]
                                                            : text);
          break;
        case CellKind::kText:
          worksheet_write_string(ws, r, col, v.c_str(), text);
          break;
      }
    }
    ++r;
  }
  for (size_t c = 0; c < columns.size(); ++c) {
    worksheet_set_column(ws, static_cast<lxw_col_t>(c), static_cast<lxw_col_t>(c), widths[c],
                         nullptr);
  }
  worksheet_freeze_panes(ws, 1, 0);
  worksheet_autofilter(ws, 0, 0, r > 1 ? r - 1 : 0, static_cast<lxw_col_t>(columns.size() - 1));
  const lxw_error err = workbook_close(wb);
  if (err != LXW_NO_ERROR) return "cannot write " + path + ": " + lxw_strerror(err);
  return "";
}

}  // namespace rectify::client

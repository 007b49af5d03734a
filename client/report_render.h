#pragma once

// How `rectifyctl report` prints a Report: a table (aligned by display width, so Chinese group
// names line up), CSV (one row for the whole and one per group, every figure a column), or the
// Markdown paragraph a report writer pastes into a year-end report (Chinese), every figure
// followed by its source "（台账第 R 版，YYYY-MM-DD 统计）". JSON is render.h's ToJson.

#include <string>

#include "client/enums.h"
#include "rectify/v1/rectify.pb.h"

namespace rectify::client {

// The group key as people read it: units and leaders as they are, sources and categories by
// their Chinese (or English) label.
std::string GroupLabel(const v1::Report& report, const std::string& key, Lang lang);

std::string ReportTable(const v1::Report& report, Lang lang);
std::string ReportCsv(const v1::Report& report, Lang lang);
std::string ReportMarkdown(const v1::Report& report);

// "60.0%"; "—" when there is no denominator.
std::string Percent(double rate, uint64_t denominator);

}  // namespace rectify::client

#pragma once

// Year-end figures (DOMAIN.md "Figures a year-end report needs"): a pure accumulator over items.
//
// The engine feeds it, from ONE snapshot, every item of the report year (found through the year
// index) with the number of reminders fired for it, and the previous year's meeting and
// public-concern items (found through year x source index intersections); Finish() returns every
// figure, overall and per group. One pass, O(items read); nothing is read twice and no figure
// rescans the ledger. Pure: no I/O, no clock; callable from any thread (one builder per report).

#include <map>
#include <set>
#include <string>

#include <date/date.h>
#include <date/tz.h>

#include "common/status.h"
#include "domain/calendar.h"
#include "rectify/v1/rectify.pb.h"

namespace rectify::domain {

// Shape checks for GetReport (INVALID_ARGUMENT naming the field).
Status ValidateReportRequest(const v1::GetReportRequest& req);

// The sources whose previous-year items the report needs: 民主生活会, 组织生活会 (problems from
// last year's meetings, rectified?) and 群众急难愁盼 (urgent public problems closed this year).
const std::vector<v1::Source>& PreviousYearSources();

class ReportBuilder {
 public:
  // `today` is the local date overdue is judged on; `zone` turns timestamps into local dates;
  // `calendar` counts working days from assignment to close.
  ReportBuilder(v1::GetReportRequest req, date::year_month_day today, const date::time_zone* zone,
                const Calendar* calendar);

  // An item of the report year, with the reminders fired for it. Items of another year or
  // (with req.unit) another unit are ignored, so a caller may over-supply.
  void AddItem(const v1::Item& item, uint64_t reminders);
  // An item of the year before the report year; only its meeting / public-concern facts count.
  void AddPreviousYearItem(const v1::Item& item);

  // Every figure; revision, generated_at and items_read are the caller's to stamp.
  v1::Report Finish() const;

 private:
  struct Acc {
    uint64_t items = 0;
    std::map<int, uint64_t> by_state;
    uint64_t closed_on_time = 0, overdue_now = 0, closed_after_overdue = 0;
    int64_t working_days_sum = 0;
    uint64_t closed_measured = 0, with_measures = 0;
    uint64_t meetings_last_year = 0, meetings_last_year_closed = 0;
    uint64_t public_concern = 0, public_concern_closed = 0;
    uint64_t reminders = 0, supervision = 0, admonition = 0, signoffs = 0;
    std::map<std::string, uint64_t> self_examination;  // owner -> items
  };

  bool InScope(const v1::Item& item, int year) const;
  std::string GroupKey(const v1::Item& item) const;
  // The accumulators an item counts in: overall, and its group when grouping.
  template <typename F>
  void ForEachAcc(const v1::Item& item, F&& f);
  bool ClosedInReportYear(const v1::Item& item) const;
  v1::ReportFigures Figures(const Acc& acc, bool overall) const;

  v1::GetReportRequest req_;
  date::year_month_day today_;
  const date::time_zone* zone_;
  const Calendar* calendar_;
  Acc overall_;
  std::map<std::string, Acc> groups_;
};

}  // namespace rectify::domain

// Year-end report reads (issue #6). Runs on the calling (gRPC) thread from one snapshot; writes
// nothing. Cost: O(items of the year + last year's meeting/public-concern items), each item read
// once through the year index (intersected with the unit index when a unit is given), plus one
// key-only prefix seek per item for its reminder count. See daemon/engine/README.md.

#include <functional>

#include "domain/dates.h"
#include "domain/policy.h"
#include "domain/report.h"
#include "engine/engine.h"
#include "engine/group.h"

namespace rectify::engine {
namespace {

// Items per index page; the store bounds each page's candidates, the loop follows the cursor.
constexpr size_t kReportPage = 1000;

// Calls f(item) for every item the query matches, page after page, all from `view`.
template <typename F>
Result<uint64_t> ForEachItem(const store::ReadView& view, store::ListQuery q, F&& f) {
  uint64_t n = 0;
  q.limit = kReportPage;
  while (true) {
    ASSIGN_OR_RETURN(auto page, view.List(q));
    for (const auto& item : page.items) {
      RETURN_IF_ERROR(f(item));
      n++;
    }
    if (page.next_cursor.empty()) return n;
    q.cursor = page.next_cursor;
  }
}

}  // namespace

Result<v1::Report> Engine::GetReport(const domain::Actor& actor,
                                     const v1::GetReportRequest& req) {
  auto view = store_.View();
  // A caller who does not see every unit gets the figures of the items they may see
  // (domain/policy.h CanSee), like ListItems: the report never counts a hidden item.
  const auto settings = this->settings();  // one policy and calendar for the whole report
  std::function<bool(const v1::Item&)> visible;
  if (!domain::SeesAllUnits(actor, settings->policy)) {
    visible = [&](const v1::Item& item) { return domain::CanSee(item, actor, settings->policy); };
  }
  const TimePoint now = clock_.Now();
  domain::ReportBuilder builder(req, domain::LocalDate(now, zone_), zone_,
                                settings->calendar.get());

  store::ListQuery q;
  q.year = req.year();
  q.unit = req.unit();
  q.predicate = visible;
  ASSIGN_OR_RETURN(uint64_t read, ForEachItem(*view, q, [&](const v1::Item& item) -> Status {
                     ASSIGN_OR_RETURN(uint64_t reminders, view->CountItemReminders(item.id()));
                     builder.AddItem(item, reminders);
                     return Status::Ok();
                   }));
  for (v1::Source source : domain::PreviousYearSources()) {
    store::ListQuery prev;
    prev.year = req.year() - 1;
    prev.unit = req.unit();
    prev.source = source;
    prev.predicate = visible;
    ASSIGN_OR_RETURN(uint64_t n, ForEachItem(*view, prev, [&](const v1::Item& item) -> Status {
                       builder.AddPreviousYearItem(item);
                       return Status::Ok();
                     }));
    read += n;
  }

  v1::Report report = builder.Finish();
  report.set_revision(view->revision());
  *report.mutable_generated_at() = ToProto(now);
  report.set_items_read(read);
  return report;
}

}  // namespace rectify::engine

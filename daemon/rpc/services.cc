#include "rpc/services.h"

#include "domain/dates.h"
#include "domain/validation.h"
#include "rpc/unary_call.h"

namespace rectify::rpc {
namespace {

// A mutation: shape-checked and attributed here, then queued; the call finishes when the
// engine's group commit is durable (or refused).
template <typename Req, typename Validate, typename Submit>
grpc::ServerUnaryReactor* Mutate(grpc::CallbackServerContext* ctx, const grpc::ByteBuffer* in,
                                 grpc::ByteBuffer* out, const Callers& callers,
                                 domain::Operation op, Validate validate, Submit submit) {
  return Serve<Req, v1::Item>(ctx, in, out, callers, [&](UnaryCall<Req, v1::Item>* call) {
    auto actor = callers.Authorize(*ctx, op);
    if (!actor.ok()) return call->Finish(actor.status());
    if (Status st = validate(call->request); !st.ok()) return call->Finish(st);
    if (!actor.ok()) return call->Finish(actor.status());
    submit(std::move(actor).value(), call->request, [call](Result<v1::Item> r) {
      if (r.ok()) call->response = std::move(r).value();
      call->Finish(r.status());
    });
  });
}

// A read: shape-checked, attributed, answered from a snapshot on this thread.
template <typename Req, typename Resp, typename Validate, typename Read>
grpc::ServerUnaryReactor* Query(grpc::CallbackServerContext* ctx, const grpc::ByteBuffer* in,
                                grpc::ByteBuffer* out, const Callers& callers,
                                domain::Operation op, Validate validate, Read read) {
  return Serve<Req, Resp>(ctx, in, out, callers, [&](UnaryCall<Req, Resp>* call) {
    auto actor = callers.Authorize(*ctx, op);
    if (!actor.ok()) return call->Finish(actor.status());
    if (Status st = validate(call->request); !st.ok()) return call->Finish(st);
    Result<Resp> r = read(*actor, call->request);
    if (r.ok()) call->response = std::move(r).value();
    call->Finish(r.status());
  });
}

Status ValidateGet(const v1::GetItemRequest& req) { return domain::ValidateItemId(req.id()); }

Status ValidateHistory(const v1::GetHistoryRequest& req, const domain::Limits& limits) {
  RETURN_IF_ERROR(domain::ValidateItemId(req.id()));
  return domain::ValidatePageSize(req.page_size(), limits);
}

}  // namespace

grpc::ServerUnaryReactor* ItemService::CreateItem(grpc::CallbackServerContext* ctx,
                                                  const Raw* in, Raw* out) {
  return Mutate<v1::CreateItemRequest>(
      ctx, in, out, callers_, domain::Operation::kCreateItem,
      [this](auto& r) { return domain::ValidateCreate(r, engine_.limits()); },
      [this](auto actor, auto& req, auto done) {
        engine_.SubmitCreate(std::move(actor), req, std::move(done));
      });
}

grpc::ServerUnaryReactor* ItemService::UpdateItem(grpc::CallbackServerContext* ctx,
                                                  const Raw* in, Raw* out) {
  return Mutate<v1::UpdateItemRequest>(
      ctx, in, out, callers_, domain::Operation::kUpdateItem,
      [this](auto& r) { return domain::ValidateUpdate(r, engine_.limits()); },
      [this](auto actor, auto& req, auto done) {
        engine_.SubmitUpdate(std::move(actor), req, std::move(done));
      });
}

grpc::ServerUnaryReactor* ItemService::Transition(grpc::CallbackServerContext* ctx,
                                                  const Raw* in, Raw* out) {
  return Mutate<v1::TransitionRequest>(
      ctx, in, out, callers_, domain::Operation::kTransition,
      [this](auto& r) { return domain::ValidateTransition(r, engine_.limits()); },
      [this](auto actor, auto& req, auto done) {
        engine_.SubmitTransition(std::move(actor), req, std::move(done));
      });
}

grpc::ServerUnaryReactor* ItemService::AddProgress(grpc::CallbackServerContext* ctx,
                                                   const Raw* in, Raw* out) {
  return Mutate<v1::AddProgressRequest>(
      ctx, in, out, callers_, domain::Operation::kAddProgress,
      [this](auto& r) { return domain::ValidateProgress(r, engine_.limits()); },
      [this](auto actor, auto& req, auto done) {
        engine_.SubmitProgress(std::move(actor), req, std::move(done));
      });
}

grpc::ServerUnaryReactor* ItemService::GetItem(grpc::CallbackServerContext* ctx, const Raw* in,
                                               Raw* out) {
  return Query<v1::GetItemRequest, v1::Item>(
      ctx, in, out, callers_, domain::Operation::kGetItem, ValidateGet,
      [this](const auto& actor, const auto& req) { return engine_.GetItem(actor, req.id()); });
}

grpc::ServerUnaryReactor* ItemService::ListItems(grpc::CallbackServerContext* ctx,
                                                 const Raw* in, Raw* out) {
  return Query<v1::ListItemsRequest, v1::ListItemsResponse>(
      ctx, in, out, callers_, domain::Operation::kListItems,
      [this](auto& r) { return domain::ValidateList(r, engine_.limits()); },
      [this](const auto& actor, const auto& req) { return engine_.ListItems(actor, req); });
}

grpc::ServerUnaryReactor* ItemService::GetHistory(grpc::CallbackServerContext* ctx,
                                                  const Raw* in, Raw* out) {
  return Query<v1::GetHistoryRequest, v1::GetHistoryResponse>(
      ctx, in, out, callers_, domain::Operation::kGetHistory,
      [this](auto& r) { return ValidateHistory(r, engine_.limits()); },
      [this](const auto& actor, const auto& req) { return engine_.GetHistory(actor, req); });
}

Result<v1::ServerInfo> AdminService::Info() {
  ASSIGN_OR_RETURN(v1::ServerInfo info, engine_.GetServerInfo());
  info.set_test_clock(test_clock_ != nullptr);
  return info;
}

grpc::ServerUnaryReactor* AdminService::GetServerInfo(grpc::CallbackServerContext* ctx,
                                                      const Raw* in, Raw* out) {
  return Serve<v1::GetServerInfoRequest, v1::ServerInfo>(ctx, in, out, callers_, [&](auto* call) {
    if (auto a = callers_.Authorize(*ctx, domain::Operation::kGetServerInfo); !a.ok()) {
      return call->Finish(a.status());
    }
    auto r = Info();
    if (r.ok()) call->response = std::move(r).value();
    call->Finish(r.status());
  });
}

grpc::ServerUnaryReactor* AdminService::SetClock(grpc::CallbackServerContext* ctx, const Raw* in,
                                                 Raw* out) {
  return Serve<v1::SetClockRequest, v1::ServerInfo>(ctx, in, out, callers_, [&](auto* call) {
    if (auto a = callers_.Authorize(*ctx, domain::Operation::kSetClock); !a.ok()) {
      return call->Finish(a.status());
    }
    if (test_clock_ == nullptr) {
      return call->Finish(FailedPrecondition(
          "this rectifyd runs on the system clock; SetClock needs a daemon started with "
          "--test-clock"));
    }
    const auto& req = call->request;
    if (req.has_time() == (req.advance_seconds() != 0)) {
      return call->Finish(InvalidArgument("give exactly one of time and advance_seconds"));
    }
    if (req.has_time()) {
      test_clock_->Set(TimePoint(std::chrono::seconds(req.time().seconds()) +
                                 std::chrono::microseconds(req.time().nanos() / 1000)));
    } else {
      test_clock_->Advance(std::chrono::seconds(req.advance_seconds()));
    }
    auto r = Info();
    if (r.ok()) call->response = std::move(r).value();
    call->Finish(r.status());
  });
}

grpc::ServerUnaryReactor* AdminService::GetCalendar(grpc::CallbackServerContext* ctx,
                                                    const Raw* in, Raw* out) {
  return Serve<v1::GetCalendarRequest, v1::GetCalendarResponse>(ctx, in, out, callers_, [&](auto* call) {
    if (auto a = callers_.Authorize(*ctx, domain::Operation::kGetCalendar); !a.ok()) {
      return call->Finish(a.status());
    }
    const auto calendar = engine_.calendar();
    const domain::Calendar& cal = *calendar;
    const int want = call->request.year();
    if (want != 0 && !cal.HasYear(want)) {
      return call->Finish(NotFound("the working-day calendar has no data for " +
                                   std::to_string(want) + "; it has " +
                                   [&] {
                                     std::string ys;
                                     for (int y : cal.Years()) ys += (ys.empty() ? "" : ", ") + std::to_string(y);
                                     return ys;
                                   }()));
    }
    for (int y : cal.Years()) {
      if (want != 0 && y != want) continue;
      const domain::YearArrangement* a = cal.Year(y);
      auto* out = call->response.add_years();
      out->set_year(y);
      out->set_notice(a->notice);
      for (const auto& h : a->holidays) {
        auto* ho = out->add_holidays();
        ho->set_name(h.name);
        ho->set_from(domain::FormatDate(h.from));
        ho->set_to(domain::FormatDate(h.to));
      }
      for (const auto& d : a->workdays) out->add_workdays(domain::FormatDate(d));
      auto n = cal.WorkingDaysBetween(date::year{y - 1} / 12 / 31, date::year{y} / 12 / 31);
      if (n.ok()) out->set_working_days(*n);
    }
    call->response.set_time_zone(std::string(engine_.zone()->name()));
    call->Finish(Status::Ok());
  });
}

grpc::ServerUnaryReactor* AdminService::AddWorkingDays(grpc::CallbackServerContext* ctx,
                                                       const Raw* in, Raw* out) {
  return Serve<v1::AddWorkingDaysRequest, v1::AddWorkingDaysResponse>(
      ctx, in, out, callers_, [&](auto* call) {
        if (auto a = callers_.Authorize(*ctx, domain::Operation::kAddWorkingDays); !a.ok()) {
          return call->Finish(a.status());
        }
        auto start = domain::ParseDate(call->request.date());
        if (!start.ok()) return call->Finish(start.status());
        if (call->request.days() < -2500 || call->request.days() > 2500) {
          return call->Finish(InvalidArgument("days must be between -2500 and 2500"));
        }
        const auto calendar = engine_.calendar();
    const domain::Calendar& cal = *calendar;
        auto d = cal.AddWorkingDays(*start, call->request.days());
        if (!d.ok()) return call->Finish(d.status());
        auto working = cal.IsWorkingDay(*start);
        call->response.set_date(domain::FormatDate(*d));
        call->response.set_start_is_working_day(working.ok() && *working);
        call->Finish(Status::Ok());
      });
}

// A long read (every retained event) on this callback thread, like the other reads: admin
// only, and it takes no lock the writer needs (a snapshot).
grpc::ServerUnaryReactor* ReminderService::RunReminders(grpc::CallbackServerContext* ctx,
                                                        const Raw* in, Raw* out) {
  return Serve<v1::RunRemindersRequest, v1::RunRemindersResponse>(
      ctx, in, out, callers_, [&](auto* call) {
        auto actor = callers_.Authorize(*ctx, call->request.dry_run()
                                                  ? domain::Operation::kPreviewReminders
                                                  : domain::Operation::kRunReminders);
        if (!actor.ok()) return call->Finish(actor.status());
        if (call->request.dry_run()) {
          auto r = engine_.PreviewRun();
          if (r.ok()) call->response = std::move(r).value();
          return call->Finish(r.status());
        }
        engine_.SubmitRun(actor->name, [call](Result<v1::RunRemindersResponse> r) {
          if (r.ok()) call->response = std::move(r).value();
          call->Finish(r.status());
        });
      });
}

grpc::ServerUnaryReactor* ReminderService::ListReminders(grpc::CallbackServerContext* ctx,
                                                         const Raw* in, Raw* out) {
  return Query<v1::ListRemindersRequest, v1::ListRemindersResponse>(
      ctx, in, out, callers_, domain::Operation::kListReminders,
      [this](const v1::ListRemindersRequest& r) -> Status {
        if (!r.item_id().empty()) RETURN_IF_ERROR(domain::ValidateItemId(r.item_id()));
        return domain::ValidatePageSize(r.page_size(), engine_.limits());
      },
      [this](const auto& actor, const auto& req) { return engine_.ListReminders(actor, req); });
}

}  // namespace rectify::rpc

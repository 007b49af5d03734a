#include "rpc/report_service.h"

#include "domain/report.h"
#include "rpc/unary_call.h"

namespace rectify::rpc {

grpc::ServerUnaryReactor* ReportService::GetReport(grpc::CallbackServerContext* ctx,
                                                   const Raw* in, Raw* out) {
  using Call = UnaryCall<v1::GetReportRequest, v1::Report>;
  return Serve<v1::GetReportRequest, v1::Report>(ctx, in, out, callers_, [&](Call* call) {
    auto actor = callers_.Authorize(*ctx, domain::Operation::kGetReport);
    if (!actor.ok()) return call->Finish(actor.status());
    if (Status st = domain::ValidateReportRequest(call->request); !st.ok()) {
      return call->Finish(st);
    }
    Result<v1::Report> r = engine_.GetReport(*actor, call->request);
    if (r.ok()) call->response = std::move(r).value();
    call->Finish(r.status());
  });
}

}  // namespace rectify::rpc

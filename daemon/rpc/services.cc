#include "rpc/services.h"

#include "domain/validation.h"
#include "rpc/unary_call.h"

namespace rectify::rpc {
namespace {

// A mutation: shape-checked and attributed here, then queued; the call finishes when the
// engine's group commit is durable (or refused).
template <typename Req, typename Validate, typename Submit>
grpc::ServerUnaryReactor* Mutate(grpc::CallbackServerContext* ctx, const grpc::ByteBuffer* in,
                                 grpc::ByteBuffer* out, const Callers& callers,
                                 Validate validate, Submit submit) {
  return Serve<Req, v1::Item>(ctx, in, out, [&](UnaryCall<Req, v1::Item>* call) {
    if (Status st = validate(call->request); !st.ok()) return call->Finish(st);
    auto actor = callers.Identify(*ctx);
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
                                Validate validate, Read read) {
  return Serve<Req, Resp>(ctx, in, out, [&](UnaryCall<Req, Resp>* call) {
    if (Status st = validate(call->request); !st.ok()) return call->Finish(st);
    auto actor = callers.Identify(*ctx);
    if (!actor.ok()) return call->Finish(actor.status());
    Result<Resp> r = read(*actor, call->request);
    if (r.ok()) call->response = std::move(r).value();
    call->Finish(r.status());
  });
}

Status ValidateGet(const v1::GetItemRequest& req) { return domain::ValidateItemId(req.id()); }

Status ValidateHistory(const v1::GetHistoryRequest& req) {
  RETURN_IF_ERROR(domain::ValidateItemId(req.id()));
  if (req.page_size() < 0 || req.page_size() > 1000) {
    return InvalidArgument("page_size must be between 0 and 1000");
  }
  return Status::Ok();
}

}  // namespace

grpc::ServerUnaryReactor* ItemService::CreateItem(grpc::CallbackServerContext* ctx,
                                                  const Raw* in, Raw* out) {
  return Mutate<v1::CreateItemRequest>(
      ctx, in, out, callers_, [](auto& r) { return domain::ValidateCreate(r); },
      [this](auto actor, auto& req, auto done) {
        engine_.SubmitCreate(std::move(actor), req, std::move(done));
      });
}

grpc::ServerUnaryReactor* ItemService::UpdateItem(grpc::CallbackServerContext* ctx,
                                                  const Raw* in, Raw* out) {
  return Mutate<v1::UpdateItemRequest>(
      ctx, in, out, callers_, [](auto& r) { return domain::ValidateUpdate(r); },
      [this](auto actor, auto& req, auto done) {
        engine_.SubmitUpdate(std::move(actor), req, std::move(done));
      });
}

grpc::ServerUnaryReactor* ItemService::Transition(grpc::CallbackServerContext* ctx,
                                                  const Raw* in, Raw* out) {
  return Mutate<v1::TransitionRequest>(
      ctx, in, out, callers_, [](auto& r) { return domain::ValidateTransition(r); },
      [this](auto actor, auto& req, auto done) {
        engine_.SubmitTransition(std::move(actor), req, std::move(done));
      });
}

grpc::ServerUnaryReactor* ItemService::AddProgress(grpc::CallbackServerContext* ctx,
                                                   const Raw* in, Raw* out) {
  return Mutate<v1::AddProgressRequest>(
      ctx, in, out, callers_, [](auto& r) { return domain::ValidateProgress(r); },
      [this](auto actor, auto& req, auto done) {
        engine_.SubmitProgress(std::move(actor), req, std::move(done));
      });
}

grpc::ServerUnaryReactor* ItemService::GetItem(grpc::CallbackServerContext* ctx, const Raw* in,
                                               Raw* out) {
  return Query<v1::GetItemRequest, v1::Item>(
      ctx, in, out, callers_, ValidateGet,
      [this](const auto& actor, const auto& req) { return engine_.GetItem(actor, req.id()); });
}

grpc::ServerUnaryReactor* ItemService::ListItems(grpc::CallbackServerContext* ctx,
                                                 const Raw* in, Raw* out) {
  return Query<v1::ListItemsRequest, v1::ListItemsResponse>(
      ctx, in, out, callers_, [](auto& r) { return domain::ValidateList(r); },
      [this](const auto& actor, const auto& req) { return engine_.ListItems(actor, req); });
}

grpc::ServerUnaryReactor* ItemService::GetHistory(grpc::CallbackServerContext* ctx,
                                                  const Raw* in, Raw* out) {
  return Query<v1::GetHistoryRequest, v1::GetHistoryResponse>(
      ctx, in, out, callers_, ValidateHistory,
      [this](const auto& actor, const auto& req) { return engine_.GetHistory(actor, req); });
}

grpc::ServerUnaryReactor* AdminService::GetServerInfo(grpc::CallbackServerContext* ctx,
                                                      const grpc::ByteBuffer* in,
                                                      grpc::ByteBuffer* out) {
  return Serve<v1::GetServerInfoRequest, v1::ServerInfo>(ctx, in, out, [this](auto* call) {
    auto r = engine_.GetServerInfo();
    if (r.ok()) call->response = std::move(r).value();
    call->Finish(r.status());
  });
}

}  // namespace rectify::rpc

#include "rpc/services.h"

#include "domain/validation.h"
#include "rpc/status_mapping.h"

namespace rectify::rpc {
namespace {

grpc::ServerUnaryReactor* Finish(grpc::CallbackServerContext* ctx, const Status& st) {
  auto* reactor = ctx->DefaultReactor();
  reactor->Finish(ToGrpc(st));
  return reactor;
}

// Answers a read from its result.
template <typename T, typename Resp>
grpc::ServerUnaryReactor* Reply(grpc::CallbackServerContext* ctx, Result<T> r, Resp* resp) {
  if (r.ok()) *resp = std::move(r).value();
  return Finish(ctx, r.status());
}

// A mutation: validated here, then queued; the reactor finishes when the engine answers.
template <typename Submit>
grpc::ServerUnaryReactor* Mutate(grpc::CallbackServerContext* ctx, const Callers& callers,
                                 const Status& shape, v1::Item* resp, Submit submit) {
  if (!shape.ok()) return Finish(ctx, shape);
  auto actor = callers.Identify(*ctx);
  if (!actor.ok()) return Finish(ctx, actor.status());
  auto* reactor = ctx->DefaultReactor();
  submit(std::move(actor).value(), [reactor, resp](Result<v1::Item> r) {
    if (r.ok()) *resp = std::move(r).value();
    reactor->Finish(ToGrpc(r.status()));
  });
  return reactor;
}

}  // namespace

grpc::ServerUnaryReactor* ItemService::CreateItem(grpc::CallbackServerContext* ctx,
                                                  const v1::CreateItemRequest* req,
                                                  v1::Item* resp) {
  return Mutate(ctx, callers_, domain::ValidateCreate(*req), resp, [&](auto actor, auto done) {
    engine_.SubmitCreate(std::move(actor), *req, std::move(done));
  });
}

grpc::ServerUnaryReactor* ItemService::UpdateItem(grpc::CallbackServerContext* ctx,
                                                  const v1::UpdateItemRequest* req,
                                                  v1::Item* resp) {
  return Mutate(ctx, callers_, domain::ValidateUpdate(*req), resp, [&](auto actor, auto done) {
    engine_.SubmitUpdate(std::move(actor), *req, std::move(done));
  });
}

grpc::ServerUnaryReactor* ItemService::Transition(grpc::CallbackServerContext* ctx,
                                                  const v1::TransitionRequest* req,
                                                  v1::Item* resp) {
  return Mutate(ctx, callers_, domain::ValidateTransition(*req), resp,
                [&](auto actor, auto done) {
                  engine_.SubmitTransition(std::move(actor), *req, std::move(done));
                });
}

grpc::ServerUnaryReactor* ItemService::AddProgress(grpc::CallbackServerContext* ctx,
                                                   const v1::AddProgressRequest* req,
                                                   v1::Item* resp) {
  return Mutate(ctx, callers_, domain::ValidateProgress(*req), resp, [&](auto actor, auto done) {
    engine_.SubmitProgress(std::move(actor), *req, std::move(done));
  });
}

grpc::ServerUnaryReactor* ItemService::GetItem(grpc::CallbackServerContext* ctx,
                                               const v1::GetItemRequest* req, v1::Item* resp) {
  if (Status st = domain::ValidateItemId(req->id()); !st.ok()) return Finish(ctx, st);
  auto actor = callers_.Identify(*ctx);
  if (!actor.ok()) return Finish(ctx, actor.status());
  return Reply(ctx, engine_.GetItem(*actor, req->id()), resp);
}

grpc::ServerUnaryReactor* ItemService::ListItems(grpc::CallbackServerContext* ctx,
                                                 const v1::ListItemsRequest* req,
                                                 v1::ListItemsResponse* resp) {
  if (Status st = domain::ValidateList(*req); !st.ok()) return Finish(ctx, st);
  auto actor = callers_.Identify(*ctx);
  if (!actor.ok()) return Finish(ctx, actor.status());
  return Reply(ctx, engine_.ListItems(*actor, *req), resp);
}

grpc::ServerUnaryReactor* ItemService::GetHistory(grpc::CallbackServerContext* ctx,
                                                  const v1::GetHistoryRequest* req,
                                                  v1::GetHistoryResponse* resp) {
  if (Status st = domain::ValidateItemId(req->id()); !st.ok()) return Finish(ctx, st);
  if (req->page_size() < 0 || req->page_size() > 1000) {
    return Finish(ctx, InvalidArgument("page_size must be between 0 and 1000"));
  }
  auto actor = callers_.Identify(*ctx);
  if (!actor.ok()) return Finish(ctx, actor.status());
  return Reply(ctx, engine_.GetHistory(*actor, *req), resp);
}

grpc::ServerUnaryReactor* AdminService::GetServerInfo(grpc::CallbackServerContext* ctx,
                                                      const v1::GetServerInfoRequest* req,
                                                      v1::ServerInfo* resp) {
  return Reply(ctx, engine_.GetServerInfo(), resp);
}

}  // namespace rectify::rpc

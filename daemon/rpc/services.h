#pragma once

// The gRPC services. Thin: shape-check and convert the request, identify the caller, hand it to
// the engine, finish the reactor when the engine answers. No semantic rule lives here. Unary
// reads run on the gRPC callback thread (RocksDB reads from a snapshot, no fsync); mutations
// complete from the engine's writer thread after their group is durable.

#include "engine/engine.h"
#include "rectify/v1/rectify.grpc.pb.h"
#include "rpc/caller.h"

namespace rectify::rpc {

class ItemService final : public v1::ItemService::CallbackService {
 public:
  ItemService(engine::Engine& engine, const Callers& callers)
      : engine_(engine), callers_(callers) {}

  grpc::ServerUnaryReactor* CreateItem(grpc::CallbackServerContext* ctx,
                                       const v1::CreateItemRequest* req, v1::Item* resp) override;
  grpc::ServerUnaryReactor* GetItem(grpc::CallbackServerContext* ctx,
                                    const v1::GetItemRequest* req, v1::Item* resp) override;
  grpc::ServerUnaryReactor* ListItems(grpc::CallbackServerContext* ctx,
                                      const v1::ListItemsRequest* req,
                                      v1::ListItemsResponse* resp) override;
  grpc::ServerUnaryReactor* UpdateItem(grpc::CallbackServerContext* ctx,
                                       const v1::UpdateItemRequest* req, v1::Item* resp) override;
  grpc::ServerUnaryReactor* Transition(grpc::CallbackServerContext* ctx,
                                       const v1::TransitionRequest* req, v1::Item* resp) override;
  grpc::ServerUnaryReactor* AddProgress(grpc::CallbackServerContext* ctx,
                                        const v1::AddProgressRequest* req,
                                        v1::Item* resp) override;
  grpc::ServerUnaryReactor* GetHistory(grpc::CallbackServerContext* ctx,
                                       const v1::GetHistoryRequest* req,
                                       v1::GetHistoryResponse* resp) override;

 private:
  engine::Engine& engine_;
  const Callers& callers_;
};

class AdminService final : public v1::AdminService::CallbackService {
 public:
  AdminService(engine::Engine& engine, const Callers& callers)
      : engine_(engine), callers_(callers) {}
  grpc::ServerUnaryReactor* GetServerInfo(grpc::CallbackServerContext* ctx,
                                          const v1::GetServerInfoRequest* req,
                                          v1::ServerInfo* resp) override;

 private:
  engine::Engine& engine_;
  const Callers& callers_;
};

}  // namespace rectify::rpc

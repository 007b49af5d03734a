#include "rpc/watch_service.h"

#include <grpcpp/impl/codegen/proto_utils.h>

#include <mutex>

#include "domain/policy.h"
#include "domain/validation.h"
#include "rpc/status_mapping.h"

namespace rectify::rpc {
namespace {

class WatchReactor final : public grpc::ServerWriteReactor<grpc::ByteBuffer>,
                           public watch::Sink {
 public:
  WatchReactor(grpc::CallbackServerContext* ctx, WireCache& wire) : ctx_(ctx), wire_(wire) {}

  void Begin(watch::Hub& hub, const v1::WatchRequest& req, watch::Visibility visible) {
    // stream_ is set before the hub can call back, so every reaction finds it.
    auto stream = hub.NewStream(req, this, std::move(visible));
    {
      std::lock_guard lock(mu_);
      stream_ = stream;
    }
    hub.Begin(stream, req.start_revision());
  }

  // watch::Sink
  // The hub has at most one write outstanding per stream, so out_ is free again by now.
  void Write(const v1::WatchResponse* response) override {
    out_ = wire_.Encode(*response);
    StartWrite(&out_);
  }
  void Finish(const Status& status, uint64_t resume_from) override {
    ctx_->AddTrailingMetadata("x-rectify-resume-revision", std::to_string(resume_from));
    grpc::Status st = ToGrpc(status);
    if (status.code() == Code::kOutOfRange) {
      // The compact revision travels in the details too, as a serialized WatchResponse.
      v1::WatchResponse details;
      details.set_compact_revision(resume_from);  // for OUT_OF_RANGE: the compact revision
      st = grpc::Status(st.error_code(), st.error_message(), details.SerializeAsString());
    }
    grpc::ServerWriteReactor<grpc::ByteBuffer>::Finish(st);
  }

  // grpc reactions
  void OnWriteDone(bool ok) override {
    if (auto s = stream()) s->OnWriteDone(ok);
  }
  void OnCancel() override {
    if (auto s = stream()) s->Cancel();
  }
  void OnDone() override {
    if (auto s = stream()) s->Detach();
    delete this;
  }

 private:
  // The reactions come on gRPC's threads (OnCancel on its executor), handed this reactor
  // through libgrpc. The lock orders them after Begin in a way ThreadSanitizer can see too;
  // it is taken once per reaction and never contended.
  std::shared_ptr<watch::Stream> stream() {
    std::lock_guard lock(mu_);
    return stream_;
  }

  grpc::CallbackServerContext* ctx_;
  WireCache& wire_;
  grpc::ByteBuffer out_;  // the response being written
  std::mutex mu_;
  std::shared_ptr<watch::Stream> stream_;  // guarded by mu_
};

class ErrorReactor final : public grpc::ServerWriteReactor<grpc::ByteBuffer> {
 public:
  explicit ErrorReactor(const Status& st) { Finish(ToGrpc(st)); }
  void OnDone() override { delete this; }
};

}  // namespace

grpc::Slice WireCache::EventField(const v1::Event& event) {
  Slot& slot = slots_[event.revision() % kSlots];
  {
    std::lock_guard lock(mu_);
    if (slot.revision == event.revision()) return slot.bytes;
  }
  // Field 1 (events), wire type 2 (length-delimited): tag, length, the event's bytes.
  const size_t size = event.ByteSizeLong();
  std::string field;
  field.reserve(size + 6);
  field.push_back(static_cast<char>((1 << 3) | 2));
  for (uint64_t v = size; ; v >>= 7) {
    if (v < 0x80) {
      field.push_back(static_cast<char>(v));
      break;
    }
    field.push_back(static_cast<char>((v & 0x7f) | 0x80));
  }
  event.AppendToString(&field);
  grpc::Slice bytes(field);
  std::lock_guard lock(mu_);
  slot.revision = event.revision();
  slot.bytes = bytes;
  return bytes;
}

grpc::ByteBuffer WireCache::Encode(const v1::WatchResponse& response) {
  std::vector<grpc::Slice> slices;
  slices.reserve(static_cast<size_t>(response.events_size()) + 1);
  for (const auto& e : response.events()) slices.push_back(EventField(e));
  v1::WatchResponse rest;
  rest.set_revision(response.revision());
  rest.set_compact_revision(response.compact_revision());
  const std::string tail = rest.SerializeAsString();
  if (!tail.empty()) slices.emplace_back(tail);
  return grpc::ByteBuffer(slices.data(), slices.size());
}

grpc::ServerWriteReactor<grpc::ByteBuffer>* WatchService::Watch(grpc::CallbackServerContext* ctx,
                                                                const grpc::ByteBuffer* request) {
  auto actor = callers_.Authorize(*ctx, domain::Operation::kWatch);
  if (!actor.ok()) return new ErrorReactor(actor.status());
  v1::WatchRequest parsed;
  grpc::ByteBuffer bytes(*request);  // Deserialize consumes its buffer; this shares the slices
  if (!grpc::SerializationTraits<v1::WatchRequest>::Deserialize(&bytes, &parsed).ok()) {
    return new ErrorReactor(InvalidArgument("the WatchRequest does not parse"));
  }
  const v1::WatchRequest* req = &parsed;
  if (Status st = domain::ValidateWatch(*req, limits_()); !st.ok()) return new ErrorReactor(st);
  watch::Visibility visible;
  if (!domain::SeesAllUnits(*actor, callers_.policy())) {
    // A stream carries only what its subscriber may see.
    visible = [actor = *actor, policy = callers_.policy()](const v1::Item& item) {
      return domain::CanSee(item, actor, policy);
    };
  }
  auto* reactor = new WatchReactor(ctx, wire_);
  reactor->Begin(hub_, *req, std::move(visible));
  return reactor;
}

}  // namespace rectify::rpc

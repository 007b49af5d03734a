// WireCache: a WatchResponse assembled from cached per-revision event slices must be exactly
// what the typed encoding would be, as a reader sees it: parsed back, equal field by field.

#include <google/protobuf/util/message_differencer.h>
#include <grpcpp/impl/codegen/proto_utils.h>
#include <gtest/gtest.h>

#include <string>

#include "rpc/watch_service.h"

namespace rectify::rpc {
namespace {

using google::protobuf::util::MessageDifferencer;

v1::Event MakeEvent(uint64_t revision, size_t description_bytes) {
  v1::Event e;
  e.set_revision(revision);
  e.set_item_id("2026-" + std::to_string(100000 + revision));
  e.set_kind(v1::EVENT_KIND_TRANSITIONED);
  e.set_actor("张三");
  e.set_prev_state(v1::STATE_ASSIGNED);
  v1::Item* item = e.mutable_item();
  item->set_id(e.item_id());
  item->set_state(v1::STATE_IN_PROGRESS);
  item->set_description(std::string(description_bytes, 'x'));
  return e;
}

v1::WatchResponse Decode(grpc::ByteBuffer buffer) {
  v1::WatchResponse out;
  EXPECT_TRUE(grpc::SerializationTraits<v1::WatchResponse>::Deserialize(&buffer, &out).ok());
  return out;
}

TEST(WireCacheTest, ResponsesDecodeToExactlyWhatWasEncoded) {
  WireCache cache;
  // Lengths that need 1, 2 and 3 varint bytes, and a progress response with no events.
  v1::WatchResponse a;
  *a.add_events() = MakeEvent(7, 10);
  *a.add_events() = MakeEvent(8, 300);
  *a.add_events() = MakeEvent(9, 70000);
  a.set_revision(9);
  v1::WatchResponse progress;
  progress.set_revision(42);
  v1::WatchResponse empty;
  for (const auto* r : {&a, &progress, &empty}) {
    v1::WatchResponse got = Decode(cache.Encode(*r));
    EXPECT_TRUE(MessageDifferencer::Equals(got, *r)) << got.DebugString().substr(0, 300);
  }
  // The same revisions again (from the cache), in another grouping.
  v1::WatchResponse b;
  *b.add_events() = MakeEvent(8, 300);
  *b.add_events() = MakeEvent(9, 70000);
  b.set_revision(9);
  EXPECT_TRUE(MessageDifferencer::Equals(Decode(cache.Encode(b)), b));
}

TEST(WireCacheTest, ARevisionThatReusesASlotIsEncodedAfresh) {
  WireCache cache;
  v1::WatchResponse first;
  *first.add_events() = MakeEvent(5, 20);
  first.set_revision(5);
  ASSERT_TRUE(MessageDifferencer::Equals(Decode(cache.Encode(first)), first));
  // 5 + 8192 lands in the same slot of the ring: it must not be served 5's bytes.
  v1::WatchResponse later;
  *later.add_events() = MakeEvent(5 + 8192, 20);
  later.set_revision(5 + 8192);
  EXPECT_TRUE(MessageDifferencer::Equals(Decode(cache.Encode(later)), later));
  EXPECT_TRUE(MessageDifferencer::Equals(Decode(cache.Encode(first)), first));
}

}  // namespace
}  // namespace rectify::rpc

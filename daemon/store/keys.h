#pragma once

// The only code that builds or parses RocksDB keys. See KEYS.md, the source of truth.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rectify/v1/rectify.pb.h"

namespace rectify::store::keys {

// 2: events carry the audit chain (prev_hash, hash); meta chain_start and compact_hash.
// A version-1 directory is upgraded in place at open (see KEYS.md).
inline constexpr uint32_t kSchemaVersion = 2;
inline constexpr uint32_t kSchemaVersionBeforeAuditChain = 1;

// Index tags. Stored on disk: never renumber.
enum class Tag : uint8_t {
  kState = 's',
  kUnit = 'u',
  kOwner = 'o',
  kLeader = 'l',
  kVerifier = 'v',
  kSource = 'r',
  kCategory = 'c',
  kYear = 'y',
  kDeadline = 'd',
  kOpenDeadline = 'D',
  kHistory = 'h',
};

void AppendU16(std::string& out, uint16_t v);
void AppendU32(std::string& out, uint32_t v);
void AppendU64(std::string& out, uint64_t v);
uint32_t ReadU32(std::string_view in);  // in.size() >= 4
uint64_t ReadU64(std::string_view in);  // in.size() >= 8

// meta (default CF)
std::string SchemaVersionKey();
std::string RevisionKey();
std::string CompactRevisionKey();
std::string CompactHashKey();  // hash of the last compacted event (audit chain)
std::string ChainStartKey();   // first revision written with an audit hash
std::string SeqKey(int year);
std::string CountKey(v1::State state);

// events
std::string EventKey(uint64_t revision);
uint64_t ParseEventKey(std::string_view key);

// items
std::string ItemKey(std::string_view id);

// idem
std::string IdemKey(std::string_view actor, std::string_view request_id);

// index: a prefix selects every item with one value; the full key appends the item id.
std::string IndexPrefix(Tag tag, std::string_view value);
std::string IndexPrefix(Tag tag, uint32_t value, int width);  // width 1 or 2 bytes
std::string DeadlinePrefix(Tag tag);                          // 'd' or 'D' alone
std::string DeadlineKeyPart(std::string_view date);           // "2026-12-31" -> "20261231"
std::string IndexKey(std::string_view prefix, std::string_view id);
std::string HistoryPrefix(std::string_view id);
std::string HistoryKey(std::string_view id, uint64_t revision);
uint64_t ParseHistoryKey(std::string_view key);  // the revision at the end

// remind CF
std::string ScheduleKey(std::string_view id);
std::string DuePrefix();
std::string DueKey(int64_t at_us, std::string_view id);
int64_t DueTimeOf(std::string_view key);
std::string_view DueIdOf(std::string_view key);
std::string ReminderPrefix(std::string_view item_id);
std::string ReminderKey(std::string_view item_id, std::string_view reminder_key);
std::string DeliveryPrefix();
std::string DeliveryKey(uint64_t id);
std::string PendingPrefix();
std::string PendingKey(int64_t at_us, uint64_t id);
int64_t PendingTimeOf(std::string_view key);
uint64_t PendingIdOf(std::string_view key);
std::string OutboxSeqKey();  // meta

// Every index key an item has. Deleting the old set and putting the new one (keys in both
// are skipped) keeps the indexes equal to the items.
std::vector<std::string> IndexKeysFor(const v1::Item& item);

// The `tag | payload` an index entry's key starts with: the key without its item id. Empty for
// a key of the index CF that is not such an entry (a history key, `outbox_seq`).
std::string_view IndexValueOf(std::string_view key);

// The id a deadline key ('d'/'D' tag + 8 digits + id) ends with, or the date part.
std::string_view IdOfDeadlineKey(std::string_view key);
std::string DateOfDeadlineKey(std::string_view key);  // "2026-12-31"

// Parsing for the offline consistency checker (store/check.cc). Each returns false when the
// key does not have the shape KEYS.md gives it.
bool ParseIndexKey(std::string_view key, std::string_view* id);  // any tag but 'h'
bool ParseHistoryKey(std::string_view key, std::string_view* id, uint64_t* revision);
bool ParseIdemKey(std::string_view key, std::string_view* actor, std::string_view* request_id);
bool ParseScheduleKey(std::string_view key, std::string_view* id);
bool ParseDueKey(std::string_view key, int64_t* at_us, std::string_view* id);
bool ParseReminderKey(std::string_view key, std::string_view* item_id,
                      std::string_view* reminder_key);
bool ParseDeliveryKey(std::string_view key, uint64_t* id);
bool ParsePendingKey(std::string_view key, int64_t* at_us, uint64_t* id);
bool ParseSeqKey(std::string_view key, int* year);
bool ParseCountKey(std::string_view key, v1::State* state);

}  // namespace rectify::store::keys

#include "store/keys.h"

#include <algorithm>

namespace rectify::store::keys {

void AppendU16(std::string& out, uint16_t v) {
  out.push_back(static_cast<char>(v >> 8));
  out.push_back(static_cast<char>(v));
}
void AppendU32(std::string& out, uint32_t v) {
  for (int s = 24; s >= 0; s -= 8) out.push_back(static_cast<char>(v >> s));
}
void AppendU64(std::string& out, uint64_t v) {
  for (int s = 56; s >= 0; s -= 8) out.push_back(static_cast<char>(v >> s));
}
uint32_t ReadU32(std::string_view in) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v = (v << 8) | static_cast<uint8_t>(in[i]);
  return v;
}
uint64_t ReadU64(std::string_view in) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<uint8_t>(in[i]);
  return v;
}

std::string SchemaVersionKey() { return "schema_version"; }
std::string RevisionKey() { return "revision"; }
std::string CompactRevisionKey() { return "compact_revision"; }
std::string CompactHashKey() { return "compact_hash"; }
std::string ChainStartKey() { return "chain_start"; }
std::string SeqKey(int year) {
  std::string k = "seq|";
  AppendU16(k, static_cast<uint16_t>(year));
  return k;
}
std::string CountKey(v1::State state) {
  std::string k = "count|";
  k.push_back(static_cast<char>(state));
  return k;
}

std::string EventKey(uint64_t revision) {
  std::string k;
  AppendU64(k, revision);
  return k;
}
uint64_t ParseEventKey(std::string_view key) { return ReadU64(key); }

std::string ItemKey(std::string_view id) { return std::string(id); }


namespace {
void AppendString(std::string& out, std::string_view s) {
  AppendU16(out, static_cast<uint16_t>(std::min<size_t>(s.size(), 0xFFFF)));
  out.append(s.substr(0, 0xFFFF));
}
}  // namespace

std::string IdemKey(std::string_view actor, std::string_view request_id) {
  std::string k;
  AppendString(k, actor);
  k.append(request_id);
  return k;
}

std::string IndexPrefix(Tag tag, std::string_view value) {
  std::string k(1, static_cast<char>(tag));
  AppendString(k, value);
  return k;
}

std::string IndexPrefix(Tag tag, uint32_t value, int width) {
  std::string k(1, static_cast<char>(tag));
  if (width == 1) {
    k.push_back(static_cast<char>(value));
  } else {
    AppendU16(k, static_cast<uint16_t>(value));
  }
  return k;
}

std::string DeadlinePrefix(Tag tag) { return std::string(1, static_cast<char>(tag)); }

std::string DeadlineKeyPart(std::string_view date) {
  std::string out;
  for (char c : date) {
    if (c != '-') out.push_back(c);
  }
  return out;
}

std::string IndexKey(std::string_view prefix, std::string_view id) {
  std::string k(prefix);
  k.append(id);
  return k;
}

std::string HistoryPrefix(std::string_view id) { return IndexPrefix(Tag::kHistory, id); }

std::string HistoryKey(std::string_view id, uint64_t revision) {
  std::string k = HistoryPrefix(id);
  AppendU64(k, revision);
  return k;
}

uint64_t ParseHistoryKey(std::string_view key) { return ReadU64(key.substr(key.size() - 8)); }

std::string ScheduleKey(std::string_view id) { return "s" + std::string(id); }
std::string DuePrefix() { return "d"; }
std::string DueKey(int64_t at_us, std::string_view id) {
  std::string k = DuePrefix();
  AppendU64(k, static_cast<uint64_t>(at_us));
  k.append(id);
  return k;
}
int64_t DueTimeOf(std::string_view key) { return static_cast<int64_t>(ReadU64(key.substr(1))); }
std::string_view DueIdOf(std::string_view key) { return key.substr(9); }
std::string ReminderPrefix(std::string_view item_id) {
  std::string k = "r";
  AppendString(k, item_id);
  return k;
}
std::string ReminderKey(std::string_view item_id, std::string_view reminder_key) {
  return ReminderPrefix(item_id) + std::string(reminder_key);
}
std::string DeliveryPrefix() { return "o"; }
std::string DeliveryKey(uint64_t id) {
  std::string k = DeliveryPrefix();
  AppendU64(k, id);
  return k;
}
std::string PendingPrefix() { return "q"; }
std::string PendingKey(int64_t at_us, uint64_t id) {
  std::string k = PendingPrefix();
  AppendU64(k, static_cast<uint64_t>(at_us));
  AppendU64(k, id);
  return k;
}
int64_t PendingTimeOf(std::string_view key) { return static_cast<int64_t>(ReadU64(key.substr(1))); }
uint64_t PendingIdOf(std::string_view key) { return ReadU64(key.substr(9)); }
std::string OutboxSeqKey() { return "outbox_seq"; }

static bool HasLiveDeadline(v1::State s) {
  return s == v1::STATE_ASSIGNED || s == v1::STATE_IN_PROGRESS || s == v1::STATE_SUBMITTED ||
         s == v1::STATE_ENDORSED;
}

std::vector<std::string> IndexKeysFor(const v1::Item& item) {
  const std::string& id = item.id();
  std::vector<std::string> out;
  out.reserve(11);
  out.push_back(IndexKey(IndexPrefix(Tag::kState, item.state(), 1), id));
  out.push_back(IndexKey(IndexPrefix(Tag::kUnit, item.unit()), id));
  out.push_back(IndexKey(IndexPrefix(Tag::kOwner, item.owner()), id));
  out.push_back(IndexKey(IndexPrefix(Tag::kLeader, item.leader()), id));
  out.push_back(IndexKey(IndexPrefix(Tag::kVerifier, item.verifier()), id));
  out.push_back(IndexKey(IndexPrefix(Tag::kSource, item.source(), 1), id));
  out.push_back(IndexKey(IndexPrefix(Tag::kCategory, item.category(), 1), id));
  out.push_back(IndexKey(IndexPrefix(Tag::kYear, item.year(), 2), id));
  if (!item.deadline().empty()) {
    std::string d = DeadlineKeyPart(item.deadline());
    out.push_back(DeadlinePrefix(Tag::kDeadline) + d + id);
    if (HasLiveDeadline(item.state())) out.push_back(DeadlinePrefix(Tag::kOpenDeadline) + d + id);
  }
  return out;
}

std::string_view IdOfDeadlineKey(std::string_view key) { return key.substr(9); }

std::string DateOfDeadlineKey(std::string_view key) {
  std::string_view d = key.substr(1, 8);
  return std::string(d.substr(0, 4)) + "-" + std::string(d.substr(4, 2)) + "-" +
         std::string(d.substr(6, 2));
}

namespace {
// u16 length | bytes at the front of `in`: the string and what follows it.
bool SplitString(std::string_view in, std::string_view* s, std::string_view* rest) {
  if (in.size() < 2) return false;
  const size_t n = (static_cast<uint8_t>(in[0]) << 8) | static_cast<uint8_t>(in[1]);
  if (in.size() < 2 + n) return false;
  *s = in.substr(2, n);
  *rest = in.substr(2 + n);
  return true;
}
}  // namespace

bool ParseIndexKey(std::string_view key, std::string_view* id) {
  if (key.empty()) return false;
  std::string_view payload = key.substr(1), value;
  switch (static_cast<Tag>(key[0])) {
    case Tag::kState:
    case Tag::kSource:
    case Tag::kCategory:
      if (payload.size() < 1) return false;
      *id = payload.substr(1);
      break;
    case Tag::kYear:
      if (payload.size() < 2) return false;
      *id = payload.substr(2);
      break;
    case Tag::kUnit:
    case Tag::kOwner:
    case Tag::kLeader:
    case Tag::kVerifier:
      if (!SplitString(payload, &value, id)) return false;
      break;
    case Tag::kDeadline:
    case Tag::kOpenDeadline:
      if (payload.size() < 8) return false;
      *id = payload.substr(8);
      break;
    default:
      return false;
  }
  return !id->empty();
}

std::string_view IndexValueOf(std::string_view key) {
  std::string_view id;
  if (!ParseIndexKey(key, &id)) return {};
  return key.substr(0, key.size() - id.size());
}

bool ParseHistoryKey(std::string_view key, std::string_view* id, uint64_t* revision) {
  if (key.empty() || key[0] != static_cast<char>(Tag::kHistory)) return false;
  std::string_view rest;
  if (!SplitString(key.substr(1), id, &rest) || rest.size() != 8) return false;
  *revision = ReadU64(rest);
  return true;
}

bool ParseIdemKey(std::string_view key, std::string_view* actor, std::string_view* request_id) {
  return SplitString(key, actor, request_id) && !request_id->empty();
}

bool ParseScheduleKey(std::string_view key, std::string_view* id) {
  if (key.size() < 2 || key[0] != 's') return false;
  *id = key.substr(1);
  return true;
}

bool ParseDueKey(std::string_view key, int64_t* at_us, std::string_view* id) {
  if (key.size() < 10 || key[0] != 'd') return false;
  *at_us = DueTimeOf(key);
  *id = DueIdOf(key);
  return true;
}

bool ParseReminderKey(std::string_view key, std::string_view* item_id,
                      std::string_view* reminder_key) {
  if (key.empty() || key[0] != 'r') return false;
  return SplitString(key.substr(1), item_id, reminder_key) && !reminder_key->empty();
}

bool ParseDeliveryKey(std::string_view key, uint64_t* id) {
  if (key.size() != 9 || key[0] != 'o') return false;
  *id = ReadU64(key.substr(1));
  return true;
}

bool ParsePendingKey(std::string_view key, int64_t* at_us, uint64_t* id) {
  if (key.size() != 17 || key[0] != 'q') return false;
  *at_us = PendingTimeOf(key);
  *id = PendingIdOf(key);
  return true;
}

bool ParseSeqKey(std::string_view key, int* year) {
  if (key.size() != 6 || key.substr(0, 4) != "seq|") return false;
  *year = (static_cast<uint8_t>(key[4]) << 8) | static_cast<uint8_t>(key[5]);
  return true;
}

bool ParseCountKey(std::string_view key, v1::State* state) {
  if (key.size() != 7 || key.substr(0, 6) != "count|") return false;
  *state = static_cast<v1::State>(static_cast<uint8_t>(key[6]));
  return true;
}

}  // namespace rectify::store::keys

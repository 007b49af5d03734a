#include "store/check.h"

#include <map>
#include <set>

#include <rocksdb/db.h>

#include "domain/workflow.h"
#include "store/keys.h"

namespace rectify::store {
namespace {

// A key as a person can read it in a report: printable ASCII kept, every other byte as \xNN.
std::string Printable(std::string_view key) {
  static const char* kHex = "0123456789abcdef";
  std::string out;
  for (unsigned char c : key) {
    if (c >= 0x20 && c < 0x7f && c != '\\') {
      out.push_back(static_cast<char>(c));
    } else {
      out += "\\x";
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

int64_t Micros(const google::protobuf::Timestamp& t) {
  return t.seconds() * 1000000 + t.nanos() / 1000;
}

std::string_view View(const rocksdb::Slice& s) { return std::string_view(s.data(), s.size()); }

}  // namespace

std::string CheckReport::Summary() const {
  return "revision=" + std::to_string(revision) +
         " compact_revision=" + std::to_string(compact_revision) +
         " items=" + std::to_string(items) + " events=" + std::to_string(events) +
         " index_entries=" + std::to_string(index_entries) +
         " history_entries=" + std::to_string(history_entries) +
         " idem_records=" + std::to_string(idem_records) +
         " schedules=" + std::to_string(schedules) + " due_entries=" + std::to_string(due_entries) +
         " reminders=" + std::to_string(reminders) + " deliveries=" + std::to_string(deliveries) +
         " pending=" + std::to_string(pending) + " problems=" + std::to_string(problem_count);
}

// The walk. A friend of Store: the only code besides store.cc that sees the column families.
class Checker {
 public:
  Checker(Store& store, const CheckOptions& options)
      : store_(store), options_(options), snapshot_(store.db_->GetSnapshot()) {}
  ~Checker() { store_.db_->ReleaseSnapshot(snapshot_); }

  Result<CheckReport> Run() {
    RETURN_IF_ERROR(WalkMeta());
    RETURN_IF_ERROR(WalkItems());
    RETURN_IF_ERROR(WalkIndex());
    RETURN_IF_ERROR(WalkEvents());
    RETURN_IF_ERROR(WalkIdem());
    RETURN_IF_ERROR(WalkRemind());
    CrossCheck();
    return std::move(report_);
  }

 private:
  struct ItemState {
    v1::Item item;
    uint64_t history_count = 0;
    uint64_t last_history_revision = 0;
    uint64_t last_history_version = 0;
  };

  void Problem(std::string line) {
    report_.problem_count++;
    if (report_.problems.size() < options_.max_problems) report_.problems.push_back(std::move(line));
  }

  std::unique_ptr<rocksdb::Iterator> Iter(rocksdb::ColumnFamilyHandle* cf) {
    rocksdb::ReadOptions ro;
    ro.snapshot = snapshot_;
    ro.fill_cache = false;  // a full scan would only evict what the daemon keeps hot
    return std::unique_ptr<rocksdb::Iterator>(store_.db_->NewIterator(ro, cf));
  }

  Result<std::optional<std::string>> Get(rocksdb::ColumnFamilyHandle* cf, std::string_view key) {
    rocksdb::ReadOptions ro;
    ro.snapshot = snapshot_;
    std::string v;
    auto s = store_.db_->Get(ro, cf, rocksdb::Slice(key.data(), key.size()), &v);
    if (s.IsNotFound()) return std::optional<std::string>();
    if (!s.ok()) return Internal("read failed: " + s.ToString());
    return std::optional<std::string>(std::move(v));
  }

  static Status IterStatus(const rocksdb::Iterator& it, std::string_view cf) {
    if (it.status().ok()) return Status::Ok();
    return Internal("scanning " + std::string(cf) + " failed: " + it.status().ToString());
  }

  Status WalkMeta() {
    auto it = Iter(store_.meta_);
    bool schema = false, revision = false;
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      const std::string_view key = View(it->key()), value = View(it->value());
      int year = 0;
      v1::State state;
      if (key == keys::SchemaVersionKey()) {
        schema = true;
        if (value.size() != 4 || keys::ReadU32(value) != keys::kSchemaVersion) {
          Problem("meta: schema_version is not " + std::to_string(keys::kSchemaVersion));
        }
      } else if (key == keys::RevisionKey() || key == keys::CompactRevisionKey() ||
                 key == keys::OutboxSeqKey() || keys::ParseSeqKey(key, &year) ||
                 keys::ParseCountKey(key, &state)) {
        if (value.size() != 8) {
          Problem("meta: " + Printable(key) + " is not a u64 (" + std::to_string(value.size()) +
                  " bytes)");
          continue;
        }
        const uint64_t v = keys::ReadU64(value);
        if (key == keys::RevisionKey()) {
          revision = true;
          report_.revision = v;
        } else if (key == keys::CompactRevisionKey()) {
          report_.compact_revision = v;
        } else if (key == keys::OutboxSeqKey()) {
          outbox_seq_ = v;
        } else if (keys::ParseSeqKey(key, &year)) {
          seqs_[year] = v;
        } else {
          counts_[state] = v;
        }
      } else if (key == keys::ChainStartKey()) {
        // The audit chain's first hashed revision (a u64); audit/VerifyAudit checks the chain.
        if (value.size() != 8) Problem("meta: chain_start is not a u64");
      } else if (key == keys::CompactHashKey()) {
        // The hash of the last compacted event (SHA-256) where the chain resumes.
        if (value.size() != 32) {
          Problem("meta: compact_hash is not a SHA-256 (" + std::to_string(value.size()) +
                  " bytes)");
        }
      } else {
        Problem("meta: unknown key " + Printable(key));
      }
    }
    RETURN_IF_ERROR(IterStatus(*it, "meta"));
    if (!schema) Problem("meta: schema_version is missing");
    if (report_.compact_revision > report_.revision + 1) {
      Problem("meta: compact_revision " + std::to_string(report_.compact_revision) +
              " is beyond revision " + std::to_string(report_.revision) + " + 1");
    }
    if (!revision && report_.compact_revision != 0) Problem("meta: revision is missing");
    return Status::Ok();
  }

  Status WalkItems() {
    auto it = Iter(store_.items_);
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      const std::string key(View(it->key()));
      report_.items++;
      ItemState st;
      if (!st.item.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
        Problem("item " + Printable(key) + ": value does not parse as rectify.v1.Item");
        continue;
      }
      const v1::Item& item = st.item;
      if (item.id() != key) Problem("item " + Printable(key) + ": record says id " + item.id());
      if (item.version() == 0) Problem("item " + key + ": version 0");
      if (item.revision() == 0 || item.revision() > report_.revision) {
        Problem("item " + key + ": revision " + std::to_string(item.revision()) +
                " outside 1.." + std::to_string(report_.revision));
      }
      item_counts_[item.state()]++;
      // Every index entry the item should have is there.
      for (const auto& k : keys::IndexKeysFor(item)) {
        ASSIGN_OR_RETURN(auto v, Get(store_.index_, k));
        if (!v) Problem("item " + key + ": index entry missing: " + Printable(k));
      }
      // The id's serial is covered by the year's sequence (else a create would reuse it).
      int year = 0;
      unsigned long long serial = 0;
      if (std::sscanf(key.c_str(), "%4d-%llu", &year, &serial) == 2) {
        auto s = seqs_.find(year);
        if (s == seqs_.end() || s->second < serial) {
          Problem("item " + key + ": serial " + std::to_string(serial) +
                  " is beyond the year's sequence " +
                  (s == seqs_.end() ? std::string("(none)") : std::to_string(s->second)));
        }
      }
      items_.emplace(key, std::move(st));
    }
    RETURN_IF_ERROR(IterStatus(*it, "items"));
    for (int s = v1::State_MIN; s <= v1::State_MAX; ++s) {
      const auto state = static_cast<v1::State>(s);
      const uint64_t stored = counts_.count(state) ? counts_[state] : 0;
      const uint64_t actual = item_counts_.count(state) ? item_counts_[state] : 0;
      if (stored != actual) {
        Problem("meta: count of " + v1::State_Name(state) + " is " + std::to_string(stored) +
                " but " + std::to_string(actual) + " items are in that state");
      }
    }
    return Status::Ok();
  }

  Status WalkIndex() {
    auto it = Iter(store_.index_);
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      const std::string_view key = View(it->key());
      std::string_view id;
      uint64_t rev = 0;
      if (keys::ParseHistoryKey(key, &id, &rev)) {
        report_.history_entries++;
        CheckHistory(key, std::string(id), rev, View(it->value()));
        continue;
      }
      if (!keys::ParseIndexKey(key, &id)) {
        Problem("index: malformed key " + Printable(key));
        continue;
      }
      report_.index_entries++;
      auto found = items_.find(std::string(id));
      if (found == items_.end()) {
        Problem("index: dangling entry " + Printable(key) + ": item " + Printable(id) +
                " does not exist");
        continue;
      }
      const auto expected = keys::IndexKeysFor(found->second.item);
      if (std::find(expected.begin(), expected.end(), key) == expected.end()) {
        Problem("index: stale entry " + Printable(key) + ": item " + std::string(id) +
                " no longer has that value");
      }
      if (!it->value().empty()) Problem("index: entry " + Printable(key) + " has a value");
    }
    RETURN_IF_ERROR(IterStatus(*it, "index"));
    for (const auto& [id, st] : items_) {
      if (st.history_count != st.item.version()) {
        Problem("item " + id + ": version " + std::to_string(st.item.version()) + " but " +
                std::to_string(st.history_count) + " history events");
      }
      if (st.history_count > 0 && st.last_history_revision != st.item.revision()) {
        Problem("item " + id + ": revision " + std::to_string(st.item.revision()) +
                " but its last event is revision " + std::to_string(st.last_history_revision));
      }
    }
    if (max_history_revision_ != report_.revision) {
      Problem("meta: revision is " + std::to_string(report_.revision) +
              " but the last event in any item's history is " +
              std::to_string(max_history_revision_));
    }
    return Status::Ok();
  }

  void CheckHistory(std::string_view key, const std::string& id, uint64_t rev,
                    std::string_view value) {
    max_history_revision_ = std::max(max_history_revision_, rev);
    auto found = items_.find(id);
    if (found == items_.end()) {
      Problem("history: event " + std::to_string(rev) + " of item " + Printable(id) +
              " which does not exist");
      return;
    }
    ItemState& st = found->second;
    v1::Event e;
    if (!e.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
      Problem("history: " + Printable(key) + " does not parse as rectify.v1.Event");
      return;
    }
    if (e.revision() != rev || e.item_id() != id) {
      Problem("history: " + Printable(key) + " holds event " + std::to_string(e.revision()) +
              " of item " + e.item_id());
    }
    if (rev > report_.revision) {
      Problem("history: item " + id + " event " + std::to_string(rev) + " is beyond revision " +
              std::to_string(report_.revision));
    }
    st.history_count++;
    if (e.item().version() != st.last_history_version + 1) {
      Problem("history: item " + id + " event " + std::to_string(rev) + " carries version " +
              std::to_string(e.item().version()) + ", expected " +
              std::to_string(st.last_history_version + 1));
    }
    st.last_history_version = e.item().version();
    st.last_history_revision = rev;
    if (st.history_count == st.item.version() && e.item().revision() != st.item.revision()) {
      Problem("history: item " + id + " last event's item is at revision " +
              std::to_string(e.item().revision()) + ", the item at " +
              std::to_string(st.item.revision()));
    }
  }

  Status WalkEvents() {
    const uint64_t first = std::max<uint64_t>(report_.compact_revision, 1);
    uint64_t expect = first;
    auto it = Iter(store_.events_);
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      const std::string_view key = View(it->key());
      if (key.size() != 8) {
        Problem("events: malformed key " + Printable(key));
        continue;
      }
      report_.events++;
      const uint64_t rev = keys::ParseEventKey(key);
      if (rev < report_.compact_revision) {
        Problem("events: event " + std::to_string(rev) + " survived compaction below " +
                std::to_string(report_.compact_revision));
        continue;
      }
      if (rev > report_.revision) {
        Problem("events: event " + std::to_string(rev) + " is beyond revision " +
                std::to_string(report_.revision));
        continue;
      }
      if (rev != expect) {
        Problem("events: gap: revisions " + std::to_string(expect) + ".." +
                std::to_string(rev - 1) + " are missing");
      }
      expect = rev + 1;
      v1::Event e;
      if (!e.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
        Problem("events: event " + std::to_string(rev) + " does not parse");
        continue;
      }
      if (e.revision() != rev) {
        Problem("events: key " + std::to_string(rev) + " holds event " +
                std::to_string(e.revision()));
      }
      ASSIGN_OR_RETURN(auto h, Get(store_.index_, keys::HistoryKey(e.item_id(), rev)));
      if (!h) {
        Problem("events: event " + std::to_string(rev) + " is not in item " + e.item_id() +
                "'s history");
      } else if (*h != View(it->value())) {
        Problem("events: event " + std::to_string(rev) + " differs from item " + e.item_id() +
                "'s history");
      }
    }
    RETURN_IF_ERROR(IterStatus(*it, "events"));
    if (report_.revision >= first && expect != report_.revision + 1) {
      Problem("events: gap: revisions " + std::to_string(expect) + ".." +
              std::to_string(report_.revision) + " are missing");
    }
    return Status::Ok();
  }

  Status WalkIdem() {
    auto it = Iter(store_.idem_);
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      const std::string_view key = View(it->key()), value = View(it->value());
      report_.idem_records++;
      std::string_view actor, rid;
      if (!keys::ParseIdemKey(key, &actor, &rid)) {
        Problem("idem: malformed key " + Printable(key));
        continue;
      }
      const std::string what = "idem: request " + Printable(rid) + " of " + Printable(actor);
      v1::Item item;
      if (value.size() < 16 ||
          !item.ParseFromArray(value.data() + 16, static_cast<int>(value.size() - 16))) {
        Problem(what + ": record does not parse");
        continue;
      }
      const uint64_t rev = keys::ReadU64(value.substr(8));
      if (rev == 0 || rev > report_.revision) {
        Problem(what + ": revision " + std::to_string(rev) + " outside 1.." +
                std::to_string(report_.revision));
        continue;
      }
      if (!items_.count(item.id())) {
        Problem(what + ": answered with item " + item.id() + " which does not exist");
        continue;
      }
      // The first answer is the event the request made (history is never compacted).
      ASSIGN_OR_RETURN(auto h, Get(store_.index_, keys::HistoryKey(item.id(), rev)));
      v1::Event e;
      if (!h || !e.ParseFromString(*h)) {
        Problem(what + ": no event " + std::to_string(rev) + " in item " + item.id() +
                "'s history");
      } else if (e.request_id() != rid || e.actor() != actor ||
                 e.item().version() != item.version()) {
        Problem(what + ": event " + std::to_string(rev) + " was made by request " +
                Printable(e.request_id()) + " of " + Printable(e.actor()));
      }
    }
    return IterStatus(*it, "idem");
  }

  Status WalkRemind() {
    auto it = Iter(store_.remind_);
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      const std::string_view key = View(it->key()), value = View(it->value());
      std::string_view id, rkey;
      int64_t at = 0;
      uint64_t did = 0;
      if (keys::ParseScheduleKey(key, &id)) {
        report_.schedules++;
        if (value.size() != 16) {
          Problem("remind: schedule of " + Printable(id) + " is not 16 bytes");
          continue;
        }
        schedules_[std::string(id)] =
            Schedule{static_cast<int64_t>(keys::ReadU64(value)),
                     static_cast<int64_t>(keys::ReadU64(value.substr(8)))};
      } else if (keys::ParseDueKey(key, &at, &id)) {
        report_.due_entries++;
        due_[std::string(id)].push_back(at);
      } else if (keys::ParseReminderKey(key, &id, &rkey)) {
        report_.reminders++;
        v1::Reminder r;
        if (!r.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
          Problem("remind: reminder " + Printable(rkey) + " does not parse");
          continue;
        }
        if (r.key() != rkey || r.item_id() != id) {
          Problem("remind: reminder under " + Printable(key) + " says " + r.item_id() + " " +
                  r.key());
        }
        if (!items_.count(std::string(id))) {
          Problem("remind: reminder " + Printable(rkey) + " of item " + Printable(id) +
                  " which does not exist");
        }
        if (r.revision() == 0 || r.revision() > report_.revision) {
          Problem("remind: reminder " + Printable(rkey) + " at revision " +
                  std::to_string(r.revision()) + " outside 1.." +
                  std::to_string(report_.revision));
        }
        reminder_keys_.insert(std::string(id) + '\0' + std::string(rkey));
      } else if (keys::ParseDeliveryKey(key, &did)) {
        report_.deliveries++;
        v1::Delivery d;
        if (!d.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
          Problem("outbox: delivery " + std::to_string(did) + " does not parse");
          continue;
        }
        if (d.id() != did) {
          Problem("outbox: key " + std::to_string(did) + " holds delivery " +
                  std::to_string(d.id()));
        }
        if (did > outbox_seq_) {
          Problem("outbox: delivery " + std::to_string(did) + " is beyond outbox_seq " +
                  std::to_string(outbox_seq_));
        }
        deliveries_[did] = std::move(d);
      } else if (keys::ParsePendingKey(key, &at, &did)) {
        report_.pending++;
        pending_[did].push_back(at);
      } else {
        Problem("remind: malformed key " + Printable(key));
      }
    }
    return IterStatus(*it, "remind");
  }

  void CrossCheck() {
    // Every item has a schedule and its due entry; every due entry is some schedule's.
    for (const auto& [id, st] : items_) {
      if (!schedules_.count(id)) Problem("remind: item " + id + " has no reminder schedule");
    }
    for (const auto& [id, sch] : schedules_) {
      auto item = items_.find(id);
      if (item == items_.end()) {
        Problem("remind: schedule of " + Printable(id) + " whose item does not exist");
      }
      const auto& due = due_[id];
      const bool has = std::find(due.begin(), due.end(), sch.next_us) != due.end();
      if (sch.next_us != 0 && !has) {
        Problem("remind: item " + id + " falls due at " + std::to_string(sch.next_us) +
                " but the due index does not have it");
      }
      if (item != items_.end() && options_.zone && options_.calendar && options_.rules) {
        CheckNextFire(item->second.item, sch);
      }
    }
    for (const auto& [id, ats] : due_) {
      auto sch = schedules_.find(id);
      for (int64_t at : ats) {
        if (sch == schedules_.end() || sch->second.next_us != at) {
          Problem("remind: dangling due entry " + std::to_string(at) + " of " + Printable(id) +
                  (sch == schedules_.end() ? std::string(": no schedule")
                                           : ": the schedule says " +
                                                 std::to_string(sch->second.next_us)));
        }
      }
    }
    // The outbox: each delivery's reminders exist; pending ones and only they are queued.
    for (const auto& [did, d] : deliveries_) {
      for (const auto& r : d.reminders()) {
        if (!reminder_keys_.count(r.item_id() + '\0' + r.key())) {
          Problem("outbox: delivery " + std::to_string(did) + " carries reminder " + r.key() +
                  " which was never recorded");
        }
      }
      if (d.reminder_keys_size() != d.reminders_size()) {
        Problem("outbox: delivery " + std::to_string(did) + " has " +
                std::to_string(d.reminder_keys_size()) + " keys for " +
                std::to_string(d.reminders_size()) + " reminders");
      }
      if (d.idempotency_key().empty()) {
        Problem("outbox: delivery " + std::to_string(did) + " has no idempotency key");
      }
      const auto& q = pending_[did];
      if (d.state() == v1::DELIVERY_STATE_PENDING) {
        const int64_t at = Micros(d.next_attempt_at());
        if (q.size() != 1 || q[0] != at) {
          Problem("outbox: pending delivery " + std::to_string(did) + " is queued " +
                  std::to_string(q.size()) + " times, not once at its next attempt");
        }
      } else if (!q.empty()) {
        Problem("outbox: delivery " + std::to_string(did) + " is " +
                v1::DeliveryState_Name(d.state()) + " but still queued");
      }
    }
    for (const auto& [did, ats] : pending_) {
      if (!deliveries_.count(did)) {
        Problem("outbox: queued delivery " + std::to_string(did) + " does not exist");
      }
    }
  }

  // What the engine would have stored: NextFire(item, since, now) with now the commit's time,
  // which is the item's updated_at (a change) or the schedule's since (a reminder run).
  void CheckNextFire(const v1::Item& item, const Schedule& sch) {
    using TP = std::chrono::system_clock::time_point;
    auto at = [](int64_t us) { return TP(std::chrono::microseconds(us)); };
    bool evaluated = false;
    for (int64_t now : {Micros(item.updated_at()), sch.since_us}) {
      auto r = domain::NextReminderAt(item, at(sch.since_us), at(now), options_.zone,
                                      *options_.calendar, *options_.rules);
      if (!r.ok()) return;  // stored as "retry in a day": nothing to compare with
      evaluated = true;
      const int64_t expected =
          *r ? std::chrono::duration_cast<std::chrono::microseconds>((*r)->time_since_epoch())
                   .count()
             : 0;
      if (expected == sch.next_us) return;
    }
    if (evaluated) {
      Problem("remind: item " + item.id() + " is scheduled at " + std::to_string(sch.next_us) +
              " but the reminder policy gives another time for state " +
              v1::State_Name(item.state()) + " and deadline " + item.deadline());
    }
  }

  Store& store_;
  const CheckOptions& options_;
  const rocksdb::Snapshot* snapshot_;
  CheckReport report_;
  uint64_t outbox_seq_ = 0;
  uint64_t max_history_revision_ = 0;
  std::map<int, uint64_t> seqs_;
  std::map<v1::State, uint64_t> counts_, item_counts_;
  std::map<std::string, ItemState> items_;
  std::map<std::string, Schedule> schedules_;
  std::map<std::string, std::vector<int64_t>> due_;
  std::set<std::string> reminder_keys_;
  std::map<uint64_t, v1::Delivery> deliveries_;
  std::map<uint64_t, std::vector<int64_t>> pending_;
};

Result<CheckReport> CheckStore(Store& store, const CheckOptions& options) {
  Checker checker(store, options);
  return checker.Run();
}

}  // namespace rectify::store

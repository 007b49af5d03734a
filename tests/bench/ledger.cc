#include "ledger.h"

#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <set>

namespace rectify::bench {
namespace {

const char* kTitles[] = {"会议记录不规范",     "公务接待超标准",   "办事流程繁琐",
                         "廉政风险点排查不到位", "群众反映问题回应慢", "制度执行不严格",
                         "台账资料不完整",     "学习教育流于形式"};
const char* kMeasures[] = {"建立健全制度", "开展专项检查", "组织集中学习", "完善工作台账",
                           "压实主体责任"};
const v1::Source kSources[] = {v1::SOURCE_DEMOCRATIC_LIFE_MEETING,
                               v1::SOURCE_ORGANIZATIONAL_LIFE_MEETING,
                               v1::SOURCE_SELF_EXAMINATION, v1::SOURCE_INSPECTION,
                               v1::SOURCE_AUDIT, v1::SOURCE_INTEGRITY_RISK,
                               v1::SOURCE_PUBLIC_CONCERN, v1::SOURCE_ASSIGNED_FROM_ABOVE};
const std::string kHex64(64, 'b');

std::string Num(uint64_t v, int width) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%0*llu", width, static_cast<unsigned long long>(v));
  return buf;
}

bool Exists(Client& client, const std::string& id) {
  grpc::ClientContext ctx;
  SetUp(ctx, "bench");
  v1::GetItemRequest req;
  req.set_id(id);
  v1::Item item;
  return client.items().GetItem(&ctx, req, &item).ok();
}

std::string Id(int year, uint64_t serial) { return std::to_string(year) + "-" + Num(serial, 6); }

// Runs `one(n, done)` for n in [first, first + count), `concurrency` at a time; stops at the
// first error and returns it.
std::string Drive(uint64_t first, uint64_t count, int concurrency,
                  const std::function<void(uint64_t, std::function<void(const grpc::Status&)>)>&
                      one) {
  std::mutex mu;
  std::condition_variable cv;
  std::string error;
  std::atomic<uint64_t> next{first};
  int running = concurrency;
  std::function<void()> kick = [&] {
    const uint64_t n = next.fetch_add(1);
    if (n >= first + count) {
      std::lock_guard lock(mu);
      if (--running == 0) cv.notify_all();
      return;
    }
    one(n, [&](const grpc::Status& st) {
      if (!st.ok()) {
        std::lock_guard lock(mu);
        if (error.empty()) error = "code " + std::to_string(st.error_code()) + ": " + st.error_message();
        next = first + count;  // stop
      }
      kick();
    });
  };
  for (int i = 0; i < concurrency; ++i) kick();
  std::unique_lock lock(mu);
  cv.wait(lock, [&] { return running == 0; });
  return error;
}

}  // namespace

std::string UnitName(int unit) { return "单位" + Num(unit, 2); }
std::string OwnerName(int unit, int j) { return "责任人" + Num(unit, 2) + Num(j, 2); }
std::string LeaderName(int unit) { return "分管领导" + Num(unit, 2); }
std::string VerifierName(int unit) { return "验收人" + Num(unit % 10, 1); }

v1::CreateItemRequest MakeCreate(uint64_t n, const std::string& deadline, int days) {
  // A cheap mix so neighbouring n land in different units and owners.
  const uint64_t h = n * 0x9E3779B97F4A7C15ull;
  const int unit = static_cast<int>((h >> 20) % kUnits);
  const int owner = static_cast<int>((h >> 40) % kOwnersPerUnit);
  v1::CreateItemRequest req;
  v1::Item* it = req.mutable_item();
  it->set_title(std::string(kTitles[n % 8]) + "（" + std::to_string(n) + "）");
  it->set_description("经检查发现" + std::string(kTitles[(n + 3) % 8]) +
                      "等问题，需在规定期限内完成整改并报送整改情况。");
  it->set_source(kSources[(h >> 8) % 8]);
  it->set_source_ref("检查通报〔" + std::to_string(n % 97) + "〕号");
  it->set_category(static_cast<v1::Category>(1 + (h >> 12) % 5));
  it->set_unit(UnitName(unit));
  it->set_owner(OwnerName(unit, owner));
  it->set_leader(LeaderName(unit));
  it->set_verifier(VerifierName(unit));
  it->add_measures()->set_text(kMeasures[n % 5]);
  it->add_measures()->set_text(kMeasures[(n + 2) % 5]);
  if (!deadline.empty()) {
    it->set_deadline(deadline);
  } else {
    req.mutable_deadline()->set_calendar_days(days);
  }
  return req;
}

std::optional<v1::Action> CycleAction(v1::State state) {
  switch (state) {
    case v1::STATE_DRAFT: return v1::ACTION_CONFIRM;
    case v1::STATE_ASSIGNED: return v1::ACTION_START;
    case v1::STATE_IN_PROGRESS: return v1::ACTION_SUBMIT;
    case v1::STATE_SUBMITTED: return v1::ACTION_ENDORSE;
    case v1::STATE_ENDORSED: return v1::ACTION_CLOSE;
    case v1::STATE_CLOSED: return v1::ACTION_REOPEN;
    default: return std::nullopt;
  }
}

v1::TransitionRequest MakeTransition(const PoolItem& item, v1::Action action, uint64_t n,
                                     std::string* actor) {
  v1::TransitionRequest req;
  req.set_id(item.id);
  req.set_action(action);
  switch (action) {
    case v1::ACTION_CONFIRM:
      *actor = item.leader;
      req.set_comment("同意整改方案");
      break;
    case v1::ACTION_START:
      *actor = item.owner;
      break;
    case v1::ACTION_SUBMIT:
      *actor = item.owner;
      req.set_result("已按整改措施完成整改（第" + std::to_string(n) + "次）");
      if (!item.has_evidence) {
        auto* e = req.add_evidence();
        e->set_name("整改材料.pdf");
        e->set_sha256(kHex64);
        e->set_size(12345);
        e->set_uri("https://files.example/evidence/" + item.id);
      }
      break;
    case v1::ACTION_ENDORSE:
      *actor = item.leader;
      req.set_comment("情况属实，同意");
      break;
    case v1::ACTION_CLOSE:
      *actor = item.verifier;
      req.set_comment("验收合格，同意销号");
      break;
    case v1::ACTION_REOPEN:
      *actor = item.verifier;
      req.set_comment("回头看发现问题反弹");
      break;
    case v1::ACTION_KEEP_LONG_TERM:
      *actor = item.verifier;
      req.set_comment("纳入长效机制，每季度检查");
      break;
    default:
      *actor = item.leader;
  }
  return req;
}

double Pool::MeanSignOffs() const {
  if (items_.empty()) return 0;
  double sum = 0;
  for (const auto& i : items_) sum += i.signoffs;
  return sum / static_cast<double>(items_.size());
}

size_t Pool::RetireGrown() {
  const size_t before = items_.size();
  std::erase_if(items_, [](const PoolItem& i) {
    return i.broken || i.signoffs > kMaxAdoptedSignOffs;
  });
  return before - items_.size();
}

std::string Pool::Fill(Client& client, size_t size, int concurrency) {
  if (!tried_adopting_) {
    tried_adopting_ = true;
    v1::ListItemsRequest req;
    for (auto st : {v1::STATE_ASSIGNED, v1::STATE_IN_PROGRESS, v1::STATE_SUBMITTED,
                    v1::STATE_ENDORSED, v1::STATE_CLOSED}) {
      req.add_states(st);
    }
    req.set_page_size(1000);
    while (items_.size() < size) {
      grpc::ClientContext ctx;
      SetUp(ctx, "bench");
      v1::ListItemsResponse resp;
      grpc::Status st = client.items().ListItems(&ctx, req, &resp);
      if (!st.ok()) return "listing items to move: " + st.error_message();
      for (const auto& i : resp.items()) {
        if (items_.size() >= size) break;
        // Earlier runs cycled some items through the workflow again and again (CLOSED ->
        // REOPEN): each lap adds five sign-offs, so such an item is many times the size of an
        // ordinary one and a run that moved it would measure the bench's history, not the
        // daemon. Only items that have not been round more than about twice are taken.
        if (i.signoffs_size() > kMaxAdoptedSignOffs) {
          ++skipped_;
          continue;
        }
        items_.push_back(PoolItem{i.id(), i.owner(), i.leader(), i.verifier(), i.state(),
                                  i.evidence_size() > 0, false, i.signoffs_size()});
      }
      if (resp.next_page_token().empty()) break;
      req.set_page_token(resp.next_page_token());
    }
    adopted_ = items_.size();
  }
  if (items_.size() >= size) return "";
  const size_t first = items_.size();
  std::vector<PoolItem> made(size - first);
  std::string err = Drive(0, made.size(), concurrency, [&](uint64_t i, auto done) {
    auto* c = new Call<v1::CreateItemRequest, v1::Item>();
    c->req = MakeCreate(900000000 + first + i, "");
    SetUp(c->ctx, c->req.item().leader());
    client.items(static_cast<int>(i)).async()->CreateItem(
        &c->ctx, &c->req, &c->resp, [c, &made, i, done](grpc::Status st) {
          if (st.ok()) {
            PoolItem& p = made[i];
            p.id = c->resp.id();
            p.owner = c->resp.owner();
            p.leader = c->resp.leader();
            p.verifier = c->resp.verifier();
            p.state = c->resp.state();
          }
          delete c;
          done(st);
        });
  });
  if (!err.empty()) return err;
  items_.insert(items_.end(), made.begin(), made.end());
  return "";
}

std::string Catalog::RandomId(std::mt19937_64& rng) const {
  if (total == 0) return "2026-000001";
  uint64_t k = rng() % total;
  for (const auto& [year, n] : years) {
    if (k < n) return Id(year, k + 1);
    k -= n;
  }
  return Id(years.back().first, 1);
}

Catalog Discover(Client& client) {
  Catalog cat;
  for (int y = 2000; y <= 2100; ++y) {
    if (!Exists(client, Id(y, 1))) continue;
    uint64_t lo = 1, hi = 2;  // lo exists; find the first hi that does not
    while (Exists(client, Id(y, hi))) {
      lo = hi;
      hi *= 2;
    }
    while (hi - lo > 1) {
      const uint64_t mid = lo + (hi - lo) / 2;
      (Exists(client, Id(y, mid)) ? lo : hi) = mid;
    }
    cat.years.emplace_back(y, lo);
    cat.total += lo;
  }
  // Units and owners that occur: from the first pages.
  std::set<std::string> units, owners;
  grpc::ClientContext ctx;
  SetUp(ctx, "bench");
  v1::ListItemsRequest req;
  req.set_page_size(1000);
  v1::ListItemsResponse resp;
  if (client.items().ListItems(&ctx, req, &resp).ok()) {
    for (const auto& i : resp.items()) {
      if (units.size() < 64) units.insert(i.unit());
      if (owners.size() < 256) owners.insert(i.owner());
    }
  }
  cat.units.assign(units.begin(), units.end());
  cat.owners.assign(owners.begin(), owners.end());
  return cat;
}

std::string CreateMany(Client& client, uint64_t first, uint64_t count, int concurrency) {
  return Drive(first, count, concurrency, [&](uint64_t n, auto done) {
    auto* c = new Call<v1::CreateItemRequest, v1::Item>();
    c->req = MakeCreate(n, "");
    SetUp(c->ctx, c->req.item().leader());
    client.items(static_cast<int>(n)).async()->CreateItem(
        &c->ctx, &c->req, &c->resp, [c, done](grpc::Status st) {
          delete c;
          done(st);
        });
  });
}

}  // namespace rectify::bench

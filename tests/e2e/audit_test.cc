// Issue #5, the audit trail and request limits, end to end: the real rectifyd and rectifyctl.
// - History is hash-chained: an event edited or deleted offline (the test opens the stopped
//   daemon's RocksDB itself) is named by `rectifyd --verify-audit DIR` and, after a restart,
//   by `rectifyctl admin verify-audit`; the chain survives restarts and compaction.
// - Every [limits] key refuses what is over it with the right code and a message naming the
//   field and the key, and changes nothing.
// - Secrets from the config never reach the daemon's log or what clients are told.

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/time_util.h>
#include <gtest/gtest.h>
#include <rocksdb/db.h>

#include "harness.h"
#include "spawn.h"
#include "store/keys.h"


namespace rectify::e2e {
namespace {

using google::protobuf::util::TimeUtil;

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

template <typename M>
M ParseJson(const std::string& json) {
  M m;
  auto st = google::protobuf::util::JsonStringToMessage(json, &m);
  EXPECT_TRUE(st.ok()) << st.ToString() << "\n" << json;
  return m;
}

// Runs a program to completion: exit code and stdout.
std::pair<int, std::string> RunProgram(std::vector<std::string> args) {
  std::string out_path = std::filesystem::temp_directory_path() /
                         ("rectify-audit-out-" + std::to_string(getpid()));
  const int code = test_support::WaitChild(
      test_support::SpawnChild(args, {.out = out_path, .err_to_out = true}));
  std::string out = Slurp(out_path);
  std::filesystem::remove(out_path);
  return {code, out};
}

// Opens a stopped daemon's ledger with RocksDB itself, as someone with access to the disk
// would, and hands fn the column families by name.
using Handles = std::map<std::string, rocksdb::ColumnFamilyHandle*>;
void EditLedger(const std::string& dir, const std::function<void(rocksdb::DB*, Handles&)>& fn) {
  std::vector<std::string> names;
  ASSERT_TRUE(rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), dir, &names).ok());
  std::vector<rocksdb::ColumnFamilyDescriptor> cfs;
  for (const auto& n : names) cfs.emplace_back(n, rocksdb::ColumnFamilyOptions());
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* db = nullptr;
  auto s = rocksdb::DB::Open(rocksdb::Options(), dir, cfs, &handles, &db);
  ASSERT_TRUE(s.ok()) << s.ToString();
  Handles by_name;
  for (size_t i = 0; i < names.size(); ++i) by_name[names[i]] = handles[i];
  fn(db, by_name);
  for (auto* h : handles) ASSERT_TRUE(db->DestroyColumnFamilyHandle(h).ok());
  ASSERT_TRUE(db->Close().ok());
  delete db;
}

// Flips one byte of the comment of the stored event at `revision` (in the event log only),
// keeping it valid UTF-8 and a parseable event: the kind of edit nothing else would notice.
void TamperComment(const std::string& dir, uint64_t revision) {
  EditLedger(dir, [&](rocksdb::DB* db, Handles& cf) {
    std::string bytes;
    ASSERT_TRUE(db->Get(rocksdb::ReadOptions(), cf["events"], store::keys::EventKey(revision),
                        &bytes)
                    .ok());
    v1::Event e;
    ASSERT_TRUE(e.ParseFromString(bytes));
    // The comment, or for an event without one (a create) the actor's name.
    const std::string& text = e.comment().empty() ? e.actor() : e.comment();
    ASSERT_FALSE(text.empty()) << "revision " << revision << " has nothing to edit";
    const size_t at = bytes.find(text);
    ASSERT_NE(at, std::string::npos);
    bytes[at] ^= 0x01;  // a CJK lead byte E5 -> E4: still a CJK character
    ASSERT_TRUE(e.ParseFromString(bytes)) << "the edit must leave a parseable event";
    ASSERT_TRUE(
        db->Put(rocksdb::WriteOptions(), cf["events"], store::keys::EventKey(revision), bytes)
            .ok());
  });
}

class AuditTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = MakeTempDir("audit");
    guard_ = std::make_unique<TempDirGuard>(dir_);
    daemon_ = std::make_unique<Daemon>(dir_);
  }
  void TearDown() override {
    if (daemon_->Running()) daemon_->Stop();
  }
  std::string Ledger() const { return dir_ + "/db"; }

  v1::Item Call(const std::string& actor,
                const std::function<grpc::Status(v1::ItemService::Stub&, grpc::ClientContext*,
                                                 v1::Item*)>& call) {
    auto stub = v1::ItemService::NewStub(daemon_->channel());
    v1::Item item;
    auto ctx = Context(actor);
    auto st = call(*stub, ctx.get(), &item);
    EXPECT_TRUE(st.ok()) << st.error_message();
    return item;
  }
  v1::Item Create(const std::string& title) {
    v1::CreateItemRequest c;
    auto* it = c.mutable_item();
    it->set_title(title);
    it->set_description("问题描述");
    it->set_source(v1::SOURCE_AUDIT);
    it->set_category(v1::CATEGORY_WORK_STYLE);
    it->set_unit("办公室");
    it->set_owner("张三");
    it->set_leader("李四");
    it->set_verifier("王五");
    it->add_measures()->set_text("建立制度");
    it->set_deadline("2099-12-31");
    return Call("李四", [&](auto& s, auto* ctx, auto* out) { return s.CreateItem(ctx, c, out); });
  }
  v1::Item Move(const std::string& id, v1::Action action, const std::string& actor,
                const std::string& comment) {
    v1::TransitionRequest t;
    t.set_id(id);
    t.set_action(action);
    t.set_comment(comment);
    return Call(actor, [&](auto& s, auto* ctx, auto* out) { return s.Transition(ctx, t, out); });
  }
  v1::Item Progress(const std::string& id, const std::string& note) {
    v1::AddProgressRequest p;
    p.set_id(id);
    p.set_note(note);
    return Call("张三", [&](auto& s, auto* ctx, auto* out) { return s.AddProgress(ctx, p, out); });
  }
  // Six revisions over two items, every one with a comment or a note.
  void BuildHistory() {
    const std::string a = Create("会议记录不规范").id();                   // 1
    Move(a, v1::ACTION_CONFIRM, "李四", "同意确认整改措施");                // 2
    Move(a, v1::ACTION_START, "张三", "开始整改");                         // 3
    Progress(a, "已完成制度初稿");                                          // 4
    const std::string b = Create("台账更新不及时").id();                   // 5
    Move(b, v1::ACTION_CONFIRM, "李四", "确认");                           // 6
    ids_ = {a, b};
  }

  v1::ServerInfo Info() {
    auto r = Ctl(daemon_->addr(), "", {"-o", "json", "server-info"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return ParseJson<v1::ServerInfo>(r.out);
  }
  // rectifyctl admin verify-audit: its exit code and answer.
  std::pair<int, v1::VerifyAuditResponse> CtlVerify() {
    auto r = Ctl(daemon_->addr(), "王五", {"-o", "json", "admin", "verify-audit"});
    return {r.exit_code, ParseJson<v1::VerifyAuditResponse>(r.out)};
  }
  std::pair<int, std::string> OfflineVerify() {
    return RunProgram({BinaryPath("rectifyd"), "--verify-audit", Ledger()});
  }

  std::string dir_;
  std::unique_ptr<TempDirGuard> guard_;
  std::unique_ptr<Daemon> daemon_;
  std::vector<std::string> ids_;
};

TEST_F(AuditTest, AnUntouchedLedgerVerifiesAndItsHeadIsInServerInfo) {
  daemon_->Start();
  BuildHistory();
  auto [code, r] = CtlVerify();
  EXPECT_EQ(code, 0);
  EXPECT_TRUE(r.ok()) << r.reason();
  EXPECT_EQ(r.revision(), 6u);
  EXPECT_EQ(r.revisions_checked(), 6u);
  EXPECT_EQ(r.history_checked(), 6u);
  EXPECT_EQ(r.head_revision(), 6u);
  ASSERT_EQ(r.head_hash().size(), 64u);

  const v1::ServerInfo info = Info();
  EXPECT_EQ(info.audit_head_revision(), 6u);
  EXPECT_EQ(info.audit_head_hash(), r.head_hash());
  auto table = Ctl(daemon_->addr(), "", {"--lang", "en", "server-info"});
  EXPECT_NE(table.out.find(r.head_hash()), std::string::npos) << table.out;

  // Each event commits to the one before it, as GetHistory shows them.
  auto hist = Ctl(daemon_->addr(), "李四", {"-o", "json", "history", ids_[0]});
  ASSERT_EQ(hist.exit_code, 0) << hist.err;
  auto h = ParseJson<v1::GetHistoryResponse>(hist.out);
  ASSERT_EQ(h.events_size(), 4);
  EXPECT_TRUE(h.events(0).prev_hash().empty());
  for (int i = 1; i < h.events_size(); ++i) {
    EXPECT_EQ(h.events(i).prev_hash(), h.events(i - 1).hash());
  }
  // Actor, time, action, comment, state before and the item after are all there.
  const v1::Event& confirm = h.events(1);
  EXPECT_EQ(confirm.actor(), "李四");
  EXPECT_TRUE(confirm.has_time());
  EXPECT_EQ(confirm.action(), v1::ACTION_CONFIRM);
  EXPECT_EQ(confirm.comment(), "同意确认整改措施");
  EXPECT_EQ(confirm.prev_state(), v1::STATE_DRAFT);
  EXPECT_EQ(confirm.item().state(), v1::STATE_ASSIGNED);

  // The chain goes on across a restart: the head is restored from the last event.
  daemon_->Stop();
  auto [offline_code, offline_out] = OfflineVerify();
  EXPECT_EQ(offline_code, 0) << offline_out;
  EXPECT_NE(offline_out.find("OK"), std::string::npos) << offline_out;
  daemon_->Start();
  Progress(ids_[0], "重启后的进展");
  auto [code2, r2] = CtlVerify();
  EXPECT_EQ(code2, 0) << r2.reason();
  EXPECT_EQ(r2.revisions_checked(), 7u);
}

TEST_F(AuditTest, AnEventEditedOfflineIsNamedByBothVerifiers) {
  daemon_->Start();
  BuildHistory();
  const std::string head_before = Info().audit_head_hash();
  daemon_->Stop();
  TamperComment(Ledger(), 2);

  auto [code, out] = OfflineVerify();
  EXPECT_EQ(code, 3) << out;
  EXPECT_NE(out.find("BROKEN"), std::string::npos) << out;
  EXPECT_NE(out.find("first broken revision: 2"), std::string::npos) << out;
  EXPECT_NE(out.find("does not match its hash"), std::string::npos) << out;
  // The offline consistency check names it too.
  auto [check_code, check_out] = RunProgram({BinaryPath("rectifyd"), "--check", Ledger()});
  EXPECT_EQ(check_code, 1) << check_out;
  EXPECT_NE(check_out.find("first broken revision: 2"), std::string::npos) << check_out;

  daemon_->Start();
  auto [ctl_code, r] = CtlVerify();
  EXPECT_EQ(ctl_code, 3);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.broken_revision(), 2u);
  EXPECT_EQ(r.head_revision(), 1u);
  auto table = Ctl(daemon_->addr(), "王五", {"--lang", "en", "admin", "verify-audit"});
  EXPECT_EQ(table.exit_code, 3);
  EXPECT_NE(table.out.find("BROKEN"), std::string::npos) << table.out;
  // The head the operator recorded elsewhere is unchanged: the edit is in the middle.
  EXPECT_EQ(Info().audit_head_hash(), head_before);
}

TEST_F(AuditTest, AnEventDeletedInTheMiddleIsReported) {
  daemon_->Start();
  BuildHistory();
  daemon_->Stop();
  EditLedger(Ledger(), [&](rocksdb::DB* db, Handles& cf) {
    ASSERT_TRUE(db->Delete(rocksdb::WriteOptions(), cf["events"], store::keys::EventKey(4)).ok());
  });
  auto [code, out] = OfflineVerify();
  EXPECT_EQ(code, 3) << out;
  EXPECT_NE(out.find("first broken revision: 4"), std::string::npos) << out;
  EXPECT_NE(out.find("missing"), std::string::npos) << out;
  daemon_->Start();
  auto [ctl_code, r] = CtlVerify();
  EXPECT_EQ(ctl_code, 3);
  EXPECT_EQ(r.broken_revision(), 4u);
  EXPECT_NE(r.reason().find("revision 4 is missing"), std::string::npos) << r.reason();
}

TEST_F(AuditTest, AHistoryCopyEditedOfflineIsReported) {
  // GetHistory answers from the item's copy of each event: editing only the copy must not
  // pass unnoticed either.
  daemon_->Start();
  BuildHistory();
  daemon_->Stop();
  EditLedger(Ledger(), [&](rocksdb::DB* db, Handles& cf) {
    const std::string key = store::keys::HistoryKey(ids_[0], 3);
    std::string bytes;
    ASSERT_TRUE(db->Get(rocksdb::ReadOptions(), cf["index"], key, &bytes).ok());
    v1::Event e;
    ASSERT_TRUE(e.ParseFromString(bytes));
    e.set_actor("冒名者");
    ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), cf["index"], key, e.SerializeAsString()).ok());
  });
  auto [code, out] = OfflineVerify();
  EXPECT_EQ(code, 3) << out;
  EXPECT_NE(out.find("first broken revision: 3"), std::string::npos) << out;
  EXPECT_NE(out.find("history copy"), std::string::npos) << out;
}

TEST_F(AuditTest, TheChainIsVerifiableFromTheCompactRevisionOn) {
  daemon_->WriteConfig("[watch]\nretention_count = 3\n");
  daemon_->Start();
  BuildHistory();
  // Compaction runs at start-up (and then every few seconds).
  daemon_->Stop();
  daemon_->Start();
  for (int i = 0; i < 500 && Info().compact_revision() < 4; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_GE(Info().compact_revision(), 4u);
  Progress(ids_[0], "压缩之后的进展");  // 7, chained onto 6
  auto [code, r] = CtlVerify();
  EXPECT_EQ(code, 0) << r.reason();
  EXPECT_TRUE(r.ok());
  // (A later background compaction may have moved on by a revision.)
  const uint64_t first = r.first_revision();
  EXPECT_GE(first, 4u);
  EXPECT_EQ(r.revisions_checked(), 7 - first + 1);
  EXPECT_EQ(r.compact_revision(), first);
  EXPECT_EQ(r.compact_hash().size(), 64u);

  // The first retained event must still commit to the recorded compacted-away head.
  daemon_->Stop();
  TamperComment(Ledger(), first);
  auto [offline_code, out] = OfflineVerify();
  EXPECT_EQ(offline_code, 3) << out;
  EXPECT_NE(out.find("first broken revision: " + std::to_string(first)), std::string::npos)
      << out;
}

TEST_F(AuditTest, OnlyAuditorsAndAdminsMayVerify) {
  daemon_->WriteConfig(
      "[[principal]]\nname = \"李四\"\nunits = [\"办公室\"]\n\n"
      "[[principal]]\nname = \"审计员\"\nroles = [\"auditor\"]\n\n"
      "[[principal]]\nname = \"管理员\"\nroles = [\"admin\"]\n");
  daemon_->Start();
  Create("会议记录不规范");
  auto member = Ctl(daemon_->addr(), "李四", {"admin", "verify-audit"});
  EXPECT_EQ(member.exit_code, 1);
  EXPECT_EQ(member.err.rfind("PERMISSION_DENIED:", 0), 0u) << member.err;
  for (const char* who : {"审计员", "管理员"}) {
    auto r = Ctl(daemon_->addr(), who, {"-o", "json", "admin", "verify-audit"});
    EXPECT_EQ(r.exit_code, 0) << who << ": " << r.err;
    EXPECT_TRUE(ParseJson<v1::VerifyAuditResponse>(r.out).ok()) << r.out;
  }
}

TEST_F(AuditTest, VerifyAuditOfADirectoryThatIsNotALedgerFails) {
  auto [code, out] = RunProgram({BinaryPath("rectifyd"), "--verify-audit", dir_ + "/nothing"});
  EXPECT_EQ(code, 1) << out;
  EXPECT_NE(out.find("no ledger"), std::string::npos) << out;
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/nothing")) << "verify-audit must create nothing";
}

// ---------------------------------------------------------------------------------------------
// Limits

class LimitsTest : public AuditTest {
 protected:
  void SetUp() override {
    AuditTest::SetUp();
    daemon_->WriteConfig(
        "[limits]\nmax_request_bytes = 8192\nmax_title_chars = 10\nmax_description_chars = 20\n"
        "max_name_chars = 4\nmax_text_chars = 12\nmax_ref_chars = 8\nmax_request_id_chars = 6\n"
        "max_measures = 2\nmax_evidence = 1\nmax_co_units = 1\nmax_page_size = 5\n"
        "max_filter_values = 2\n");
    daemon_->Start();
  }
  v1::CreateItemRequest Good() {
    v1::CreateItemRequest c;
    auto* it = c.mutable_item();
    it->set_title("十个字的标题正好十");
    it->set_description("描述");
    it->set_source(v1::SOURCE_AUDIT);
    it->set_category(v1::CATEGORY_WORK_STYLE);
    it->set_unit("办公室");
    it->set_owner("张三");
    it->set_leader("李四");
    it->set_verifier("王五");
    it->add_measures()->set_text("措施");
    it->set_deadline("2099-12-31");
    return c;
  }
  // The call must fail with `code` and a message naming `field` and `key`, changing nothing.
  void Refused(const grpc::Status& st, grpc::StatusCode code, const std::string& field,
               const std::string& key, uint64_t revision) {
    EXPECT_EQ(st.error_code(), code) << st.error_message();
    EXPECT_NE(st.error_message().find(field), std::string::npos) << st.error_message();
    EXPECT_NE(st.error_message().find(key), std::string::npos) << st.error_message();
    EXPECT_EQ(Info().revision(), revision) << "a refused request changed the ledger";
  }
};

v1::Evidence Ev(const std::string& name) {
  v1::Evidence e;
  e.set_name(name);
  e.set_sha256(std::string(64, 'a'));
  return e;
}

TEST_F(LimitsTest, EveryLimitRefusesWhatIsOverItNamingTheFieldAndTheKey) {
  auto items = v1::ItemService::NewStub(daemon_->channel());
  v1::Item item;
  // At every limit: accepted.
  {
    auto c = Good();
    c.set_request_id("r-0001");
    c.mutable_item()->add_co_units("财务科");
    c.mutable_item()->add_measures()->set_text("十二个字的措施说明正好十");
    ASSERT_TRUE(items->CreateItem(Context("李四").get(), c, &item).ok());
  }
  const std::string id = item.id();
  const uint64_t rev = Info().revision();

  struct Case {
    const char* name;
    std::function<void(v1::CreateItemRequest&)> mutate;
    const char* field;
    const char* key;
  };
  const std::vector<Case> cases = {
      {"title", [](auto& c) { c.mutable_item()->set_title("十一个字的标题超出一个"); }, "title",
       "max_title_chars"},
      {"description", [](auto& c) { c.mutable_item()->set_description(std::string(21, 'd')); },
       "description", "max_description_chars"},
      {"name", [](auto& c) { c.mutable_item()->set_owner("欧阳小明同"); }, "owner",
       "max_name_chars"},
      {"measure text",
       [](auto& c) { c.mutable_item()->mutable_measures(0)->set_text(std::string(13, 'm')); },
       "measures[0].text", "max_text_chars"},
      {"source_ref", [](auto& c) { c.mutable_item()->set_source_ref("审计报告第九号文件"); },
       "source_ref", "max_ref_chars"},
      {"request_id", [](auto& c) { c.set_request_id("r-00001"); }, "request_id",
       "max_request_id_chars"},
      {"measures",
       [](auto& c) {
         for (int i = 0; i < 2; ++i) c.mutable_item()->add_measures()->set_text("措施");
       },
       "measures", "max_measures"},
      {"co_units",
       [](auto& c) {
         c.mutable_item()->add_co_units("财务科");
         c.mutable_item()->add_co_units("人事科");
       },
       "co_units", "max_co_units"},
  };
  for (const auto& cs : cases) {
    SCOPED_TRACE(cs.name);
    auto c = Good();
    cs.mutate(c);
    Refused(items->CreateItem(Context("李四").get(), c, &item),
            grpc::StatusCode::INVALID_ARGUMENT, cs.field, cs.key, rev);
  }

  // Evidence on a transition, comments, progress.
  {
    v1::TransitionRequest t;
    t.set_id(id);
    t.set_action(v1::ACTION_CONFIRM);
    *t.add_evidence() = Ev("a");
    *t.add_evidence() = Ev("b");
    Refused(items->Transition(Context("李四").get(), t, &item),
            grpc::StatusCode::INVALID_ARGUMENT, "evidence", "max_evidence", rev);
    t.clear_evidence();
    *t.add_evidence() = Ev("名字太长的佐证材料");
    Refused(items->Transition(Context("李四").get(), t, &item),
            grpc::StatusCode::INVALID_ARGUMENT, "evidence[0].name", "max_ref_chars", rev);
    t.clear_evidence();
    t.set_comment(std::string(13, 'c'));
    Refused(items->Transition(Context("李四").get(), t, &item),
            grpc::StatusCode::INVALID_ARGUMENT, "comment", "max_text_chars", rev);
  }
  {
    v1::AddProgressRequest p;
    p.set_id(id);
    p.set_note("进展");
    for (int i = 0; i < 3; ++i) p.add_measures_done(0);
    Refused(items->AddProgress(Context("张三").get(), p, &item),
            grpc::StatusCode::INVALID_ARGUMENT, "measures_done", "max_measures", rev);
  }
  // Page sizes.
  {
    v1::ListItemsRequest l;
    l.set_page_size(6);
    v1::ListItemsResponse lr;
    Refused(items->ListItems(Context("李四").get(), l, &lr), grpc::StatusCode::INVALID_ARGUMENT,
            "page_size", "max_page_size", rev);
    l.set_page_size(5);
    EXPECT_TRUE(items->ListItems(Context("李四").get(), l, &lr).ok());
    l.set_page_size(0);
    for (int i = 0; i < 3; ++i) l.add_states(v1::STATE_DRAFT);
    Refused(items->ListItems(Context("李四").get(), l, &lr), grpc::StatusCode::INVALID_ARGUMENT,
            "states", "max_filter_values", rev);
    l.clear_states();
    l.set_unit("五个字单位");
    Refused(items->ListItems(Context("李四").get(), l, &lr), grpc::StatusCode::INVALID_ARGUMENT,
            "unit", "max_name_chars", rev);

    v1::GetHistoryRequest h;
    h.set_id(id);
    h.set_page_size(6);
    v1::GetHistoryResponse hr;
    Refused(items->GetHistory(Context("李四").get(), h, &hr), grpc::StatusCode::INVALID_ARGUMENT,
            "page_size", "max_page_size", rev);

    auto reminders = v1::ReminderService::NewStub(daemon_->channel());
    v1::ListRemindersRequest r;
    r.set_page_size(6);
    v1::ListRemindersResponse rr;
    Refused(reminders->ListReminders(Context("李四").get(), r, &rr),
            grpc::StatusCode::INVALID_ARGUMENT, "page_size", "max_page_size", rev);
  }
  // Watch filters.
  {
    auto watch = v1::WatchService::NewStub(daemon_->channel());
    for (int which = 0; which < 3; ++which) {
      SCOPED_TRACE("watch filter " + std::to_string(which));
      v1::WatchRequest w;
      std::string field;
      if (which == 0) {
        for (int i = 0; i < 3; ++i) w.add_item_ids(id);
        field = "item_ids";
      } else if (which == 1) {
        for (int i = 0; i < 3; ++i) w.add_units("办公室");
        field = "units";
      } else {
        w.add_units("五个字单位");
        field = "units";
      }
      auto ctx = Context("李四");
      auto reader = watch->Watch(ctx.get(), w);
      v1::WatchResponse resp;
      EXPECT_FALSE(reader->Read(&resp));
      Refused(reader->Finish(), grpc::StatusCode::INVALID_ARGUMENT, field,
              which == 2 ? "max_name_chars" : "max_filter_values", rev);
    }
  }
  // The message size: refused by gRPC before it is parsed.
  {
    auto c = Good();
    c.mutable_item()->set_description(std::string(9000, 'x'));
    auto st = items->CreateItem(Context("李四").get(), c, &item);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << st.error_message();
    EXPECT_NE(st.error_message().find("8192"), std::string::npos) << st.error_message();
    EXPECT_EQ(Info().revision(), rev);
  }
  // rectifyctl shows the message.
  auto r = Ctl(daemon_->addr(), "李四",
               {"create", "--title", "十一个字的标题超出一个", "--description", "d", "--source",
                "审计", "--category", "作风", "--unit", "办公室", "--owner", "张三", "--leader",
                "李四", "--verifier", "王五"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err.rfind("INVALID_ARGUMENT:", 0), 0u) << r.err;
  EXPECT_NE(r.err.find("max_title_chars"), std::string::npos) << r.err;
}

TEST_F(LimitsTest, ABadLimitInTheConfigIsRefusedNamingTheKey) {
  daemon_->Stop();
  daemon_->WriteConfig("[limits]\nmax_measures = 0\n");
  std::string log;
  EXPECT_EQ(daemon_->StartExpectingExit(&log), 2);
  EXPECT_NE(log.find("limits.max_measures"), std::string::npos) << log;
  daemon_->WriteConfig("[limits]\nmax_request_bytes = 100\n");
  EXPECT_EQ(daemon_->StartExpectingExit(&log), 2);
  EXPECT_NE(log.find("limits.max_request_bytes"), std::string::npos) << log;
}

// ---------------------------------------------------------------------------------------------
// Secrets

// tests/receivers/http_receiver.py, answering every request with `status` and `body`.
class HttpReceiver {
 public:
  HttpReceiver(const std::string& dir, const std::string& tag, int status,
               const std::string& body) {
    const std::string port_file = dir + "/" + tag + ".port";
    std::vector<std::string> args = {"/usr/bin/python3",
                                     std::string(RECTIFY_SOURCE_DIR) +
                                         "/tests/receivers/http_receiver.py",
                                     "--port-file", port_file, "--log", dir + "/" + tag + ".log",
                                     "--watch-parent"};
    pid_ = test_support::SpawnChild(args, {.out = "", .err = ""});
    for (int i = 0; i < 500 && port_ == 0; ++i) {
      std::string p = Slurp(port_file);
      if (!p.empty()) port_ = std::stoi(p);
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    EXPECT_NE(port_, 0) << "the receiver did not start";
    // The control body is JSON holding `body` as a JSON string: the test's bodies need no
    // escaping beyond quotes.
    std::string escaped;
    for (char c : body) escaped += c == '"' ? std::string("\\\"") : std::string(1, c);
    const std::string control = "{\"mode\":\"custom\",\"status\":" + std::to_string(status) +
                                ",\"body\":\"" + escaped + "\"}";
    const std::string control_file = dir + "/" + tag + ".control.json";
    std::ofstream(control_file) << control;
    const std::string cmd =
        "/usr/bin/python3 -c \"import urllib.request;urllib.request.urlopen("
        "urllib.request.Request('http://127.0.0.1:" + std::to_string(port_) +
        "/_control',data=open('" + control_file + "','rb').read(),"
        "headers={'Content-Type':'application/json'}))\"";
    EXPECT_EQ(std::system(cmd.c_str()), 0);
  }
  ~HttpReceiver() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      waitpid(pid_, nullptr, 0);
    }
  }
  int port() const { return port_; }

 private:
  pid_t pid_ = -1;
  int port_ = 0;
};

TEST(SecretsTest, SecretsNeverReachTheLogOrTheClients) {
  const std::string dir = MakeTempDir("secrets");
  TempDirGuard guard(dir);
  // A bearer token of 王五's (the config holds only its salted hash) and one nobody has.
  const std::string token = "rfy_" + std::string(60, 'a') + "5ec7";
  const std::string wrong_token = "rfy_" + std::string(60, 'b') + "0bad";
  const std::vector<std::string> secrets = {"WEBHOOKKEY0001SECRET", "DINGTOKEN0002SECRET",
                                            "DINGSIGN0003SECRET", "SMTPPASS0004SECRET",
                                            "FEISHUHOOK0005SECRET", token, wrong_token};
  auto [hash_code, hash_out] =
      RunProgram({BinaryPath("rectifyctl"), "-o", "json", "admin", "hash-token", token});
  ASSERT_EQ(hash_code, 0) << hash_out;
  const size_t h = hash_out.find("sha256:");
  ASSERT_NE(h, std::string::npos) << hash_out;
  const std::string token_hash = hash_out.substr(h, hash_out.find('"', h) - h);
  // Receivers that fail every delivery and, like a careless robot API, echo the credentials
  // they were sent in their error bodies.
  auto echo = [](const std::string& what) {
    return "{\"errcode\":40001,\"errmsg\":\"invalid credential " + what + "\"}";
  };
  HttpReceiver wecom(dir, "wecom", 400, echo("key=" + secrets[0] + " or " + secrets[0]));
  HttpReceiver ding(dir, "ding", 400, echo(secrets[1] + " sign " + secrets[2]));
  HttpReceiver feishu(dir, "feishu", 400, echo("hook " + secrets[4]));
  auto base = [](const HttpReceiver& r) {
    return "http://127.0.0.1:" + std::to_string(r.port());
  };
  Daemon daemon(dir, {"--test-clock", "2025-09-22T08:00:00+08:00", "--log-level", "debug"});
  daemon.WriteConfig(
      "[[principal]]\nname = \"张三\"\nemail = \"zhangsan@example.org\"\n\n"
      "[[principal]]\nname = \"李四\"\nemail = \"lisi@example.org\"\n\n"
      "[[principal]]\nname = \"王五\"\nroles = [\"supervisor\", \"admin\"]\ntoken_hashes = [\"" +
      token_hash + "\"]\n\n"
      "[[channel]]\nname = \"hook\"\ntype = \"wecom\"\nurl = \"" + base(wecom) +
      "/cgi-bin/webhook/send?key=" + secrets[0] + "\"\n\n"
      "[[channel]]\nname = \"ding\"\ntype = \"dingtalk\"\nurl = \"" + base(ding) +
      "/robot/send?access_token=" + secrets[1] + "\"\nsecret = \"" + secrets[2] + "\"\n\n"
      "[[channel]]\nname = \"feishu\"\ntype = \"feishu\"\nurl = \"" + base(feishu) +
      "/open-apis/bot/v2/hook/" + secrets[4] + "\"\n\n"
      "[[channel]]\nname = \"mail\"\ntype = \"email\"\nurl = \"smtp://127.0.0.1:1\"\n"
      "from = \"rectifyd@example.org\"\nusername = \"rectifyd\"\npassword = \"" + secrets[3] +
      "\"\ntimeout_ms = 500\n");
  daemon.Start();
  if (::testing::Test::HasFatalFailure()) return;
  auto items = v1::ItemService::NewStub(daemon.channel());
  auto admin = v1::AdminService::NewStub(daemon.channel());
  auto reminders = v1::ReminderService::NewStub(daemon.channel());

  // An item due today: at 09:00 its deadline-day reminder fires to every channel.
  v1::CreateItemRequest c = OrdinaryItem("2025-09-22");
  v1::Item item;
  ASSERT_TRUE(items->CreateItem(Context("李四").get(), c, &item).ok());
  v1::TransitionRequest t;
  t.set_id(item.id());
  t.set_action(v1::ACTION_CONFIRM);
  ASSERT_TRUE(items->Transition(Context("李四").get(), t, &item).ok());
  v1::SetClockRequest clock;
  ASSERT_TRUE(TimeUtil::FromString("2025-09-22T09:00:05+08:00", clock.mutable_time()));
  v1::ServerInfo info;
  ASSERT_TRUE(admin->SetClock(Context("王五").get(), clock, &info).ok());
  v1::RunRemindersResponse run;
  {
    grpc::ClientContext ctx;  // as 王五, by the token alone
    ctx.AddMetadata("authorization", "Bearer " + token);
    auto st = reminders->RunReminders(&ctx, v1::RunRemindersRequest(), &run);
    ASSERT_TRUE(st.ok()) << st.error_message();
  }

  // Every channel has tried and failed (the HTTP ones finally, the mail one at least once).
  v1::ListRemindersRequest lr;
  lr.set_include_deliveries(true);
  v1::ListRemindersResponse deliveries;
  std::set<std::string> failed;
  for (int i = 0; i < 600 && failed.size() < 4; ++i) {
    deliveries.Clear();
    ASSERT_TRUE(reminders->ListReminders(Context("王五").get(), lr, &deliveries).ok());
    for (const auto& d : deliveries.deliveries()) {
      if (!d.last_error().empty()) failed.insert(d.channel());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(failed.size(), 4u) << deliveries.ShortDebugString();

  // Bad requests (one over a limit, one with a token nobody has), and a bad config that holds
  // the secrets.
  c.mutable_item()->set_title(std::string(300, 't'));
  auto bad = items->CreateItem(Context("李四").get(), c, &item);
  EXPECT_EQ(bad.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  grpc::Status bad_token;
  {
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", "Bearer " + wrong_token);
    bad_token = items->CreateItem(&ctx, c, &item);
    EXPECT_EQ(bad_token.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  }
  const std::string broken = dir + "/broken.toml";
  std::ofstream(broken) << "[[channel]]\nname = \"x\"\ntype = \"pager\"\nurl = \"" << base(wecom)
                        << "/?key=" << secrets[0] << "\"\nsecret = \"" << secrets[2] << "\"\n";
  auto [check_code, check_out] =
      RunProgram({BinaryPath("rectifyd"), "--config", broken, "--check-config"});
  EXPECT_EQ(check_code, 2) << check_out;
  auto list = Ctl(daemon.addr(), "王五", {"-o", "json", "remind", "list", "--deliveries"});
  EXPECT_EQ(list.exit_code, 0) << list.err;
  daemon.Stop();

  const std::string log = Slurp(daemon.log_path());
  ASSERT_FALSE(log.empty());
  ASSERT_NE(log.find("delivery id="), std::string::npos) << "the failures were not logged:\n"
                                                         << log;
  // The receivers' answers (which echo the secrets) did reach the log, redacted: without the
  // redaction the secrets would be right here.
  EXPECT_NE(log.find("invalid credential"), std::string::npos) << log;
  EXPECT_NE(log.find("***"), std::string::npos) << log;
  for (const auto& s : secrets) {
    EXPECT_EQ(log.find(s), std::string::npos) << s << " is in the daemon's log:\n" << log;
    EXPECT_EQ(deliveries.ShortDebugString().find(s), std::string::npos) << s;
    EXPECT_EQ(list.out.find(s), std::string::npos) << s << " in remind list:\n" << list.out;
    EXPECT_EQ(bad.error_message().find(s), std::string::npos) << s;
    EXPECT_EQ(bad_token.error_message().find(s), std::string::npos) << s;
    EXPECT_EQ(check_out.find(s), std::string::npos) << s << " in --check-config:\n" << check_out;
  }
}

}  // namespace
}  // namespace rectify::e2e

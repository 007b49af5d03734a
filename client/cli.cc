#include "client/cli.h"

#include <CLI/CLI.hpp>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <tuple>
#include <ostream>

#include "client/clock_args.h"
#include "client/deadline.h"
#include "client/evidence.h"
#include "client/ledger_cli.h"

#ifndef RECTIFYCTL_VERSION
#define RECTIFYCTL_VERSION "dev"
#endif

namespace rectify::client {
namespace {

// Flag values as typed, before they are checked and converted. One struct for all subcommands:
// exactly one subcommand is parsed per run, so sharing fields is safe.
struct RawArgs {
  std::string addr, actor, output = "table", lang = "zh";
  std::string token, token_file, tls_ca, tls_cert, tls_key, tls_server_name;
  std::string hash_token;
  double timeout_seconds = 30;

  std::string id;
  std::string title, description, source, category, unit, owner, leader, verifier, deadline, mode,
      source_ref;
  int year = 0;
  std::vector<std::string> measures, co_units;
  std::string request_id;
  uint64_t expected_version = 0;

  std::vector<std::string> states;
  std::string light, deadline_from, deadline_to, order, page_token;
  bool overdue = false, all = false;
  int page_size = 0;

  std::string comment, result, to, reason, note;
  std::vector<std::string> evidence;
  std::vector<int> measures_done;

  uint64_t from = 0;
  std::vector<std::string> items, units, kinds;
  bool progress_notify = false;

  bool dry_run = false, deliveries = false, upcoming = false;
  std::string date, days, advance;
};

struct TransitionVerb {
  const char* name;
  v1::Action action;
  const char* help;
};

constexpr TransitionVerb kTransitions[] = {
    {"confirm", v1::ACTION_CONFIRM, "确认 DRAFT -> ASSIGNED (needs a measure and a deadline)"},
    {"start", v1::ACTION_START, "开始整改 ASSIGNED -> IN_PROGRESS"},
    {"submit", v1::ACTION_SUBMIT, "申请销号 IN_PROGRESS -> SUBMITTED (--result, --evidence)"},
    {"endorse", v1::ACTION_ENDORSE, "签字背书 SUBMITTED -> ENDORSED (--comment = opinion)"},
    {"return", v1::ACTION_RETURN, "退回 SUBMITTED/ENDORSED -> IN_PROGRESS (--comment = reason)"},
    {"close", v1::ACTION_CLOSE, "销号 ENDORSED -> CLOSED (--comment = opinion)"},
    {"long-term", v1::ACTION_KEEP_LONG_TERM,
     "转长期坚持 IN_PROGRESS/ENDORSED -> LONG_TERM (--comment = follow-up plan)"},
    {"close-long-term", v1::ACTION_CLOSE_LONG_TERM, "长期坚持销号 LONG_TERM -> CLOSED"},
    {"reopen", v1::ACTION_REOPEN, "重新整改 CLOSED -> IN_PROGRESS (--comment = reason)"},
    {"cancel", v1::ACTION_CANCEL, "撤销 open -> CANCELLED (--comment = reason)"},
};

std::string EnumHelp(std::string_view what, const EnumTable& table) {
  return std::string(what) + ": " + AcceptedValues(table);
}

// Converts the raw values of one subcommand into its request. Each conversion that can fail
// returns early with a usage message.
class Converter {
 public:
  explicit Converter(const RawArgs& raw) : raw_(raw) {}

  const std::string& error() const { return error_; }

  // Runs `parsed` and stores its value in `*out`; false (with the message kept) on error.
  template <typename T, typename Out>
  bool Take(Parsed<T> parsed, Out* out) {
    if (!parsed.ok()) {
      error_ = parsed.error();
      return false;
    }
    *out = std::move(parsed).value();
    return true;
  }

  bool Evidence(google::protobuf::RepeatedPtrField<v1::Evidence>* out) {
    for (const std::string& text : raw_.evidence) {
      if (!Take(ParseEvidence("--evidence", text), out->Add())) return false;
    }
    return true;
  }

 private:
  const RawArgs& raw_;
  std::string error_;
};

void AddIdArg(CLI::App* sub, RawArgs& raw) {
  sub->add_option("id", raw.id, "item id (编号), e.g. 2026-000001")->required();
}

// --request-id and --expected-version, taken by every mutating command.
void AddMutationFlags(CLI::App* sub, RawArgs& raw, bool expected_version) {
  sub->add_option("--request-id", raw.request_id,
                  "idempotency key: a retry with the same id returns the first answer");
  if (expected_version) {
    sub->add_option("--expected-version", raw.expected_version,
                    "fail with ABORTED unless the item is at this version (0 = don't check)");
  }
}

CLI::Option* AddMulti(CLI::App* sub, const std::string& name, std::vector<std::string>& into,
                      const std::string& help) {
  return sub->add_option(name, into, help)->allow_extra_args(false);
}

std::string ShellQuote(const std::string& arg) {
  bool plain = !arg.empty();
  for (unsigned char c : arg) {
    if (!(std::isalnum(c) || c >= 0x80 ||
          std::string_view("-_./:=@,+%").find(static_cast<char>(c)) != std::string_view::npos)) {
      plain = false;
    }
  }
  if (plain) return arg;
  std::string out = "'";
  for (char c : arg) {
    if (c == '\'') {
      out.append("'\\''");
    } else {
      out.push_back(c);
    }
  }
  out.push_back('\'');
  return out;
}

std::optional<std::string> ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string BareName(const EnumTable& table, int value) {
  for (const EnumEntry& e : table.entries) {
    if (e.value == value) return std::string(e.name);
  }
  return std::to_string(value);
}

}  // namespace

std::optional<std::string> ProcessEnv(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr) return std::nullopt;
  return std::string(value);
}

ParseOutcome ParseCommandLine(const std::vector<std::string>& args, const EnvLookup& env,
                              std::ostream& out, std::ostream& err) {
  RawArgs raw;
  CLI::App app{"rectifyctl: command-line client of rectifyd, the rectification ledger (整改台账)",
               "rectifyctl"};
  app.require_subcommand(1);
  app.fallthrough();  // global flags may also follow the subcommand
  app.set_version_flag("--version", std::string("rectifyctl ") + RECTIFYCTL_VERSION);

  CLI::Option* addr_opt =
      app.add_option("--addr", raw.addr,
                     std::string("daemon address (default $RECTIFY_ADDR or ") + kDefaultAddr + ")");
  CLI::Option* as_opt = app.add_option(
      "--as", raw.actor, "act as NAME: sent as x-rectify-actor (default $RECTIFY_ACTOR)");
  CLI::Option* token_opt = app.add_option(
      "--token", raw.token, "bearer token (default $RECTIFY_TOKEN); prefer --token-file");
  app.add_option("--token-file", raw.token_file, "read the bearer token from this file");
  app.add_option("--tls-ca", raw.tls_ca, "connect with TLS, trusting this CA (PEM file)");
  app.add_option("--tls-cert", raw.tls_cert, "client certificate for mutual TLS (PEM file)");
  app.add_option("--tls-key", raw.tls_key, "client private key for mutual TLS (PEM file)");
  app.add_option("--tls-server-name", raw.tls_server_name,
                 "the name the daemon's certificate must carry (default: the --addr host)");
  app.add_option("-o,--output", raw.output, "output: table (default) or json")
      ->check(CLI::IsMember({"table", "json"}));
  app.add_option("--lang", raw.lang, "table language: zh (default) or en")
      ->check(CLI::IsMember({"zh", "en"}));
  CLI::Option* timeout_option =
      app.add_option("--timeout", raw.timeout_seconds,
                     "seconds per unary call (default 30; admin verify-audit 1800)")
          ->check(CLI::PositiveNumber);

  // create
  CLI::App* create = app.add_subcommand("create", "create an item (登记问题)");
  create->add_option("--title", raw.title, "问题标题")->required();
  create->add_option("--description", raw.description, "问题描述")->required();
  create->add_option("--source", raw.source, EnumHelp("问题来源", SourceTable()))->required();
  create->add_option("--category", raw.category, EnumHelp("问题类别", CategoryTable()))->required();
  create->add_option("--unit", raw.unit, "责任单位")->required();
  create->add_option("--owner", raw.owner, "责任人")->required();
  create->add_option("--leader", raw.leader, "分管领导")->required();
  create->add_option("--verifier", raw.verifier, "验收人")->required();
  AddMulti(create, "--measure", raw.measures, "整改措施 (repeatable)");
  create->add_option("--deadline", raw.deadline, "整改时限: YYYY-MM-DD, Nd or Nwd");
  create->add_option("--year", raw.year, "年度 (default: the creation year)");
  create->add_option("--mode", raw.mode, EnumHelp("整改类型", ModeTable()));
  create->add_option("--source-ref", raw.source_ref, "来源文号/会议");
  AddMulti(create, "--co-unit", raw.co_units, "配合单位 (repeatable)");
  AddMutationFlags(create, raw, /*expected_version=*/false);

  CLI::App* get = app.add_subcommand("get", "show one item (查看)");
  AddIdArg(get, raw);

  // list
  CLI::App* list = app.add_subcommand("list", "list items (台账)");
  AddMulti(list, "--state", raw.states, EnumHelp("状态 (repeatable, any of)", StateTable()));
  list->add_option("--unit", raw.unit, "责任单位");
  list->add_option("--owner", raw.owner, "责任人");
  list->add_option("--leader", raw.leader, "分管领导");
  list->add_option("--verifier", raw.verifier, "验收人");
  list->add_option("--source", raw.source, EnumHelp("问题来源", SourceTable()));
  list->add_option("--category", raw.category, EnumHelp("问题类别", CategoryTable()));
  list->add_option("--year", raw.year, "年度");
  list->add_flag("--overdue", raw.overdue, "only open items past their deadline (逾期)");
  list->add_option("--light", raw.light, EnumHelp("预警灯", LightTable()));
  list->add_option("--deadline-from", raw.deadline_from, "deadline on or after YYYY-MM-DD");
  list->add_option("--deadline-to", raw.deadline_to, "deadline on or before YYYY-MM-DD");
  list->add_option("--order", raw.order, "id or deadline");
  list->add_option("--page-size", raw.page_size, "items per page (server default 50, max 1000)")
      ->check(CLI::Range(1, 1000));
  list->add_option("--page-token", raw.page_token, "continue from a previous page");
  list->add_flag("--all", raw.all, "follow next_page_token to the last page");

  // update
  CLI::App* update = app.add_subcommand(
      "update", "change fields (修改); the update mask is exactly the flags given");
  AddIdArg(update, raw);
  struct MaskedFlag {
    CLI::Option* option;
    const char* path;
  };
  std::vector<MaskedFlag> masked = {
      {update->add_option("--title", raw.title, "问题标题"), "title"},
      {update->add_option("--description", raw.description, "问题描述"), "description"},
      {update->add_option("--source", raw.source, EnumHelp("问题来源", SourceTable())), "source"},
      {update->add_option("--source-ref", raw.source_ref, "来源文号/会议"), "source_ref"},
      {update->add_option("--category", raw.category, EnumHelp("问题类别", CategoryTable())),
       "category"},
      {update->add_option("--unit", raw.unit, "责任单位"), "unit"},
      {AddMulti(update, "--co-unit", raw.co_units, "配合单位 (repeatable; replaces the list)"),
       "co_units"},
      {update->add_option("--owner", raw.owner, "责任人"), "owner"},
      {update->add_option("--leader", raw.leader, "分管领导"), "leader"},
      {update->add_option("--verifier", raw.verifier, "验收人"), "verifier"},
      {AddMulti(update, "--measure", raw.measures, "整改措施 (repeatable; replaces the list)"),
       "measures"},
      {update->add_option("--deadline", raw.deadline, "整改时限 YYYY-MM-DD (DRAFT only)"),
       "deadline"},
      {update->add_option("--mode", raw.mode, EnumHelp("整改类型", ModeTable())), "mode"},
      {update->add_option("--year", raw.year, "年度"), "year"},
  };
  update->add_option("--comment", raw.comment, "why (kept in the history)");
  AddMutationFlags(update, raw, /*expected_version=*/true);

  CLI::App* history = app.add_subcommand("history", "an item's events (变更记录)");
  AddIdArg(history, raw);

  // transitions
  std::vector<std::pair<CLI::App*, const TransitionVerb*>> transitions;
  for (const TransitionVerb& verb : kTransitions) {
    CLI::App* sub = app.add_subcommand(verb.name, verb.help);
    AddIdArg(sub, raw);
    sub->add_option("--comment", raw.comment, "opinion / reason / follow-up plan");
    sub->add_option("--result", raw.result, "整改结果 (submit)");
    AddMulti(sub, "--evidence", raw.evidence, "佐证材料 NAME:SHA256[:URI] (repeatable)");
    AddMutationFlags(sub, raw, /*expected_version=*/true);
    transitions.emplace_back(sub, &verb);
  }

  CLI::App* extend = app.add_subcommand("extend", "延期: move the deadline (before it passes)");
  AddIdArg(extend, raw);
  extend->add_option("--to", raw.to, "new deadline: YYYY-MM-DD, Nd or Nwd")->required();
  extend->add_option("--reason", raw.reason, "延期原因")->required();
  AddMutationFlags(extend, raw, /*expected_version=*/true);

  CLI::App* progress = app.add_subcommand("progress", "add a progress note (整改进展)");
  AddIdArg(progress, raw);
  progress->add_option("--note", raw.note, "进展说明")->required();
  AddMulti(progress, "--evidence", raw.evidence, "佐证材料 NAME:SHA256[:URI] (repeatable)");
  progress->add_option("--measure-done", raw.measures_done, "mark measure INDEX (0-based) done")
      ->allow_extra_args(false);
  AddMutationFlags(progress, raw, /*expected_version=*/true);

  CLI::App* server_info = app.add_subcommand("server-info", "daemon version, revision, counts");

  CLI::App* watch = app.add_subcommand("watch", "stream changes as they commit");
  watch->add_option("--from", raw.from, "start at this revision (inclusive; default: now)");
  AddMulti(watch, "--item", raw.items, "only these item ids (repeatable)");
  AddMulti(watch, "--unit", raw.units, "only these units (repeatable)");
  AddMulti(watch, "--state", raw.states,
           EnumHelp("state before or after (repeatable)", StateTable()));
  AddMulti(watch, "--kind", raw.kinds, EnumHelp("event kind (repeatable)", EventKindTable()));
  watch->add_flag("--progress-notify", raw.progress_notify, "ask for periodic progress responses");

  // remind run | remind list
  CLI::App* remind = app.add_subcommand("remind", "reminders (提醒): run them, list them");
  remind->require_subcommand(1);
  CLI::App* remind_run =
      remind->add_subcommand("run", "fire the reminders due now and queue their digests");
  remind_run->add_flag("--dry-run", raw.dry_run, "show what would fire; record and send nothing");
  CLI::App* remind_list = remind->add_subcommand(
      "list", "an item's fired reminders, or (no item) the outbox and what comes next");
  remind_list->add_option("item", raw.id, "item id (编号); omitted: every item");
  remind_list->add_flag("--deliveries", raw.deliveries,
                        "with an item: its deliveries; without: the outbox (recent deliveries)");
  remind_list->add_flag("--upcoming", raw.upcoming, "when reminders next fall due");
  remind_list->add_option("--page-size", raw.page_size, "entries (server default 100, max 1000)")
      ->check(CLI::Range(1, 1000));

  // calendar [--year Y] | calendar add-workdays DATE N
  CLI::App* calendar = app.add_subcommand("calendar", "the daemon's working-day calendar (工作日)");
  calendar->require_subcommand(0, 1);
  CLI::Option* calendar_year =
      calendar->add_option("--year", raw.year, "only this year (default: every year it has)")
          ->check(CLI::Range(1900, 9999));
  CLI::App* add_workdays = calendar->add_subcommand(
      "add-workdays", "the N-th working day after DATE (before it if N is negative)");
  add_workdays->add_option("date", raw.date, "start date YYYY-MM-DD (never counted itself)")
      ->required();
  add_workdays->add_option("n", raw.days, "working days, may be negative")->required();

  // health
  CLI::App* health = app.add_subcommand(
      "health", "ask the standard gRPC health service whether rectifyd is SERVING (exit 0) "
                "(no credentials needed)");

  // admin set-clock | hash-token
  CLI::App* admin = app.add_subcommand("admin", "daemon administration");
  admin->require_subcommand(1);
  CLI::App* hash_token = admin->add_subcommand(
      "hash-token", "make a bearer token (or take TOKEN) and print the salted hash for the "
                    "config's token_hashes; runs locally");
  hash_token->add_option("token", raw.hash_token, "an existing token (default: generate one)");
  CLI::App* set_clock = admin->add_subcommand(
      "set-clock", "move the clock of a daemon started with --test-clock (tests only)");
  CLI::Option* clock_to = set_clock->add_option(
      "--to", raw.to, "set the clock to this RFC 3339 time, e.g. 2026-06-30T09:00:00+08:00");
  CLI::Option* clock_advance = set_clock->add_option(
      "--advance", raw.advance, "move the clock by a duration: 90s, 15m, 3h, 2d, -1h");
  std::string backup_dir;
  CLI::App* backup = admin->add_subcommand(
      "backup", "online backup of the ledger (a consistent RocksDB checkpoint) into DIR");
  backup->add_option("dir", backup_dir,
                     "absolute path on the daemon's host; must not exist yet, its parent must")
      ->required();

  LedgerCli ledger;  // report, export, import (issue #6)
  ledger.Register(app);
  CLI::App* verify_audit = admin->add_subcommand(
      "verify-audit", "recompute the audit chain (审计链), report the first break (exit 3)");

  std::vector<const char*> argv;
  argv.push_back("rectifyctl");
  for (const std::string& a : args) argv.push_back(a.c_str());
  try {
    app.parse(static_cast<int>(argv.size()), argv.data());
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e, out, err);
    return ParseOutcome{std::nullopt, code == 0 ? kExitOk : kExitUsage};
  }

  auto usage = [&](const std::string& message) {
    err << "rectifyctl: " << message << "\nRun with --help for more information.\n";
    return ParseOutcome{std::nullopt, kExitUsage};
  };

  Invocation inv;
  if (addr_opt->count() > 0) {
    inv.global.addr = raw.addr;
  } else if (auto addr = env("RECTIFY_ADDR"); addr && !addr->empty()) {
    inv.global.addr = *addr;
  }
  if (as_opt->count() > 0) {
    inv.global.actor = raw.actor;
  } else if (auto actor = env("RECTIFY_ACTOR"); actor) {
    inv.global.actor = *actor;
  }
  if (token_opt->count() > 0) {
    inv.global.token = raw.token;
  } else if (!raw.token_file.empty()) {
    auto text = ReadWholeFile(raw.token_file);
    if (!text) return usage("--token-file: cannot read " + raw.token_file);
    while (!text->empty() && std::isspace(static_cast<unsigned char>(text->back()))) {
      text->pop_back();
    }
    inv.global.token = *text;
  } else if (auto token = env("RECTIFY_TOKEN"); token) {
    inv.global.token = *token;
  }
  for (auto [flag, path, into] :
       {std::tuple{"--tls-ca", &raw.tls_ca, &inv.global.tls_ca},
        std::tuple{"--tls-cert", &raw.tls_cert, &inv.global.tls_cert},
        std::tuple{"--tls-key", &raw.tls_key, &inv.global.tls_key}}) {
    if (path->empty()) continue;
    auto text = ReadWholeFile(*path);
    if (!text) return usage(std::string(flag) + ": cannot read " + *path);
    *into = std::move(*text);
    inv.global.tls = true;
  }
  if (raw.tls_cert.empty() != raw.tls_key.empty()) {
    return usage("--tls-cert and --tls-key go together");
  }
  inv.global.tls_server_name = raw.tls_server_name;
  inv.global.output = raw.output == "json" ? OutputFormat::kJson : OutputFormat::kTable;
  inv.global.lang = raw.lang == "en" ? Lang::kEn : Lang::kZh;
  inv.global.timeout = std::chrono::milliseconds(static_cast<int64_t>(raw.timeout_seconds * 1000));

  Converter c(raw);
  const CLI::App* chosen = app.get_subcommands().front();

  if (ledger.Owns(chosen)) {
    if (auto error = ledger.Convert(chosen, &inv.command)) return usage(*error);
  } else if (chosen == create) {
    CreateCommand cmd;
    v1::Item* item = cmd.request.mutable_item();
    item->set_title(raw.title);
    item->set_description(raw.description);
    item->set_unit(raw.unit);
    item->set_owner(raw.owner);
    item->set_leader(raw.leader);
    item->set_verifier(raw.verifier);
    item->set_source_ref(raw.source_ref);
    item->set_year(raw.year);
    for (const std::string& co : raw.co_units) item->add_co_units(co);
    for (const std::string& m : raw.measures) item->add_measures()->set_text(m);
    v1::Source source;
    v1::Category category;
    if (!c.Take(ParseSource("--source", raw.source), &source)) return usage(c.error());
    if (!c.Take(ParseCategory("--category", raw.category), &category)) return usage(c.error());
    item->set_source(source);
    item->set_category(category);
    if (!raw.mode.empty()) {
      v1::Mode mode;
      if (!c.Take(ParseMode("--mode", raw.mode), &mode)) return usage(c.error());
      item->set_mode(mode);
    }
    if (!raw.deadline.empty() &&
        !c.Take(ParseDeadlineSpec("--deadline", raw.deadline), cmd.request.mutable_deadline())) {
      return usage(c.error());
    }
    cmd.request.set_request_id(raw.request_id);
    inv.command = std::move(cmd);
  } else if (chosen == get) {
    GetCommand cmd;
    cmd.request.set_id(raw.id);
    inv.command = std::move(cmd);
  } else if (chosen == list) {
    ListCommand cmd;
    v1::ListItemsRequest& r = cmd.request;
    for (const std::string& s : raw.states) {
      v1::State state;
      if (!c.Take(ParseState("--state", s), &state)) return usage(c.error());
      r.add_states(state);
    }
    r.set_unit(raw.unit);
    r.set_owner(raw.owner);
    r.set_leader(raw.leader);
    r.set_verifier(raw.verifier);
    if (!raw.source.empty()) {
      v1::Source source;
      if (!c.Take(ParseSource("--source", raw.source), &source)) return usage(c.error());
      r.set_source(source);
    }
    if (!raw.category.empty()) {
      v1::Category category;
      if (!c.Take(ParseCategory("--category", raw.category), &category)) return usage(c.error());
      r.set_category(category);
    }
    r.set_year(raw.year);
    r.set_overdue(raw.overdue);
    if (!raw.light.empty()) {
      v1::Light light;
      if (!c.Take(ParseLight("--light", raw.light), &light)) return usage(c.error());
      r.set_light(light);
    }
    if (!raw.deadline_from.empty() &&
        !c.Take(ParseDate("--deadline-from", raw.deadline_from), r.mutable_deadline_from())) {
      return usage(c.error());
    }
    if (!raw.deadline_to.empty() &&
        !c.Take(ParseDate("--deadline-to", raw.deadline_to), r.mutable_deadline_to())) {
      return usage(c.error());
    }
    if (!raw.order.empty()) {
      v1::OrderBy order;
      if (!c.Take(ParseOrderBy("--order", raw.order), &order)) return usage(c.error());
      r.set_order_by(order);
    }
    r.set_page_size(raw.page_size);
    r.set_page_token(raw.page_token);
    cmd.all = raw.all;
    inv.command = std::move(cmd);
  } else if (chosen == update) {
    UpdateCommand cmd;
    v1::UpdateItemRequest& r = cmd.request;
    r.set_id(raw.id);
    v1::Item* item = r.mutable_item();
    item->set_title(raw.title);
    item->set_description(raw.description);
    item->set_source_ref(raw.source_ref);
    item->set_unit(raw.unit);
    item->set_owner(raw.owner);
    item->set_leader(raw.leader);
    item->set_verifier(raw.verifier);
    item->set_year(raw.year);
    for (const std::string& co : raw.co_units) item->add_co_units(co);
    for (const std::string& m : raw.measures) item->add_measures()->set_text(m);
    if (!raw.source.empty()) {
      v1::Source source;
      if (!c.Take(ParseSource("--source", raw.source), &source)) return usage(c.error());
      item->set_source(source);
    }
    if (!raw.category.empty()) {
      v1::Category category;
      if (!c.Take(ParseCategory("--category", raw.category), &category)) return usage(c.error());
      item->set_category(category);
    }
    if (!raw.mode.empty()) {
      v1::Mode mode;
      if (!c.Take(ParseMode("--mode", raw.mode), &mode)) return usage(c.error());
      item->set_mode(mode);
    }
    if (!raw.deadline.empty()) {
      if (!IsDate(raw.deadline)) {
        return usage("invalid value '" + raw.deadline +
                     "' for --deadline; update takes a date YYYY-MM-DD (an item that is no "
                     "longer a draft is moved with `extend`, which also takes Nd and Nwd)");
      }
      item->set_deadline(raw.deadline);
    }
    for (const MaskedFlag& flag : masked) {
      if (flag.option->count() > 0) r.mutable_update_mask()->add_paths(flag.path);
    }
    if (r.update_mask().paths_size() == 0) {
      return usage("update needs at least one field flag (--title, --deadline, ...)");
    }
    r.set_comment(raw.comment);
    r.set_request_id(raw.request_id);
    r.set_expected_version(raw.expected_version);
    inv.command = std::move(cmd);
  } else if (chosen == history) {
    HistoryCommand cmd;
    cmd.request.set_id(raw.id);
    inv.command = std::move(cmd);
  } else if (chosen == extend) {
    TransitionCommand cmd{"extend", {}};
    v1::TransitionRequest& r = cmd.request;
    r.set_id(raw.id);
    r.set_action(v1::ACTION_EXTEND);
    if (!c.Take(ParseDeadlineSpec("--to", raw.to), r.mutable_new_deadline())) {
      return usage(c.error());
    }
    r.set_comment(raw.reason);
    r.set_request_id(raw.request_id);
    r.set_expected_version(raw.expected_version);
    inv.command = std::move(cmd);
  } else if (chosen == progress) {
    ProgressCommand cmd;
    v1::AddProgressRequest& r = cmd.request;
    r.set_id(raw.id);
    r.set_note(raw.note);
    if (!c.Evidence(r.mutable_evidence())) return usage(c.error());
    for (int index : raw.measures_done) {
      if (index < 0)
        return usage("--measure-done takes a 0-based measure index, not " + std::to_string(index));
      r.add_measures_done(index);
    }
    r.set_request_id(raw.request_id);
    r.set_expected_version(raw.expected_version);
    inv.command = std::move(cmd);
  } else if (chosen == server_info) {
    inv.command = ServerInfoCommand{};
  } else if (chosen == watch) {
    WatchCommand cmd;
    v1::WatchRequest& r = cmd.request;
    r.set_start_revision(raw.from);
    for (const std::string& id : raw.items) r.add_item_ids(id);
    for (const std::string& u : raw.units) r.add_units(u);
    for (const std::string& s : raw.states) {
      v1::State state;
      if (!c.Take(ParseState("--state", s), &state)) return usage(c.error());
      r.add_states(state);
    }
    for (const std::string& k : raw.kinds) {
      v1::EventKind kind;
      if (!c.Take(ParseEventKind("--kind", k), &kind)) return usage(c.error());
      r.add_kinds(kind);
    }
    r.set_progress_notify(raw.progress_notify);
    inv.command = std::move(cmd);
  } else if (chosen == remind) {
    const CLI::App* verb = remind->get_subcommands().front();
    if (verb == remind_run) {
      RemindRunCommand cmd;
      cmd.request.set_dry_run(raw.dry_run);
      inv.command = std::move(cmd);
    } else {
      RemindListCommand cmd;
      v1::ListRemindersRequest& r = cmd.request;
      r.set_item_id(raw.id);
      r.set_include_deliveries(raw.deliveries);
      r.set_upcoming(raw.upcoming);
      if (raw.id.empty() && !raw.deliveries && !raw.upcoming) {
        r.set_include_deliveries(true);
        r.set_upcoming(true);
      }
      r.set_page_size(raw.page_size);
      inv.command = std::move(cmd);
    }
  } else if (chosen == calendar) {
    if (calendar->get_subcommands().empty()) {
      CalendarCommand cmd;
      cmd.request.set_year(raw.year);
      inv.command = std::move(cmd);
    } else {
      if (calendar_year->count() > 0) {
        return usage("--year belongs to `calendar` alone, not to `calendar add-workdays`");
      }
      AddWorkingDaysCommand cmd;
      if (!c.Take(ParseDate("DATE", raw.date), cmd.request.mutable_date())) {
        return usage(c.error());
      }
      int days = 0;
      if (!c.Take(ParseWorkingDayCount("N", raw.days), &days)) return usage(c.error());
      cmd.request.set_days(days);
      inv.command = std::move(cmd);
    }
  } else if (chosen == health) {
    inv.command = HealthCommand{};
  } else if (chosen == admin && admin->get_subcommands().front() == hash_token) {
    inv.command = HashTokenCommand{raw.hash_token};
  } else if (chosen == admin && admin->got_subcommand(verify_audit)) {
    // One call reads every retained event (about 15,000 a second on a busy machine): allow
    // it minutes, not the 30 s default, unless --timeout says otherwise.
    if (timeout_option->count() == 0) inv.global.timeout = std::chrono::minutes(30);
    inv.command = VerifyAuditCommand{};
  } else if (chosen == admin && !backup->parsed()) {
    // set-clock
    if ((clock_to->count() > 0) == (clock_advance->count() > 0)) {
      return usage("set-clock takes exactly one of --to TIME and --advance DURATION");
    }
    SetClockCommand cmd;
    if (clock_to->count() > 0) {
      if (!c.Take(ParseRfc3339("--to", raw.to), cmd.request.mutable_time())) {
        return usage(c.error());
      }
    } else {
      int64_t seconds = 0;
      if (!c.Take(ParseDurationSeconds("--advance", raw.advance), &seconds)) {
        return usage(c.error());
      }
      // The request cannot tell an advance of 0 from no advance at all.
      if (seconds == 0) {
        return usage("--advance " + raw.advance +
                     " would not move the clock; `server-info` shows the daemon's time");
      }
      cmd.request.set_advance_seconds(seconds);
    }
    inv.command = std::move(cmd);
  } else if (chosen == admin) {
    BackupCommand cmd;
    cmd.request.set_dir(backup_dir);
    inv.command = std::move(cmd);
  } else {
    bool found = false;
    for (const auto& [sub, verb] : transitions) {
      if (chosen != sub) continue;
      found = true;
      TransitionCommand cmd{verb->name, {}};
      v1::TransitionRequest& r = cmd.request;
      r.set_id(raw.id);
      r.set_action(verb->action);
      r.set_comment(raw.comment);
      r.set_result(raw.result);
      if (!c.Evidence(r.mutable_evidence())) return usage(c.error());
      r.set_request_id(raw.request_id);
      r.set_expected_version(raw.expected_version);
      inv.command = std::move(cmd);
    }
    if (!found) return usage("unknown command " + chosen->get_name());
  }
  return ParseOutcome{std::move(inv), kExitOk};
}

std::string ResumeCommand(const GlobalOptions& global, const v1::WatchRequest& request,
                          uint64_t from_revision) {
  std::string out = "rectifyctl --addr " + ShellQuote(global.addr);
  if (!global.actor.empty()) out += " --as " + ShellQuote(global.actor);
  if (global.output == OutputFormat::kJson) out += " -o json";
  if (global.lang == Lang::kEn) out += " --lang en";
  out += " watch";
  if (from_revision > 0) out += " --from " + std::to_string(from_revision);
  for (const std::string& id : request.item_ids()) out += " --item " + ShellQuote(id);
  for (const std::string& u : request.units()) out += " --unit " + ShellQuote(u);
  for (int s : request.states()) out += " --state " + BareName(StateTable(), s);
  for (int k : request.kinds()) out += " --kind " + BareName(EventKindTable(), k);
  if (request.progress_notify()) out += " --progress-notify";
  return out;
}

}  // namespace rectify::client

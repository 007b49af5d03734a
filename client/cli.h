#pragma once

// The rectifyctl command line: turns argv into an Invocation (global options plus one request
// message ready to send), or into an exit code with the message already written (usage error:
// 2, --help/--version: 0). No network here, so every flag-to-field rule is unit-tested.

#include <chrono>
#include <functional>
#include <iosfwd>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "client/enums.h"
#include "client/ledger_commands.h"
#include "rectify/v1/rectify.pb.h"

namespace rectify::client {

inline constexpr char kDefaultAddr[] = "127.0.0.1:50051";
inline constexpr int kExitOk = 0;
inline constexpr int kExitRpcError = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitAuditBroken = 3;  // admin verify-audit found a break

enum class OutputFormat { kTable, kJson };

struct GlobalOptions {
  std::string addr = kDefaultAddr;  // --addr, else $RECTIFY_ADDR, else kDefaultAddr
  std::string actor;                // --as, else $RECTIFY_ACTOR; empty = no metadata sent
  std::string token;                // --token / --token-file, else $RECTIFY_TOKEN: a bearer token
  // TLS, when any of these is given (PEM contents, read at parse time): the CA that signed the
  // daemon's certificate, and for mutual TLS this client's certificate and key.
  bool tls = false;
  std::string tls_ca, tls_cert, tls_key;
  std::string tls_server_name;      // --tls-server-name: the name the certificate must carry
  OutputFormat output = OutputFormat::kTable;
  Lang lang = Lang::kZh;
  std::chrono::milliseconds timeout{30'000};  // per unary call
};

struct CreateCommand {
  v1::CreateItemRequest request;
};
struct GetCommand {
  v1::GetItemRequest request;
};
struct ListCommand {
  v1::ListItemsRequest request;
  bool all = false;  // follow next_page_token to the end
};
struct UpdateCommand {
  v1::UpdateItemRequest request;
};
struct HistoryCommand {
  v1::GetHistoryRequest request;  // every page is fetched
};
struct TransitionCommand {
  std::string name;  // the subcommand: "confirm", "long-term", "extend", ...
  v1::TransitionRequest request;
};
struct ProgressCommand {
  v1::AddProgressRequest request;
};
struct ServerInfoCommand {};
struct WatchCommand {
  v1::WatchRequest request;
};
struct RemindRunCommand {
  v1::RunRemindersRequest request;
};
// `remind list`. Without an item and without --deliveries/--upcoming the request asks for both
// (the daemon would otherwise answer with nothing); the printed sections follow the request.
struct RemindListCommand {
  v1::ListRemindersRequest request;
};
struct CalendarCommand {
  v1::GetCalendarRequest request;
};
struct AddWorkingDaysCommand {
  v1::AddWorkingDaysRequest request;
};
// The standard gRPC health check (grpc.health.v1.Health/Check): needs no credentials, so a
// container or load-balancer probe can use it whatever the [auth] mode.
struct HealthCommand {};
// Local: makes (or takes) a bearer token and prints its salted hash for the config.
struct HashTokenCommand {
  std::string token;  // "" = generate a new one
};
struct SetClockCommand {
  v1::SetClockRequest request;  // exactly one of time / advance_seconds (non-zero) is set
};
struct VerifyAuditCommand {
  v1::VerifyAuditRequest request;
};

struct BackupCommand {
  v1::BackupRequest request;  // `admin backup DIR`: DIR on the daemon's host
};

using Command = std::variant<CreateCommand, GetCommand, ListCommand, UpdateCommand, HistoryCommand,
                             TransitionCommand, ProgressCommand, ServerInfoCommand, WatchCommand,
                             RemindRunCommand, RemindListCommand, CalendarCommand,
                             AddWorkingDaysCommand, SetClockCommand, HashTokenCommand,
                             HealthCommand, ReportCommand, ExportCommand, ImportCommand,
                             BackupCommand, VerifyAuditCommand>;

struct Invocation {
  GlobalOptions global;
  Command command;
};

struct ParseOutcome {
  std::optional<Invocation> invocation;  // set when there is a call to make
  int exit_code = kExitOk;               // meaningful when invocation is empty
};

// Reads an environment variable; injectable so tests do not depend on the caller's environment.
using EnvLookup = std::function<std::optional<std::string>(const char* name)>;
std::optional<std::string> ProcessEnv(const char* name);

// `args` excludes the program name. Help and version text go to `out`, usage errors to `err`.
ParseOutcome ParseCommandLine(const std::vector<std::string>& args, const EnvLookup& env,
                              std::ostream& out, std::ostream& err);

// The command that resumes `request` from `from_revision`, with the same global options:
// "rectifyctl --addr A --as X watch --from 13 --unit U ...". Arguments are shell-quoted.
std::string ResumeCommand(const GlobalOptions& global, const v1::WatchRequest& request,
                          uint64_t from_revision);

}  // namespace rectify::client

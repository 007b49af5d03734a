#pragma once

// Runs `report`, `export` and `import` against rectifyd (called from execute.cc's Session on the
// main thread). Exit codes as execute.h: 0 ok, 1 an RPC failed or the input file is bad.

#include <grpcpp/grpcpp.h>

#include <iosfwd>
#include <memory>

#include "client/cli.h"

namespace rectify::client {

int RunReport(const GlobalOptions& global, const std::shared_ptr<grpc::Channel>& channel,
              const ReportCommand& cmd, std::ostream& out, std::ostream& err);
int RunExport(const GlobalOptions& global, const std::shared_ptr<grpc::Channel>& channel,
              const ExportCommand& cmd, std::ostream& out, std::ostream& err);
int RunImport(const GlobalOptions& global, const std::shared_ptr<grpc::Channel>& channel,
              const ImportCommand& cmd, std::ostream& out, std::ostream& err);

}  // namespace rectify::client

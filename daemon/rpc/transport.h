#pragma once

// How the gRPC port is exposed: the server credentials (plain, TLS, mutual TLS) the config
// asks for, and the rule that an unauthenticated daemon stays on loopback. Called once by app/
// at start-up (and by --check-config, so a bad certificate path is found before a restart).

#include <memory>
#include <string>

#include <grpcpp/security/server_credentials.h>

#include "common/status.h"
#include "config/config.h"

namespace rectify::rpc {

// Insecure, TLS, or TLS verifying client certificates against [tls] client_ca_file.
// INVALID_ARGUMENT naming the file that cannot be read or is not PEM.
Result<std::shared_ptr<grpc::ServerCredentials>> ServerCredentialsFor(const config::Config& cfg);

// "127.0.0.1:50051", "localhost:0", "[::1]:1", "unix:/run/x.sock" are loopback; "0.0.0.0:1",
// ":50051", "[::]:1" and any other host are not.
bool IsLoopback(const std::string& listen);

// FAILED_PRECONDITION when [auth] mode = "none" would listen beyond loopback and the operator
// has not set allow_remote_unauthenticated.
Status CheckExposure(const config::Config& cfg);

}  // namespace rectify::rpc

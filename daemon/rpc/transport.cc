#include "rpc/transport.h"

#include <fstream>
#include <sstream>

#include <grpcpp/security/server_credentials.h>

namespace rectify::rpc {
namespace {

Result<std::string> ReadPem(const std::string& key, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return InvalidArgument(key + ": cannot read " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  if (text.find("-----BEGIN ") == std::string::npos) {
    return InvalidArgument(key + ": " + path + " is not a PEM file");
  }
  return text;
}

}  // namespace

Result<std::shared_ptr<grpc::ServerCredentials>> ServerCredentialsFor(const config::Config& cfg) {
  if (!cfg.tls.enabled()) return grpc::InsecureServerCredentials();
  grpc::SslServerCredentialsOptions opts;
  grpc::SslServerCredentialsOptions::PemKeyCertPair pair;
  ASSIGN_OR_RETURN(pair.cert_chain, ReadPem("tls.cert_file", cfg.tls.cert_file));
  ASSIGN_OR_RETURN(pair.private_key, ReadPem("tls.key_file", cfg.tls.key_file));
  opts.pem_key_cert_pairs.push_back(std::move(pair));
  if (!cfg.tls.client_ca_file.empty()) {
    ASSIGN_OR_RETURN(opts.pem_root_certs, ReadPem("tls.client_ca_file", cfg.tls.client_ca_file));
    opts.client_certificate_request =
        cfg.tls.client_cert == "require"
            ? GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY
            : GRPC_SSL_REQUEST_CLIENT_CERTIFICATE_AND_VERIFY;
  }
  return grpc::SslServerCredentials(opts);
}

bool IsLoopback(const std::string& listen) {
  if (listen.starts_with("unix:") || listen.starts_with("unix-abstract:")) return true;
  std::string host = listen.substr(0, listen.rfind(':'));
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  return host == "localhost" || host == "::1" || host.starts_with("127.");
}

Status CheckExposure(const config::Config& cfg) {
  if (cfg.auth.mode != "none" || cfg.auth.allow_remote_unauthenticated || IsLoopback(cfg.listen)) {
    return Status::Ok();
  }
  return FailedPrecondition(
      "listen = \"" + cfg.listen +
      "\" is not loopback, and [auth] mode = \"none\" would let anyone on the network act as "
      "anyone: set [auth] mode = \"token\" (with token_hashes for the principals), or listen on "
      "127.0.0.1, or set [auth] allow_remote_unauthenticated = true if you really mean it");
}

}  // namespace rectify::rpc

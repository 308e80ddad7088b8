// The server's settings: embedded defaults, overridden by a config file (HCL, see
// docs/configuration.md), overridden by command-line flags.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/log.hpp"
#include "common/result.hpp"

namespace berth::app {

struct TlsSettings {
  std::string certificate_file;  // PEM chain
  std::string key_file;          // PEM private key
};

// A trusted OIDC issuer (`oidc_provider "<name>" { ... }`). "github" and "circleci" have defaults:
// the real issuers, and the audiences their CI sends to AWS.
struct OidcProviderSettings {
  std::string name;
  std::string issuer;                  // https:// URL (http:// only with `insecure`)
  std::vector<std::string> audiences;  // accepted `aud` values, at least one
  std::string github_owner;            // github: the organisation whose repositories may push
  std::string circleci_organization_id;
  bool insecure = false;  // allow a plain-http issuer: local test identity providers only
};

struct Settings {
  std::string listen = "127.0.0.1:5000";  // host:port; [v6]:port; port 0 picks a free port
  std::string data_dir = "./berth-data";
  // Serve without authentication and create repositories on first push. Off unless asked for.
  bool anonymous = false;
  // How clients reach this server (proxyEndpoint, Location, realm); derived from `listen` when empty.
  std::string public_url;
  log::Format log_format = log::Format::text;
  log::Level log_level = log::Level::info;
  std::optional<TlsSettings> tls;
  unsigned threads = 0;  // io threads; 0 = one per core

  // The AWS identity of this registry: the registry id in ARNs and API responses, and the region
  // clients sign for.
  std::string account_id = "000000000000";
  std::string region = "us-east-1";
  std::vector<OidcProviderSettings> oidc_providers;
  std::chrono::seconds default_session_duration{60 * 60};       // STS DurationSeconds when absent
  std::chrono::seconds registry_password_lifetime{12 * 60 * 60};  // ECR login passwords, like ECR
  std::chrono::seconds clock_skew{5 * 60};                       // SigV4 request time window, each way
  std::vector<std::string> keys;  // base64 AES-256 keys, first active; empty = <data_dir>/keys

  std::size_t max_header_bytes = 16 * 1024;
  std::size_t max_manifest_bytes = 4 * 1024 * 1024;
  std::size_t max_images_per_repository = 100'000;  // ECR's default quota
  std::chrono::seconds header_timeout{10};   // whole request header must arrive within this
  std::chrono::seconds idle_timeout{60};     // keep-alive wait, and any stall while reading a body
  std::chrono::seconds shutdown_grace{30};   // SIGTERM: in-flight requests get this long to finish

  // Lifecycle policies run inside serve every interval (ECR applies them within 24 hours).
  bool lifecycle_enabled = true;
  std::chrono::seconds lifecycle_interval{24 * 60 * 60};

  // Garbage collection runs inside serve every interval; the ages are gc::GcOptions'.
  bool gc_enabled = true;
  std::chrono::seconds gc_interval{60 * 60};
  std::chrono::seconds gc_grace_period{24 * 60 * 60};
  std::chrono::seconds gc_upload_grace{24 * 60 * 60};
  std::chrono::seconds gc_upload_max_age{24 * 60 * 60};
};

// Reads an HCL config file over `base`. Unknown attributes or blocks are errors with file:line:col.
Result<Settings> load_settings(const std::string& path, Settings base = {});
// The same from the file's text; `file_name` appears in positions and error messages.
Result<Settings> parse_settings(std::string_view text, std::string file_name, Settings base = {});

}  // namespace berth::app

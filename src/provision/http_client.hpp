// A blocking HTTPS client for the publishers (GitHub REST, the Kubernetes API): one libcurl easy
// handle per request, certificates always verified unless the kubeconfig says otherwise, redirects
// never followed, in-memory PEM for CA and client credentials (libcurl blobs: nothing is written to
// disk). Plain http is refused except to 127.0.0.1 or localhost, which only tests use.
// Thread-safe: a client holds no per-request state.
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"

namespace berth::provision {

// Each credential is either PEM text (`*_pem`) or a file path (`*_file`); PEM wins when both are set.
struct TlsOptions {
  std::string ca_pem;
  std::string ca_file;
  std::string client_cert_pem;
  std::string client_cert_file;
  std::string client_key_pem;
  std::string client_key_file;
  bool insecure_skip_verify = false;
};

struct HttpRequest {
  std::string method;  // GET, POST, PUT, PATCH, DELETE
  std::string url;
  std::vector<std::string> headers;  // "Name: value"
  std::string body;                  // sent when non-empty
};

struct HttpResponse {
  long status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  // names lower-cased; the last value wins

  std::optional<std::string> header(std::string_view lower_case_name) const;
};

struct HttpClientOptions {
  TlsOptions tls;
  std::chrono::milliseconds connect_timeout{10'000};
  std::chrono::milliseconds total_timeout{60'000};
  // Larger answers are refused (`unavailable`): the APIs berth calls answer in kilobytes.
  std::size_t max_body_bytes = 4 * 1024 * 1024;
};

class HttpClient {
 public:
  explicit HttpClient(HttpClientOptions options = {});

  // Any answer from the server, whatever its status, is a response; `unavailable` when none came
  // (refused connection, TLS failure, timeout) and `invalid_argument` for a URL that is neither
  // https nor loopback http. The `unavailable` message is libcurl's description of the failure; the
  // caller adds what was attempted.
  Result<HttpResponse> send(const HttpRequest& request) const;

 private:
  HttpClientOptions options_;
};

// The ErrorCode for a final HTTP status: denied (401/403), not_found (404), conflict (409),
// invalid_argument (400/422), unavailable (5xx/429), internal otherwise.
ErrorCode error_code_for_status(long status);

// The `message` of a JSON error body (GitHub's {"message": ...}, Kubernetes' Status object), else the
// first 200 bytes of the body.
std::string error_message(const HttpResponse& response);

// https://..., or http://127.0.0.1[:port]/... and http://localhost[:port]/... (tests only).
Status check_base_url(std::string_view url);

// One path segment, percent-encoded (RFC 3986 unreserved characters stay; "/" becomes %2F).
std::string encode_path_segment(std::string_view segment);

}  // namespace berth::provision

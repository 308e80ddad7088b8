// Fetching an identity provider's public documents (discovery, JWKS). An interface so the issuer key
// cache can be tested without a network; CurlHttpFetcher is the real one. Blocking: run it on the
// offload pool, never on an I/O thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.hpp"

namespace berth::oidc {

struct FetchedDocument {
  std::string body;
  std::optional<std::chrono::seconds> max_age;  // from `Cache-Control: max-age=N`, when sent
};

class HttpFetcher {
 public:
  virtual ~HttpFetcher() = default;
  // GET `url`; only a 200 answer is a document. aws_idp_communication_error otherwise.
  virtual Result<FetchedDocument> get(const std::string& url) = 0;
};

struct CurlFetcherOptions {
  // Also allows plain http: local test identity providers only.
  bool allow_insecure = false;
  std::chrono::milliseconds connect_timeout{5'000};
  std::chrono::milliseconds total_timeout{10'000};
  std::size_t max_body_bytes = 1024 * 1024;
};

// libcurl, one easy handle per request (thread-safe). Certificates are always verified; redirects
// are not followed, so a discovery or JWKS URL cannot be bounced to a host the operator did not
// configure.
class CurlHttpFetcher final : public HttpFetcher {
 public:
  explicit CurlHttpFetcher(CurlFetcherOptions options = {});
  Result<FetchedDocument> get(const std::string& url) override;

 private:
  CurlFetcherOptions options_;
};

// The `max-age` directive of a Cache-Control value (RFC 9111 §5.2.2.1); nullopt when absent or
// malformed.
std::optional<std::chrono::seconds> parse_max_age(std::string_view cache_control);

}  // namespace berth::oidc

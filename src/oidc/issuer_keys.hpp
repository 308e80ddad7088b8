// The signing keys of one configured identity provider, fetched through its discovery document and
// kept for the JWKS response's max-age. One IssuerKeys per issuer in the configuration: the URL
// fetched is always derived from the configured issuer, never from anything in a token.
//
//   IssuerKeys github("https://token.actions.githubusercontent.com", fetcher);
//   auto keys = github.keys(now);                  // fetches on first use and after expiry
//   ... verify_jwt(token, **keys, options) == not_found (unknown kid) ...
//   keys = github.refresh_for_unknown_kid(now);    // at most one fetch per minute
//
// Thread-safe. Fetches are serialised; a caller holding fresh keys never waits for one.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "common/result.hpp"
#include "oidc/http_fetcher.hpp"
#include "oidc/jwks.hpp"

namespace berth::oidc {

// Bounds on how long fetched keys are used: a max-age below the minimum would let an issuer (or a
// misconfigured CDN) make berth fetch per token; above the maximum, revoked keys would linger.
inline constexpr std::chrono::seconds kMinKeysLifetime{60};
inline constexpr std::chrono::seconds kMaxKeysLifetime{24 * 60 * 60};
inline constexpr std::chrono::seconds kDefaultKeysLifetime{60 * 60};
// At most one fetch per issuer in this interval, whatever the outcome of the previous one, so that
// tokens with made-up kids, or an issuer that is down, do not turn berth into a request amplifier.
inline constexpr std::chrono::seconds kMinFetchInterval{60};

class IssuerKeys {
 public:
  using TimePoint = std::chrono::system_clock::time_point;

  // `allow_insecure` accepts an http `jwks_uri` (local test identity providers only); the fetcher
  // must have been built with it too for http to be fetched.
  IssuerKeys(std::string issuer, std::shared_ptr<HttpFetcher> fetcher, bool allow_insecure = false);

  const std::string& issuer() const { return issuer_; }

  // The current keys; fetched when there are none yet or they have expired (subject to
  // kMinFetchInterval: within it, the previous fetch's error is returned again).
  // aws_idp_communication_error when no unexpired keys can be had.
  Result<std::shared_ptr<const Jwks>> keys(TimePoint now);

  // After verify_jwt reported an unknown kid: fetch again unless a fetch happened within
  // kMinFetchInterval. If the fetch fails, unexpired old keys are still returned.
  Result<std::shared_ptr<const Jwks>> refresh_for_unknown_kid(TimePoint now);

 private:
  struct Fetched {
    std::shared_ptr<const Jwks> keys;
    std::chrono::seconds lifetime;
  };

  std::shared_ptr<const Jwks> fresh_keys(TimePoint now) const;
  // With fetch_mutex_ held: fetch unless rate-limited, publish the result, return what to serve.
  Result<std::shared_ptr<const Jwks>> fetch_and_publish(TimePoint now, bool serve_old_on_failure);
  Result<Fetched> fetch() const;

  const std::string issuer_;
  const std::shared_ptr<HttpFetcher> fetcher_;
  const bool allow_insecure_;

  std::mutex fetch_mutex_;  // serialises fetches; guards last_fetch_ and last_error_
  std::optional<TimePoint> last_fetch_;
  std::optional<Error> last_error_;

  mutable std::mutex state_mutex_;  // guards keys_ and expires_at_; never held during a fetch
  std::shared_ptr<const Jwks> keys_;
  TimePoint expires_at_;
};

}  // namespace berth::oidc

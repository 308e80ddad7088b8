#include "oidc/issuer_keys.hpp"

#include <algorithm>
#include <utility>

#include "common/log.hpp"
#include "oidc/discovery.hpp"

namespace berth::oidc {
namespace {

// OpenID Connect Discovery 1.0 §4: a terminating "/" of the issuer is removed before appending.
std::string discovery_url(std::string_view issuer) {
  if (issuer.ends_with('/')) issuer.remove_suffix(1);
  return std::string(issuer) + "/.well-known/openid-configuration";
}

}  // namespace

IssuerKeys::IssuerKeys(std::string issuer, std::shared_ptr<HttpFetcher> fetcher, bool allow_insecure)
    : issuer_(std::move(issuer)), fetcher_(std::move(fetcher)), allow_insecure_(allow_insecure) {}

std::shared_ptr<const Jwks> IssuerKeys::fresh_keys(TimePoint now) const {
  std::lock_guard lock(state_mutex_);
  return keys_ && now < expires_at_ ? keys_ : nullptr;
}

Result<std::shared_ptr<const Jwks>> IssuerKeys::keys(TimePoint now) {
  if (auto fresh = fresh_keys(now)) return fresh;
  std::lock_guard lock(fetch_mutex_);
  // Another caller may have fetched while this one waited for the lock.
  if (auto fresh = fresh_keys(now)) return fresh;
  return fetch_and_publish(now, false);
}

Result<std::shared_ptr<const Jwks>> IssuerKeys::refresh_for_unknown_kid(TimePoint now) {
  std::lock_guard lock(fetch_mutex_);
  return fetch_and_publish(now, true);
}

Result<std::shared_ptr<const Jwks>> IssuerKeys::fetch_and_publish(TimePoint now, bool serve_old_on_failure) {
  const bool rate_limited = last_fetch_ && now < *last_fetch_ + kMinFetchInterval;
  if (rate_limited) {
    if (auto fresh = fresh_keys(now)) return fresh;
    if (last_error_) return *last_error_;
    return make_error(ErrorCode::aws_idp_communication_error, "keys of " + issuer_ + " expired; refetch rate-limited");
  }

  last_fetch_ = now;
  auto fetched = fetch();
  if (!fetched) {
    last_error_ = fetched.error();
    log::warn("oidc key fetch failed", {{"issuer", issuer_}, {"error", fetched.error().message}});
    if (serve_old_on_failure) {
      if (auto fresh = fresh_keys(now)) return fresh;
    }
    return std::move(fetched).error();
  }
  last_error_.reset();
  log::info("oidc keys fetched", {{"issuer", issuer_},
                                  {"keys", std::to_string(fetched->keys->keys().size())},
                                  {"skipped", std::to_string(fetched->keys->skipped().size())},
                                  {"lifetime_s", std::to_string(fetched->lifetime.count())}});
  for (const auto& skipped : fetched->keys->skipped()) {
    log::warn("oidc key skipped", {{"issuer", issuer_}, {"kid", skipped.kid}, {"reason", skipped.reason}});
  }
  std::lock_guard lock(state_mutex_);
  keys_ = fetched->keys;
  expires_at_ = now + fetched->lifetime;
  return keys_;
}

Result<IssuerKeys::Fetched> IssuerKeys::fetch() const {
  auto discovery_response = fetcher_->get(discovery_url(issuer_));
  BERTH_TRY(discovery_response);
  auto discovery = parse_discovery(discovery_response->body, issuer_, allow_insecure_);
  BERTH_TRY(discovery);
  auto jwks_response = fetcher_->get(discovery->jwks_uri);
  BERTH_TRY(jwks_response);
  auto jwks = Jwks::parse(jwks_response->body);
  BERTH_TRY(jwks);
  const auto lifetime =
      std::clamp(jwks_response->max_age.value_or(kDefaultKeysLifetime), kMinKeysLifetime, kMaxKeysLifetime);
  return Fetched{std::make_shared<const Jwks>(std::move(*jwks)), lifetime};
}

}  // namespace berth::oidc

#include "aws/identity_providers.hpp"

#include <algorithm>
#include <utility>

#include "common/base64.hpp"
#include "oidc/strict_json.hpp"

namespace berth::aws {

namespace {

// Matches VerifyOptions to STS's own limit on WebIdentityToken (interfaces.md §4.2).
constexpr std::size_t kMaxTokenBytes = 20000;

std::string without_scheme(std::string_view issuer) {
  const auto separator = issuer.find("://");
  return std::string(separator == std::string_view::npos ? issuer : issuer.substr(separator + 3));
}

Error malformed_token() {
  return make_error(ErrorCode::aws_invalid_identity_token, "The web identity token is not a well-formed JWT");
}

// The `iss` of a token whose signature has not been checked yet: it only selects which configured
// provider verifies the token, and verification then requires `iss` to be that provider's exactly.
Result<std::string> unverified_issuer(std::string_view token) {
  const auto first_dot = token.find('.');
  if (first_dot == std::string_view::npos) return malformed_token();
  const auto second_dot = token.find('.', first_dot + 1);
  if (second_dot == std::string_view::npos) return malformed_token();
  Result<std::string> payload = base64::decode_url(token.substr(first_dot + 1, second_dot - first_dot - 1));
  if (!payload) return malformed_token();
  Result<nlohmann::json> claims = oidc::parse_json_object(*payload);
  if (!claims) return malformed_token();
  const auto iss = claims->find("iss");
  if (iss == claims->end() || !iss->is_string()) {
    return make_error(ErrorCode::aws_invalid_identity_token, "The web identity token has no issuer (iss)");
  }
  return iss->get<std::string>();
}

}  // namespace

IdentityProvider::IdentityProvider(IdentityProviderConfig config, std::shared_ptr<oidc::HttpFetcher> fetcher)
    : config_(std::move(config)),
      iam_name_(without_scheme(config_.issuer)),
      keys_(config_.issuer, std::move(fetcher), config_.allow_insecure) {}

std::string IdentityProvider::arn(std::string_view account_id) const {
  return "arn:aws:iam::" + std::string(account_id) + ":oidc-provider/" + iam_name_;
}

Result<oidc::VerifiedToken> IdentityProvider::verify(std::string_view token,
                                                     std::chrono::system_clock::time_point now) {
  oidc::VerifyOptions options;
  options.issuer = config_.issuer;
  options.accepted_audiences = config_.audiences;
  options.max_token_bytes = kMaxTokenBytes;
  options.now = now;

  Result<std::shared_ptr<const oidc::Jwks>> keys = keys_.keys(now);
  if (!keys) return std::move(keys).error();
  Result<oidc::VerifiedToken> verified = oidc::verify_jwt(token, **keys, options);
  if (verified || verified.error().code != ErrorCode::not_found) return verified;

  // The issuer may have rotated its keys since they were fetched.
  keys = keys_.refresh_for_unknown_kid(now);
  if (!keys) return std::move(keys).error();
  verified = oidc::verify_jwt(token, **keys, options);
  if (!verified && verified.error().code == ErrorCode::not_found) {
    return make_error(ErrorCode::aws_invalid_identity_token, verified.error().message);
  }
  return verified;
}

IdentityProviders::IdentityProviders(const std::vector<IdentityProviderConfig>& configs) {
  for (const auto& config : configs) {
    oidc::CurlFetcherOptions options;
    options.allow_insecure = config.allow_insecure;
    add(config, std::make_shared<oidc::CurlHttpFetcher>(options));
  }
}

IdentityProviders::IdentityProviders(const std::vector<IdentityProviderConfig>& configs,
                                     std::shared_ptr<oidc::HttpFetcher> fetcher) {
  for (const auto& config : configs) add(config, fetcher);
}

void IdentityProviders::add(const IdentityProviderConfig& config, std::shared_ptr<oidc::HttpFetcher> fetcher) {
  if (by_issuer_.contains(config.issuer)) return;
  by_issuer_.emplace(config.issuer, std::make_unique<IdentityProvider>(config, std::move(fetcher)));
}

const IdentityProvider* IdentityProviders::find(std::string_view issuer) const {
  const auto found = by_issuer_.find(issuer);
  return found == by_issuer_.end() ? nullptr : found->second.get();
}

Result<WebIdentity> IdentityProviders::verify(std::string_view token, std::chrono::system_clock::time_point now) {
  Result<std::string> issuer = unverified_issuer(token);
  if (!issuer) return std::move(issuer).error();
  const auto found = by_issuer_.find(*issuer);
  if (found == by_issuer_.end()) {
    return make_error(ErrorCode::aws_invalid_identity_token,
                      "No OpenIDConnect provider found in your account for " + *issuer);
  }
  IdentityProvider& provider = *found->second;
  Result<oidc::VerifiedToken> token_claims = provider.verify(token, now);
  if (!token_claims) return std::move(token_claims).error();

  WebIdentity identity{&provider, std::move(*token_claims), {}};
  const auto& accepted = provider.config().audiences;
  const auto audience = std::find_if(
      identity.token.audiences.begin(), identity.token.audiences.end(),
      [&](const std::string& aud) { return std::find(accepted.begin(), accepted.end(), aud) != accepted.end(); });
  if (audience != identity.token.audiences.end()) identity.audience = *audience;
  return identity;
}

}  // namespace berth::aws

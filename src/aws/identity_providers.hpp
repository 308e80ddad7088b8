// The OpenID Connect identity providers this server trusts (server config), as IAM OIDC providers
// of the account (interfaces.md §5): a token's unverified `iss` only chooses among them, and the
// keys are fetched from the configured issuer, never from a URL the token names.
//
//   IdentityProviders providers(configs);
//   Result<WebIdentity> identity = providers.verify(web_identity_token, now);  // blocking: offload it
//   ... identity->provider->arn(account_id), identity->token.claims ...
//
// Thread-safe. verify() may fetch the issuer's discovery document and JWKS (libcurl): call it on
// the blocking pool, never on an I/O thread.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "oidc/http_fetcher.hpp"
#include "oidc/issuer_keys.hpp"
#include "oidc/jwt.hpp"

namespace berth::aws {

struct IdentityProviderConfig {
  std::string name;                    // the config block's label ("github", "circleci")
  std::string issuer;                  // exact `iss`, e.g. "https://token.actions.githubusercontent.com"
  std::vector<std::string> audiences;  // the IAM provider's client ids; a token's `aud` must name one
  bool allow_insecure = false;         // plain-http issuer: local test identity providers only
};

class IdentityProvider {
 public:
  IdentityProvider(IdentityProviderConfig config, std::shared_ptr<oidc::HttpFetcher> fetcher);

  const IdentityProviderConfig& config() const { return config_; }
  // The IAM provider name: the issuer without its scheme ("token.actions.githubusercontent.com",
  // "oidc.circleci.com/org/<id>"). Trust policy condition keys are `<iam_name>:sub`, ...
  const std::string& iam_name() const { return iam_name_; }
  // `arn:aws:iam::<account>:oidc-provider/<iam_name>`, the trust policy's Principal.Federated.
  std::string arn(std::string_view account_id) const;

  // verify_jwt against this issuer's keys and audiences, refreshing the keys once on an unknown kid.
  Result<oidc::VerifiedToken> verify(std::string_view token, std::chrono::system_clock::time_point now);

 private:
  IdentityProviderConfig config_;
  std::string iam_name_;
  oidc::IssuerKeys keys_;
};

struct WebIdentity {
  const IdentityProvider* provider = nullptr;  // owned by the IdentityProviders
  oidc::VerifiedToken token;
  std::string audience;  // the first of the token's audiences that the provider accepts
};

class IdentityProviders {
 public:
  // One CurlHttpFetcher per provider, allowing http only for providers that say so. A repeated
  // issuer keeps its first configuration (settings refuse repeats before this).
  explicit IdentityProviders(const std::vector<IdentityProviderConfig>& configs);
  // Every provider fetches through `fetcher` (tests).
  IdentityProviders(const std::vector<IdentityProviderConfig>& configs, std::shared_ptr<oidc::HttpFetcher> fetcher);

  // The provider whose issuer is exactly `issuer`; nullptr when none.
  const IdentityProvider* find(std::string_view issuer) const;

  // Verifies `token` (a JWT) against the provider its `iss` names. Errors as oidc::verify_jwt
  // (aws_invalid_identity_token, aws_expired_identity_token) and oidc::IssuerKeys
  // (aws_idp_communication_error); an unknown `kid` refreshes the issuer's keys once and, if still
  // unknown, is aws_invalid_identity_token.
  Result<WebIdentity> verify(std::string_view token, std::chrono::system_clock::time_point now);

 private:
  void add(const IdentityProviderConfig& config, std::shared_ptr<oidc::HttpFetcher> fetcher);

  std::map<std::string, std::unique_ptr<IdentityProvider>, std::less<>> by_issuer_;
};

}  // namespace berth::aws

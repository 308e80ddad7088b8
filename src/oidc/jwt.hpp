// Strict verification of an OIDC ID token (a JWT in JWS compact form, RFC 7519 / RFC 7515) from a
// CI identity provider: GitHub Actions and CircleCI (interfaces.md §2, §3). Pure: no I/O, no clock
// reads (the caller passes `now`), thread-safe.
//
//   VerifyOptions options{.issuer = "https://token.actions.githubusercontent.com",
//                         .accepted_audiences = {"sts.amazonaws.com"},
//                         .now = clock.now()};
//   Result<VerifiedToken> token = verify_jwt(web_identity_token, issuer_keys, options);
//   if (!token && token.error().code == ErrorCode::not_found) {
//     ... refresh the issuer's JWKS (at most once, rate-limited), verify again ...
//   }
//
// Failures carry the STS code AssumeRoleWithWebIdentity answers with (interfaces.md §4.5):
//   aws_expired_identity_token   `exp` has passed (ExpiredTokenException);
//   aws_invalid_identity_token   everything else: not compact JWS, too large, bad base64url or
//                                JSON, duplicate member names, `crit`, an algorithm outside
//                                RS256/RS384/RS512/PS256/ES256/ES384 or one the key does not allow,
//                                a bad signature, wrong `iss`/`aud`, missing `sub`, `nbf` or `iat`
//                                in the future, non-numeric dates;
//   not_found                    the header's `kid` is not in `keys`. Distinct so the caller can
//                                refresh the JWKS; after that it reports aws_invalid_identity_token.
//   internal                     options left unset (`now`, `issuer`, `accepted_audiences`).
// Nothing in the token selects or fetches keys (`jku`, `jwk`, `x5u` are ignored): only `kid`
// indexes the issuer's own JWKS, and the key decides the algorithm (jwks.hpp).
#pragma once

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "oidc/jwks.hpp"

namespace berth::oidc {

struct VerifiedToken {
  nlohmann::json header;
  nlohmann::json claims;
  std::string issuer;
  std::string subject;
  std::vector<std::string> audiences;  // `aud` as sent: one string becomes a one-element list
  std::chrono::system_clock::time_point expires_at;
  std::chrono::system_clock::time_point issued_at;  // the epoch when the token has no `iat`
};

struct VerifyOptions {
  std::string issuer;                           // exact `iss`
  std::vector<std::string> accepted_audiences;  // at least one `aud` must be among these
  std::chrono::seconds leeway{60};              // clock skew allowed on exp, nbf, iat
  std::size_t max_token_bytes = 16 * 1024;
  std::chrono::system_clock::time_point now;  // required
};

Result<VerifiedToken> verify_jwt(std::string_view token, const Jwks& keys, const VerifyOptions& options);

}  // namespace berth::oidc

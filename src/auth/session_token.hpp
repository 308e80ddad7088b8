// STS session credentials and ECR registry passwords, both stateless: everything the server needs
// later (the secret, the role, the session policy, who the web identity was) is sealed into the
// token itself (sealed_token.hpp), so any node holding the key ring verifies them without a lookup.
//
// Flow (design.md §1 steps 3–5):
//   AssumeRoleWithWebIdentity: issue_credentials(), fill SessionClaims, seal_session() → the
//     SessionToken returned with AccessKeyId/SecretAccessKey.
//   A SigV4-signed ECR/STS call: open_session(X-Amz-Security-Token) and then check that
//     claims.access_key_id equals the Authorization header's access key before using
//     claims.secret_access_key to verify the signature.
//   GetAuthorizationToken: registry_password_for(session, ...) and seal_registry_password().
//   Registry request with Basic `AWS:<password>`: open_registry_password().
//
// The payload is CBOR (nlohmann::json::to_cbor) with short keys; the two purposes are sealed apart,
// so a session token is never accepted as a registry password, nor the reverse. Pure functions;
// thread-safe.
#pragma once

#include <array>
#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/key_ring.hpp"
#include "common/result.hpp"

namespace berth::auth {

// The web identity token's claims that berth records in audit events, by their JWT names
// (interfaces.md §2.4 GitHub, §3 CircleCI). Other claims are not carried, to keep tokens small.
inline constexpr std::array<std::string_view, 9> kAuditedClaims{"repository",
                                                                "ref",
                                                                "sha",
                                                                "workflow",
                                                                "run_id",
                                                                "actor",
                                                                "oidc.circleci.com/project-id",
                                                                "oidc.circleci.com/vcs-origin",
                                                                "oidc.circleci.com/vcs-ref"};

// Who assumed the role: the verified OIDC token's identity.
struct SourceIdentity {
  std::string issuer;
  std::string subject;
  std::vector<std::string> audience;
  std::map<std::string, std::string> claims;  // keys from kAuditedClaims only

  bool operator==(const SourceIdentity&) const = default;
};

struct SessionClaims {
  std::string access_key_id;
  std::string secret_access_key;
  std::string role_arn;
  std::string role_session_name;
  std::chrono::sys_seconds issued_at;
  std::chrono::sys_seconds expires_at;
  std::optional<std::string> session_policy;  // the inline Policy as given to STS, already validated
  SourceIdentity source;

  bool operator==(const SessionClaims&) const = default;
};

struct RegistryPasswordClaims {
  std::string access_key_id;  // of the session that asked for it, for audit
  std::string role_arn;
  std::string role_session_name;
  std::chrono::sys_seconds issued_at;
  std::chrono::sys_seconds expires_at;
  std::optional<std::string> session_policy;  // still narrows what the password may do
  SourceIdentity source;

  bool operator==(const RegistryPasswordClaims&) const = default;
};

struct SessionCredentials {
  std::string access_key_id;      // "ASIA" + 16 characters of A–Z, 2–7
  std::string secret_access_key;  // 40 characters of A–Z, a–z, 0–9, '+', '/'
};

// Fresh random credentials: for a new session, or with "AKIA" for a long-lived access key
// (access_key.hpp). internal only if the CSPRNG fails.
Result<SessionCredentials> issue_credentials(std::string_view access_key_prefix = "ASIA");

// invalid_argument when a required field is empty, expires_at is not after issued_at, or a claim
// outside kAuditedClaims is present; internal on an OpenSSL failure.
Result<std::string> seal_session(const KeyRing& ring, const SessionClaims& claims);

// aws_expired_token ("The security token included in the request is expired") once now reaches
// expires_at; aws_invalid_client_token_id ("The security token included in the request is
// invalid.") for anything else wrong: tampered, truncated, another version or purpose, unknown key.
Result<SessionClaims> open_session(const KeyRing& ring, std::string_view token,
                                   std::chrono::system_clock::time_point now);

// The claims of a registry password for `session`, valid from `now` for `validity` (ECR: 12 h) but
// never beyond what the role allows: session.issued_at + role_max_session_duration.
RegistryPasswordClaims registry_password_for(const SessionClaims& session, std::chrono::sys_seconds now,
                                             std::chrono::seconds validity,
                                             std::chrono::seconds role_max_session_duration);

// As seal_session.
Result<std::string> seal_registry_password(const KeyRing& ring, const RegistryPasswordClaims& claims);

// denied with ECR's message ("Your authorization token has expired. Reauthenticate and try
// again.") once now reaches expires_at; unauthorized for anything else wrong.
Result<RegistryPasswordClaims> open_registry_password(const KeyRing& ring, std::string_view password,
                                                      std::chrono::system_clock::time_point now);

}  // namespace berth::auth

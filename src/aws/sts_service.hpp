// What STS does once a request is parsed: AssumeRoleWithWebIdentity turns a verified web identity
// token into session credentials for a role whose trust policy admits it (interfaces.md §4.3, §5),
// and GetCallerIdentity describes a session (§4.4). Protocol-free: sts_front_door.hpp reads the
// requests and writes the XML.
//
// Thread-safe. assume_role_with_web_identity runs its blocking part (metadata store, identity
// provider fetches) on the blocking pool, then waits for the audit commit without holding a thread.
#pragma once

#include <boost/asio/thread_pool.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "auth/iam_policy.hpp"
#include "auth/key_ring.hpp"
#include "auth/role_permissions.hpp"
#include "auth/session_token.hpp"
#include "aws/aws_options.hpp"
#include "aws/identity_providers.hpp"
#include "aws/sts_request.hpp"
#include "common/result.hpp"
#include "http/message.hpp"
#include "metadata/audit_batcher.hpp"
#include "metadata/metadata_store.hpp"

namespace berth::aws {

struct AssumedRoleUser {
  std::string arn;              // arn:aws:sts::<account>:assumed-role/<role>/<session>
  std::string assumed_role_id;  // <role unique id>:<session>
};

struct AssumedRole {
  auth::SessionClaims session;  // access key, secret, expiry, and the source identity
  std::string session_token;    // the sealed session
  AssumedRoleUser user;
  std::string audience;                   // the token audience the provider accepted
  std::optional<int> packed_policy_size;  // percent of the session policy limit, when a Policy was given
};

struct CallerIdentity {
  std::string arn;
  std::string user_id;
  std::string account;
};

// The role's unique id as IAM shows it: "AROA" and 17 characters derived from the role ARN, so
// every node (and every restart) reports the same id.
std::string role_unique_id(std::string_view role_arn);

// The assumed-role ARN and id of `session_name` in the role `role_arn` of `account`;
// invalid_argument when `role_arn` is not a role of the account.
Result<AssumedRoleUser> assumed_role_user(std::string_view role_arn, std::string_view session_name,
                                          const auth::AccountSettings& account);

// GetCallerIdentity's answer for a session.
Result<CallerIdentity> caller_identity(const auth::SessionClaims& session, const auth::AccountSettings& account);

// The trust policy condition values of a verified token from `provider`: `<iam name>:sub`,
// `<iam name>:aud` (every audience) and `<iam name>:<claim>` for every other top-level claim whose
// value is a string, number or boolean, or an array of those (multi-valued).
auth::ConditionValues web_identity_condition_values(const IdentityProvider& provider, const oidc::VerifiedToken& token);

class StsService {
 public:
  StsService(const AwsOptions& options, IdentityProviders& providers, metadata::MetadataStore& metadata,
             const auth::KeyRing& keys, boost::asio::thread_pool& blocking, metadata::AuditBatcher& audit);

  // Refusals: aws_validation_error (malformed role ARN, duration above the role's maximum),
  // aws_access_denied (role unknown, of another account, or its trust policy does not admit the
  // token), the identity provider's errors (identity_providers.hpp), aws_malformed_policy_document;
  // internal when a store fails or the role's stored trust policy no longer parses. Credentials are
  // returned only once their audit event is durable; each outcome is logged on one line without any
  // secret. The arguments must live until the task completes.
  http::Task<Result<AssumedRole>> assume_role_with_web_identity(const AssumeRoleWithWebIdentityRequest& request,
                                                                std::string_view source_address,
                                                                std::chrono::system_clock::time_point now);

 private:
  Result<AssumedRole> assume(const AssumeRoleWithWebIdentityRequest& request,
                             std::chrono::system_clock::time_point now, std::string& subject);

  const AwsOptions options_;
  IdentityProviders& providers_;
  metadata::MetadataStore& metadata_;
  const auth::KeyRing& keys_;
  boost::asio::thread_pool& blocking_;
  metadata::AuditBatcher& audit_;
};

}  // namespace berth::aws

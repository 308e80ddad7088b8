// The IAM documents of a repository's CI roles, as the MoJ module writes them: the trust policy
// of each OIDC provider (interfaces.md §1.4) and the push/pull permission policy (§1.3), and the
// roles' stable names.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "auth/role_permissions.hpp"

namespace berth::provision {

// `berth-ecr-<first 16 hex of sha256(repository)>-<provider>`: stable, so re-applying a
// declaration never changes a role ARN.
std::string ci_role_name(std::string_view repository, std::string_view provider);

// The IAM provider name of an issuer: its URL without scheme or trailing '/'
// ("https://token.actions.githubusercontent.com" → "token.actions.githubusercontent.com").
std::string oidc_provider_name(std::string_view issuer);

// One Allow of sts:AssumeRoleWithWebIdentity to the federated provider, when `<provider>:sub`
// matches one of `subjects` (StringLike for one, ForAnyValue:StringLike for several) and
// `<provider>:aud` equals `audience`.
std::string trust_policy(std::string_view account_id, std::string_view provider,
                         const std::vector<std::string>& subjects, std::string_view audience);

// JSON array text holding the one permission policy: AllowLogin (ecr:GetAuthorizationToken on *)
// and AllowPushPullListDelete on the repository's ARN.
std::string push_pull_policies(const auth::AccountSettings& account, std::string_view repository);

}  // namespace berth::provision

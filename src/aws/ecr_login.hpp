// ECR GetAuthorizationToken (interfaces.md §6.3, §6.5): the registry password a CI job logs in
// with (`docker login -u AWS`). The password seals the role session (session_token.hpp), so the
// registry later grants exactly what the role's policies allow; it lasts
// AwsOptions::registry_password_lifetime (12 h, like ECR) but never beyond the role's maximum
// session duration counted from the session's start.
//
// Every issue comes with an audit event ("ecr:GetAuthorizationToken") that the front door commits
// before the password is handed out, and is logged on one line without the password.
#pragma once

#include <string_view>

#include "aws/ecr_operation.hpp"

namespace berth::aws {

// Input `{"registryIds": [...]}` (optional; each must be this registry's id). Output
// `{"authorizationData": [{"authorizationToken": base64("AWS:" + password), "expiresAt": <epoch
// seconds>, "proxyEndpoint": <public URL>}]}`.
Result<EcrOutput> get_authorization_token(EcrServices& services, const EcrCall& call, std::string_view body);

}  // namespace berth::aws

// The parameters of STS AssumeRoleWithWebIdentity, validated as STS validates them (interfaces.md
// §4.2), with its `N validation error(s) detected: Value '...' at '<member>' failed to satisfy
// constraint: ...` messages. The web identity token and the policy are never quoted back.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "aws/form_params.hpp"
#include "common/result.hpp"

namespace berth::aws {

struct AssumeRoleWithWebIdentityRequest {
  std::string role_arn;
  std::string role_session_name;
  std::string web_identity_token;
  std::chrono::seconds duration{0};
  std::optional<std::string> policy;  // the inline session policy, not yet parsed
};

// aws_validation_error for constraint violations and for ProviderId or PolicyArns, which berth
// does not support (no OAuth 2.0 providers, no managed policies). DurationSeconds defaults to
// `default_duration`. Unknown parameters are ignored.
Result<AssumeRoleWithWebIdentityRequest> parse_assume_role_with_web_identity(const FormParams& params,
                                                                             std::chrono::seconds default_duration);

}  // namespace berth::aws

// Reference inputs shared by the auth unit tests and bench/micro: the MoJ module's push/pull
// policy and a GitHub Actions session as STS would issue it.
#pragma once

#include <chrono>
#include <string_view>

#include "auth/session_token.hpp"

namespace berth::auth::fixtures {

// The account and repository the role tests use, a policy that may only pull from the team's
// repositories, and a trust policy any token of provider `x` satisfies.
inline constexpr std::string_view kTestAccountId = "000000000000";
inline constexpr std::string_view kTestRegion = "eu-west-2";
inline constexpr std::string_view kTestRepository = "example-team/example-repository";

inline constexpr std::string_view kPullOnlyPolicy = R"({"Version": "2012-10-17", "Statement": [
  {"Effect": "Allow", "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
   "Resource": "arn:aws:ecr:eu-west-2:000000000000:repository/example-team/*"}]})";

inline constexpr std::string_view kTrustAnyone = R"({"Version": "2012-10-17", "Statement": [
  {"Effect": "Allow", "Principal": {"Federated": "arn:aws:iam::000000000000:oidc-provider/x"},
   "Action": "sts:AssumeRoleWithWebIdentity"}]})";

// interfaces.md §1.3: aws_iam_policy.ecr, as the aws_iam_policy_document data source renders it.
inline constexpr std::string_view kMojPushPolicy = R"({
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "AllowLogin", "Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "*"},
    {"Sid": "AllowPushPullListDelete", "Effect": "Allow",
     "Action": ["ecr:BatchGetImage", "ecr:BatchCheckLayerAvailability", "ecr:BatchDeleteImage",
                "ecr:CompleteLayerUpload", "ecr:DescribeImages", "ecr:GetDownloadUrlForLayer",
                "ecr:InitiateLayerUpload", "ecr:ListImages", "ecr:PutImage", "ecr:UploadLayerPart"],
     "Resource": "arn:aws:ecr:eu-west-2:000000000000:repository/example-team/example-repository"}
  ]
})";

// A one-hour session for a GitHub Actions job on main, issued at `issued`.
inline SessionClaims github_session(std::chrono::sys_seconds issued) {
  using namespace std::chrono_literals;
  SessionClaims claims;
  claims.access_key_id = "ASIAABCDEFGHIJKLMNOP";
  claims.secret_access_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
  claims.role_arn = "arn:aws:iam::000000000000:role/berth-ecr-0123456789abcdef-github";
  claims.role_session_name = "GitHubActions";
  claims.issued_at = issued;
  claims.expires_at = issued + 1h;
  claims.source.issuer = "https://token.actions.githubusercontent.com";
  claims.source.subject = "repo:ministryofjustice/example-repository:ref:refs/heads/main";
  claims.source.audience = {"sts.amazonaws.com"};
  claims.source.claims = {{"repository", "ministryofjustice/example-repository"},
                          {"ref", "refs/heads/main"},
                          {"sha", "0123456789abcdef0123456789abcdef01234567"},
                          {"workflow", "build"},
                          {"run_id", "42"},
                          {"actor", "octocat"}};
  return claims;
}

}  // namespace berth::auth::fixtures

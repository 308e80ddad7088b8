// The protocol-free pieces of STS: identifiers of assumed roles and the trust policy's view of a token.
#include "aws/sts_service.hpp"

#include <gtest/gtest.h>

#include <regex>

#include "aws/aws_test_support.hpp"

namespace berth::aws {
namespace {

const auth::AccountSettings kAccount{"123456789012", "eu-west-2"};

TEST(RoleUniqueId, IsStableAndShapedLikeIams) {
  const std::string id = role_unique_id("arn:aws:iam::123456789012:role/ci");
  EXPECT_TRUE(std::regex_match(id, std::regex("AROA[0-9A-Z]{17}"))) << id;
  EXPECT_EQ(id, role_unique_id("arn:aws:iam::123456789012:role/ci"));
  EXPECT_NE(id, role_unique_id("arn:aws:iam::123456789012:role/cd"));
}

TEST(AssumedRoleUser, NamesTheRoleAndTheSession) {
  Result<AssumedRoleUser> user = assumed_role_user("arn:aws:iam::123456789012:role/ci", "GitHubActions", kAccount);
  ASSERT_TRUE(user.ok()) << user.error().message;
  EXPECT_EQ(user->arn, "arn:aws:sts::123456789012:assumed-role/ci/GitHubActions");
  EXPECT_EQ(user->assumed_role_id, role_unique_id("arn:aws:iam::123456789012:role/ci") + ":GitHubActions");
  EXPECT_FALSE(assumed_role_user("arn:aws:iam::210987654321:role/ci", "s1", kAccount).ok());
}

TEST(CallerIdentity, IsTheSessionsAssumedRoleUser) {
  auth::SessionClaims session;
  session.role_arn = "arn:aws:iam::123456789012:role/ci";
  session.role_session_name = "build-7";
  Result<CallerIdentity> caller = caller_identity(session, kAccount);
  ASSERT_TRUE(caller.ok());
  EXPECT_EQ(caller->arn, "arn:aws:sts::123456789012:assumed-role/ci/build-7");
  EXPECT_EQ(caller->user_id, role_unique_id(session.role_arn) + ":build-7");
  EXPECT_EQ(caller->account, "123456789012");
}

TEST(WebIdentityConditionValues, KeysEveryScalarClaimUnderTheProviderName) {
  auto fetcher = std::make_shared<test::FakeFetcher>();
  IdentityProviders providers({{"circleci", "https://oidc.circleci.com/org/0000-org", {"0000-org"}, false}}, fetcher);
  const IdentityProvider* provider = providers.find("https://oidc.circleci.com/org/0000-org");
  ASSERT_NE(provider, nullptr);

  oidc::VerifiedToken token;
  token.subject = "org/0000-org/project/p/user/u";
  token.audiences = {"0000-org", "second"};
  token.claims = {{"sub", token.subject},
                  {"aud", token.audiences},
                  {"oidc.circleci.com/project-id", "p"},
                  {"oidc.circleci.com/context-ids", {"c1", "c2"}},
                  {"iat", 1700000000},
                  {"ref_protected", true},
                  {"nested", {{"a", "b"}}},
                  {"nothing", nullptr}};
  const auth::ConditionValues values = web_identity_condition_values(*provider, token);
  const std::string prefix = "oidc.circleci.com/org/0000-org:";
  EXPECT_EQ(values.at(prefix + "sub"), std::vector<std::string>{token.subject});
  EXPECT_EQ(values.at(prefix + "aud"), (std::vector<std::string>{"0000-org", "second"}));
  EXPECT_EQ(values.at(prefix + "oidc.circleci.com/project-id"), std::vector<std::string>{"p"});
  EXPECT_EQ(values.at(prefix + "oidc.circleci.com/context-ids"), (std::vector<std::string>{"c1", "c2"}));
  EXPECT_EQ(values.at(prefix + "iat"), std::vector<std::string>{"1700000000"});
  EXPECT_EQ(values.at(prefix + "ref_protected"), std::vector<std::string>{"true"});
  EXPECT_EQ(values.count(prefix + "nested"), 0u);
  EXPECT_EQ(values.count(prefix + "nothing"), 0u);
  EXPECT_EQ(values.at("OIDC.CIRCLECI.COM/ORG/0000-ORG:SUB"), std::vector<std::string>{token.subject});
}

}  // namespace
}  // namespace berth::aws

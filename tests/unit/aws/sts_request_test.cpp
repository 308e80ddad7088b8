#include "aws/sts_request.hpp"

#include <gtest/gtest.h>

#include <string>

namespace berth::aws {
namespace {

using namespace std::chrono_literals;

constexpr std::string_view kRoleArn = "arn:aws:iam::123456789012:role/ci";
const std::string kToken = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln";

FormParams params(std::string encoded) {
  Result<FormParams> parsed = FormParams::parse(encoded);
  EXPECT_TRUE(parsed.ok());
  return std::move(parsed).value();
}

std::string valid(std::string extra = {}) {
  return "Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn=" + std::string(kRoleArn) +
         "&RoleSessionName=GitHubActions&WebIdentityToken=" + kToken + extra;
}

Error refusal(const std::string& encoded) {
  Result<AssumeRoleWithWebIdentityRequest> request = parse_assume_role_with_web_identity(params(encoded), 3600s);
  if (request.ok()) {
    ADD_FAILURE() << "accepted: " << encoded;
    return Error{};
  }
  EXPECT_EQ(request.error().code, ErrorCode::aws_validation_error);
  return request.error();
}

TEST(AssumeRoleWithWebIdentityRequest, ReadsEveryParameter) {
  Result<AssumeRoleWithWebIdentityRequest> request = parse_assume_role_with_web_identity(
      params(valid("&DurationSeconds=900&Policy=%7B%7D&ExternalId=ignored&Tags.member.1.Key=k")), 3600s);
  ASSERT_TRUE(request.ok()) << request.error().message;
  EXPECT_EQ(request->role_arn, kRoleArn);
  EXPECT_EQ(request->role_session_name, "GitHubActions");
  EXPECT_EQ(request->web_identity_token, kToken);
  EXPECT_EQ(request->duration, 900s);
  EXPECT_EQ(request->policy, "{}");
}

TEST(AssumeRoleWithWebIdentityRequest, DurationDefaultsToTheConfiguredOne) {
  Result<AssumeRoleWithWebIdentityRequest> request = parse_assume_role_with_web_identity(params(valid()), 1800s);
  ASSERT_TRUE(request.ok());
  EXPECT_EQ(request->duration, 1800s);
  EXPECT_FALSE(request->policy.has_value());
}

TEST(AssumeRoleWithWebIdentityRequest, BadSessionNameHasAwsMessage) {
  Error error =
      refusal("RoleArn=" + std::string(kRoleArn) + "&RoleSessionName=dependabot%5Bbot%5D&WebIdentityToken=" + kToken);
  EXPECT_EQ(error.message,
            "1 validation error detected: Value 'dependabot[bot]' at 'roleSessionName' failed to satisfy constraint: "
            "Member must satisfy regular expression pattern: [\\w+=,.@-]*");
}

TEST(AssumeRoleWithWebIdentityRequest, SessionNameWithSpaceIsRefused) {
  Error error = refusal("RoleArn=" + std::string(kRoleArn) + "&RoleSessionName=Git+Hub&WebIdentityToken=" + kToken);
  EXPECT_NE(error.message.find("Value 'Git Hub' at 'roleSessionName'"), std::string::npos) << error.message;
}

TEST(AssumeRoleWithWebIdentityRequest, SessionNameLengthBounds) {
  const std::string base = "RoleArn=" + std::string(kRoleArn) + "&WebIdentityToken=" + kToken + "&RoleSessionName=";
  EXPECT_NE(refusal(base + "a").message.find("Member must have length greater than or equal to 2"), std::string::npos);
  EXPECT_NE(refusal(base + std::string(65, 'a')).message.find("Member must have length less than or equal to 64"),
            std::string::npos);
  EXPECT_TRUE(parse_assume_role_with_web_identity(params(base + std::string(64, 'a')), 3600s).ok());
}

TEST(AssumeRoleWithWebIdentityRequest, MissingParametersAreNullAndCounted) {
  Error error = refusal("Action=AssumeRoleWithWebIdentity");
  EXPECT_EQ(error.message,
            "3 validation errors detected: Value null at 'roleArn' failed to satisfy constraint: Member must not be "
            "null; Value null at 'roleSessionName' failed to satisfy constraint: Member must not be null; Value null "
            "at 'webIdentityToken' failed to satisfy constraint: Member must not be null");
}

TEST(AssumeRoleWithWebIdentityRequest, RoleArnLengthBounds) {
  EXPECT_NE(refusal("RoleArn=arn%3Ashort&RoleSessionName=ab&WebIdentityToken=" + kToken).message.find("'roleArn'"),
            std::string::npos);
}

TEST(AssumeRoleWithWebIdentityRequest, TokenLengthIsCheckedWithoutQuotingTheToken) {
  const std::string base = "RoleArn=" + std::string(kRoleArn) + "&RoleSessionName=ab&WebIdentityToken=";
  Error short_token = refusal(base + "abc");
  EXPECT_EQ(short_token.message,
            "1 validation error detected: Value at 'webIdentityToken' failed to satisfy constraint: Member must have "
            "length greater than or equal to 4");
  Error long_token = refusal(base + std::string(20001, 'x'));
  EXPECT_EQ(long_token.message.find("xxxx"), std::string::npos);
}

TEST(AssumeRoleWithWebIdentityRequest, DurationBounds) {
  EXPECT_NE(refusal(valid("&DurationSeconds=899")).message.find("greater than or equal to 900"), std::string::npos);
  EXPECT_NE(refusal(valid("&DurationSeconds=43201")).message.find("less than or equal to 43200"), std::string::npos);
  EXPECT_NE(refusal(valid("&DurationSeconds=1h")).message.find("'durationSeconds'"), std::string::npos);
  EXPECT_NE(refusal(valid("&DurationSeconds=99999999999999999999")).message.find("'durationSeconds'"),
            std::string::npos);
  EXPECT_TRUE(parse_assume_role_with_web_identity(params(valid("&DurationSeconds=43200")), 3600s).ok());
}

TEST(AssumeRoleWithWebIdentityRequest, PolicyLengthBounds) {
  EXPECT_NE(refusal(valid("&Policy=")).message.find("'policy'"), std::string::npos);
  EXPECT_NE(refusal(valid("&Policy=" + std::string(2049, 'x'))).message.find("less than or equal to 2048"),
            std::string::npos);
}

TEST(AssumeRoleWithWebIdentityRequest, ProviderIdAndPolicyArnsAreExplainedAsUnsupported) {
  EXPECT_NE(refusal(valid("&ProviderId=graph.facebook.com")).message.find("OAuth 2.0"), std::string::npos);
  EXPECT_NE(refusal(valid("&PolicyArns.member.1.arn=arn%3Aaws%3Aiam%3A%3Aaws%3Apolicy%2FX")).message.find("managed"),
            std::string::npos);
}

}  // namespace
}  // namespace berth::aws

#include "aws/identity_providers.hpp"

#include <gtest/gtest.h>

#include "aws/aws_test_support.hpp"
#include "common/base64.hpp"
#include "oidc/test_signer.hpp"

namespace berth::aws {
namespace {

using namespace std::chrono_literals;

constexpr std::string_view kGithub = "https://token.actions.githubusercontent.com";

class IdentityProvidersTest : public ::testing::Test {
 protected:
  IdentityProvidersTest()
      : fetcher_(std::make_shared<test::FakeFetcher>()),
        issuer_(std::string(kGithub), *fetcher_),
        providers_({{"github", std::string(kGithub), {"sts.amazonaws.com", "other"}, false},
                    {"circleci", "https://oidc.circleci.com/org/0000-org", {"0000-org"}, false}},
                   fetcher_) {}

  Error refusal(const std::string& token) {
    Result<WebIdentity> identity = providers_.verify(token, now_);
    if (identity.ok()) {
      ADD_FAILURE() << "token was accepted";
      return Error{};
    }
    return identity.error();
  }

  std::shared_ptr<test::FakeFetcher> fetcher_;
  test::TestIssuer issuer_;
  IdentityProviders providers_;
  const std::chrono::system_clock::time_point now_ = std::chrono::system_clock::now();
};

TEST_F(IdentityProvidersTest, ProvidersAreNamedAsIamNamesThem) {
  const IdentityProvider* github = providers_.find(kGithub);
  ASSERT_NE(github, nullptr);
  EXPECT_EQ(github->config().name, "github");
  EXPECT_EQ(github->iam_name(), "token.actions.githubusercontent.com");
  EXPECT_EQ(github->arn("123456789012"), "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com");
  const IdentityProvider* circleci = providers_.find("https://oidc.circleci.com/org/0000-org");
  ASSERT_NE(circleci, nullptr);
  EXPECT_EQ(circleci->iam_name(), "oidc.circleci.com/org/0000-org");

  IdentityProviders local({{"test", "http://127.0.0.1:8080/github", {"a"}, true}}, fetcher_);
  ASSERT_NE(local.find("http://127.0.0.1:8080/github"), nullptr);
  EXPECT_EQ(local.find("http://127.0.0.1:8080/github")->iam_name(), "127.0.0.1:8080/github");
}

TEST_F(IdentityProvidersTest, LookupIsByExactIssuer) {
  EXPECT_EQ(providers_.find(std::string(kGithub) + "/"), nullptr);
  EXPECT_EQ(providers_.find("https://TOKEN.actions.githubusercontent.com"), nullptr);
}

TEST_F(IdentityProvidersTest, VerifiesATokenOfAConfiguredIssuer) {
  Result<WebIdentity> identity = providers_.verify(issuer_.token(issuer_.github_claims(now_)), now_);
  ASSERT_TRUE(identity.ok()) << identity.error().message;
  EXPECT_EQ(identity->provider, providers_.find(kGithub));
  EXPECT_EQ(identity->token.subject, "repo:octo-org/octo-repo:ref:refs/heads/main");
  EXPECT_EQ(identity->audience, "sts.amazonaws.com");
}

TEST_F(IdentityProvidersTest, AudienceIsTheFirstOneTheProviderAccepts) {
  nlohmann::json claims = issuer_.github_claims(now_);
  claims["aud"] = {"unrelated", "other", "sts.amazonaws.com"};
  Result<WebIdentity> identity = providers_.verify(issuer_.token(claims), now_);
  ASSERT_TRUE(identity.ok()) << identity.error().message;
  EXPECT_EQ(identity->audience, "other");
}

TEST_F(IdentityProvidersTest, UnknownIssuerIsNamedInAwsWords) {
  nlohmann::json claims = issuer_.github_claims(now_);
  claims["iss"] = "https://evil.example";
  Error error = refusal(issuer_.token(claims));
  EXPECT_EQ(error.code, ErrorCode::aws_invalid_identity_token);
  EXPECT_EQ(error.message, "No OpenIDConnect provider found in your account for https://evil.example");
  EXPECT_EQ(fetcher_->fetches(), 0u);
}

TEST_F(IdentityProvidersTest, MalformedTokensAreInvalidIdentityTokens) {
  const std::string no_issuer = "eyJhbGciOiJSUzI1NiJ9." + base64::encode_url(R"({"sub":"x"})") + ".c2ln";
  for (const std::string& token : {std::string("not-a-jwt"), std::string("a.b"), std::string("a.!!!.c"), no_issuer}) {
    EXPECT_EQ(refusal(token).code, ErrorCode::aws_invalid_identity_token) << token;
  }
}

TEST_F(IdentityProvidersTest, AudienceOutsideTheProvidersClientIdsIsRefused) {
  nlohmann::json claims = issuer_.github_claims(now_);
  claims["aud"] = "https://github.com/octo-org";
  EXPECT_EQ(refusal(issuer_.token(claims)).code, ErrorCode::aws_invalid_identity_token);
}

TEST_F(IdentityProvidersTest, ExpiredTokenIsExpiredTokenException) {
  EXPECT_EQ(refusal(issuer_.token(issuer_.github_claims(now_ - 1h))).code, ErrorCode::aws_expired_identity_token);
}

TEST_F(IdentityProvidersTest, UnknownKidRefreshesTheKeysOnce) {
  ASSERT_TRUE(providers_.verify(issuer_.token(issuer_.github_claims(now_)), now_).ok());
  const std::size_t before = fetcher_->fetches();
  issuer_.rotate("k2");
  Result<WebIdentity> identity = providers_.verify(issuer_.token(issuer_.github_claims(now_)), now_ + 2min);
  ASSERT_TRUE(identity.ok()) << identity.error().message;
  EXPECT_EQ(fetcher_->fetches(), before + 2);  // discovery and JWKS, once
}

TEST_F(IdentityProvidersTest, KidStillUnknownAfterRefreshIsInvalid) {
  const std::string token = oidc::testing::sign_jwt(oidc::testing::generate_ec_key("P-256").get(), "ES256",
                                                    "never-published", issuer_.github_claims(now_));
  Error error = refusal(token);
  EXPECT_EQ(error.code, ErrorCode::aws_invalid_identity_token);
}

TEST_F(IdentityProvidersTest, SignatureByAnotherKeyIsRefused) {
  EXPECT_EQ(refusal(issuer_.token_signed_by_stranger(issuer_.github_claims(now_))).code,
            ErrorCode::aws_invalid_identity_token);
}

TEST_F(IdentityProvidersTest, UnreachableIssuerIsIdpCommunicationError) {
  fetcher_->set_down(true);
  EXPECT_EQ(refusal(issuer_.token(issuer_.github_claims(now_))).code, ErrorCode::aws_idp_communication_error);
}

}  // namespace
}  // namespace berth::aws

// authenticate_signed_request: a request botocore 1.29.27 signed with a berth session (independent
// of berth's signer), then each refusal in the order of interfaces.md §7.4.
#include "aws/signed_request.hpp"

#include <gtest/gtest.h>

#include "auth/access_key.hpp"
#include "auth/auth_fixtures.hpp"
#include "aws/aws_test_support.hpp"
#include "metadata/sqlite_metadata_store.hpp"
#include "storage/scoped_temp_dir.hpp"

namespace berth::aws {
namespace {

using namespace std::chrono_literals;
using test::make_request;
using test::sign;
using test::SigningCredentials;
using test::TestRequest;

// Sealed once under the ring key of 32 'k' bytes for github_session(2026-01-01T00:00Z) with kRoleArn; botocore signed
// the GetCallerIdentity POST below with it at 2026-01-01T00:05:00Z (botocore.auth.SigV4Auth(credentials, "sts",
// "eu-west-2"), datetime frozen).
constexpr std::string_view kBotocoreToken =
    "AQFQDDZKg83dolDN0GrZ-vFPaa7ht6rf4wUeaDpICg8ovCjgIAz7jQeTERWbnzrLKy9xT7DGu5v7rKhAoth0Mv8ewUEmcIikDpWJ"
    "TYd2rGuC7gvTlUVJty-fRlY-XKYLGBf8UL2PnH9dmGKerp-b7A_dHda6f0O1So3QAALN4lj0dhvqkjVFBq5eBb3bgj30TyjRD1kA"
    "6hCjEpWNfD-R2_M--WgFaLAJMjuOMA-lZHQ6Vv3zPGiJXceZ5psyk-pmyjwn4q3OnV8jykBIwRk9pzz-d-L2Q2gb-Pxt4UAJuH1D"
    "ozmDOJXdrvWCO1kBNd_f8vwgd6wbQrOBoFJgMmpKXWppyhd-XLXEXTs1VFjNa0Na4bD6DOEmj8ki3rc_BQTAwwm8EmU2talytp1T"
    "lJEy2v-6lF4ytno9xdTmY0-ZaIoCNXzKRDSJtBJFjP694twKyOMKHwMT3QzjV-pTDO_7rs4o8_Wgu1e0YCj5fmUNf4BJSlAM517a"
    "YzKQ-43MJ2Urv8DSczgq5lEFqzEtt7VgcOYDgj7tudR14n_dDl_lLH55YvUv1e69vQfPnvPwHNBSsBn30Ay7ePo2zPd_Shv0S3fq"
    "sPUlUWVywVSF__FN1goEBFD2DalYniFZkwDn_G3hci6eQhPhWnm6-dcv9ld0KQ";
constexpr std::string_view kBotocoreSignature = "64d4f5468b02d30d2d6f5a14ea86aa289b6fa40113e47891e94cc982a40963bc";
constexpr std::string_view kRoleArn = "arn:aws:iam::123456789012:role/berth-ecr-0123456789abcdef-github";
constexpr std::string_view kBody = "Action=GetCallerIdentity&Version=2011-06-15";

const std::chrono::sys_seconds kIssued{std::chrono::sys_days{std::chrono::year{2026} / 1 / 1}};

auth::SessionClaims botocore_session() {
  auth::SessionClaims claims = auth::fixtures::github_session(kIssued);
  claims.role_arn = kRoleArn;
  return claims;
}

class SignedRequestTest : public ::testing::Test {
 protected:
  SignedRequestTest() : ring_(*auth::RingKey::from_bytes(std::string(32, 'k'))) {
    options_.account = {"123456789012", "eu-west-2"};
    auto store = metadata::SqliteMetadataStore::open(dir_.path() / "berth.db");
    EXPECT_TRUE(store.ok());
    store_ = std::move(*store);
  }

  TestRequest botocore_request(std::string body = std::string(kBody)) {
    TestRequest request =
        make_request(http::Method::post, "/", std::move(body),
                     {{"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"},
                      {"X-Amz-Date", "20260101T000500Z"},
                      {"X-Amz-Security-Token", std::string(kBotocoreToken)},
                      {"Authorization",
                       "AWS4-HMAC-SHA256 Credential=ASIAABCDEFGHIJKLMNOP/20260101/eu-west-2/sts/aws4_request, "
                       "SignedHeaders=content-type;host;x-amz-date;x-amz-security-token, Signature=" +
                           std::string(kBotocoreSignature)}});
    return request;
  }

  // A session issued now under this ring, and its signing credentials.
  SigningCredentials fresh_credentials(std::chrono::system_clock::time_point issued) {
    auth::SessionClaims claims = botocore_session();
    claims.issued_at = std::chrono::floor<std::chrono::seconds>(issued);
    claims.expires_at = claims.issued_at + 1h;
    Result<std::string> token = auth::seal_session(ring_, claims);
    EXPECT_TRUE(token.ok());
    return {claims.access_key_id, claims.secret_access_key, *token};
  }

  TestRequest signed_request(const SigningCredentials& credentials, std::chrono::system_clock::time_point at,
                             std::string_view region = "eu-west-2", std::string_view service = "sts") {
    TestRequest request = make_request(http::Method::post, "/", std::string(kBody),
                                       {{"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}});
    sign(request, credentials, region, service, at);
    return request;
  }

  Result<auth::SessionClaims> authenticate(const TestRequest& request, std::chrono::system_clock::time_point now,
                                           std::string_view service = "sts") {
    return authenticate_signed_request(request.request, request.body_text, service, ring_, *store_, options_, now);
  }

  Error refusal(const TestRequest& request, std::chrono::system_clock::time_point now) {
    Result<auth::SessionClaims> session = authenticate(request, now);
    if (session.ok()) {
      ADD_FAILURE() << "request was accepted";
      return Error{};
    }
    return session.error();
  }

  // A long-lived key of a stored role, created at `created` for a day.
  auth::IssuedAccessKey stored_key(std::chrono::sys_seconds created) {
    EXPECT_TRUE(store_->put_role({"operator", R"({"Version":"2012-10-17","Statement":[]})", "[]", 3600, 0, 0}).ok());
    Result<auth::IssuedAccessKey> key = auth::issue_access_key(ring_, "operator", created, 24h);
    EXPECT_TRUE(key.ok());
    EXPECT_TRUE(store_->put_access_key(key->record).ok());
    return *key;
  }

  berth::test::ScopedTempDir dir_;
  std::unique_ptr<metadata::SqliteMetadataStore> store_;
  auth::KeyRing ring_;
  AwsOptions options_;
  const std::chrono::system_clock::time_point now_ = kIssued + 10min;
};

TEST_F(SignedRequestTest, AcceptsWhatBotocoreSigned) {
  Result<auth::SessionClaims> session = authenticate(botocore_request(), kIssued + 5min);
  ASSERT_TRUE(session.ok()) << session.error().message;
  EXPECT_EQ(*session, botocore_session());
}

TEST_F(SignedRequestTest, RefusesABodyOtherThanTheSignedOne) {
  Error error = refusal(botocore_request("Action=GetCallerIdentity&Version=2011-06-16"), kIssued + 5min);
  EXPECT_EQ(error.code, ErrorCode::aws_signature_does_not_match);
}

TEST_F(SignedRequestTest, AcceptsOwnSignerAndSignedGetWithQuery) {
  const SigningCredentials credentials = fresh_credentials(now_);
  EXPECT_TRUE(authenticate(signed_request(credentials, now_), now_).ok());

  TestRequest get = make_request(http::Method::get, "/?Action=GetCallerIdentity&Version=2011-06-15", "");
  sign(get, credentials, "eu-west-2", "sts", now_);
  Result<auth::SessionClaims> session = authenticate(get, now_);
  EXPECT_TRUE(session.ok()) << session.error().message;
}

TEST_F(SignedRequestTest, NoAuthorizationIsMissingAuthenticationToken) {
  TestRequest request = make_request(http::Method::post, "/", std::string(kBody));
  EXPECT_EQ(refusal(request, now_).code, ErrorCode::aws_missing_authentication_token);
}

TEST_F(SignedRequestTest, MalformedAuthorizationIsIncompleteSignature) {
  TestRequest request =
      make_request(http::Method::post, "/", std::string(kBody), {{"Authorization", "AWS4-HMAC-SHA256 Credential=x"}});
  EXPECT_EQ(refusal(request, now_).code, ErrorCode::aws_incomplete_signature);
}

TEST_F(SignedRequestTest, SessionTokenIsRequired) {
  TestRequest request = signed_request(fresh_credentials(now_), now_);
  request.request.headers.remove("X-Amz-Security-Token");
  Error error = refusal(request, now_);
  EXPECT_EQ(error.code, ErrorCode::aws_invalid_client_token_id);
  EXPECT_EQ(error.message, "The security token included in the request is invalid.");
}

TEST_F(SignedRequestTest, TamperedSessionTokenIsInvalid) {
  SigningCredentials credentials = fresh_credentials(now_);
  credentials.session_token[credentials.session_token.size() / 2] ^= 1;
  EXPECT_EQ(refusal(signed_request(credentials, now_), now_).code, ErrorCode::aws_invalid_client_token_id);
}

TEST_F(SignedRequestTest, TokenFromAnotherKeyRingIsInvalid) {
  const SigningCredentials credentials = fresh_credentials(now_);
  ring_ = auth::KeyRing(*auth::RingKey::from_bytes(std::string(32, 'o')));
  EXPECT_EQ(refusal(signed_request(credentials, now_), now_).code, ErrorCode::aws_invalid_client_token_id);
}

TEST_F(SignedRequestTest, AccessKeyMustBeTheSessions) {
  SigningCredentials credentials = fresh_credentials(now_);
  credentials.access_key_id = "ASIAZZZZZZZZZZZZZZZZ";
  EXPECT_EQ(refusal(signed_request(credentials, now_), now_).code, ErrorCode::aws_invalid_client_token_id);
}

TEST_F(SignedRequestTest, ExpiredSessionIsExpiredTokenEvenWithAWrongScope) {
  const SigningCredentials credentials = fresh_credentials(now_ - 2h);
  Error error = refusal(signed_request(credentials, now_, "us-east-1"), now_);
  EXPECT_EQ(error.code, ErrorCode::aws_expired_token);
  EXPECT_EQ(error.message, "The security token included in the request is expired");
}

TEST_F(SignedRequestTest, ScopeMustNameThisRegionAndService) {
  const SigningCredentials credentials = fresh_credentials(now_);
  EXPECT_EQ(refusal(signed_request(credentials, now_, "us-east-1"), now_).code,
            ErrorCode::aws_signature_does_not_match);
  EXPECT_EQ(refusal(signed_request(credentials, now_, "eu-west-2", "ecr"), now_).code,
            ErrorCode::aws_signature_does_not_match);
}

TEST_F(SignedRequestTest, RequestTimeMustBeWithinTheConfiguredSkew) {
  const SigningCredentials credentials = fresh_credentials(now_);
  TestRequest request = signed_request(credentials, now_);
  EXPECT_TRUE(authenticate(request, now_ + 4min).ok());
  EXPECT_EQ(refusal(request, now_ + 6min).code, ErrorCode::aws_signature_does_not_match);
  options_.allowed_clock_skew = 10min;
  EXPECT_TRUE(authenticate(request, now_ + 6min).ok());
}

TEST_F(SignedRequestTest, TamperedSignatureDoesNotMatch) {
  TestRequest request = signed_request(fresh_credentials(now_), now_);
  std::string authorization(*request.request.headers.get("Authorization"));
  authorization.back() = authorization.back() == '0' ? '1' : '0';
  request.request.headers.set("Authorization", authorization);
  EXPECT_EQ(refusal(request, now_).code, ErrorCode::aws_signature_does_not_match);
}

TEST_F(SignedRequestTest, ALongLivedKeyActsAsItsRole) {
  const auth::IssuedAccessKey key = stored_key(kIssued);
  const SigningCredentials credentials{key.record.id, key.secret_access_key, ""};
  Result<auth::SessionClaims> session = authenticate(signed_request(credentials, now_), now_);
  ASSERT_TRUE(session.ok()) << session.error().message;
  EXPECT_EQ(session->role_arn, "arn:aws:iam::123456789012:role/operator");
  EXPECT_EQ(session->access_key_id, key.record.id);
  EXPECT_EQ(session->role_session_name, key.record.id);
  EXPECT_EQ(session->issued_at, std::chrono::floor<std::chrono::seconds>(now_));
  auto recorded = store_->get_access_key(key.record.id);
  ASSERT_TRUE(recorded.ok() && recorded->has_value());
  EXPECT_EQ((*recorded)->last_used_unix, std::chrono::floor<std::chrono::seconds>(now_).time_since_epoch().count());
}

TEST_F(SignedRequestTest, ALongLivedKeyIsRefusedOnceRevokedOrExpiredOrWithTheWrongSecret) {
  const auth::IssuedAccessKey key = stored_key(kIssued);
  const SigningCredentials wrong{key.record.id, std::string(40, 'x'), ""};
  EXPECT_EQ(refusal(signed_request(wrong, now_), now_).code, ErrorCode::aws_signature_does_not_match);
  const SigningCredentials right{key.record.id, key.secret_access_key, ""};
  const auto expired = kIssued + 25h;
  EXPECT_EQ(refusal(signed_request(right, expired), expired).code, ErrorCode::aws_invalid_client_token_id);
  ASSERT_TRUE(store_->delete_access_key(key.record.id).ok());
  EXPECT_EQ(refusal(signed_request(right, now_), now_).code, ErrorCode::aws_invalid_client_token_id);
  // A session's key id without its token is no long-lived key.
  const SigningCredentials tokenless{"ASIAABCDEFGHIJKLMNOP", std::string(40, 'x'), ""};
  EXPECT_EQ(refusal(signed_request(tokenless, now_), now_).code, ErrorCode::aws_invalid_client_token_id);
}

TEST_F(SignedRequestTest, ASealedSecretOpensForItsOwnKeyAlone) {
  const auth::IssuedAccessKey first = stored_key(kIssued);
  Result<auth::IssuedAccessKey> second = auth::issue_access_key(ring_, "operator", kIssued, 24h);
  ASSERT_TRUE(second.ok());
  metadata::AccessKeyRecord swapped = second->record;
  swapped.sealed_secret = first.record.sealed_secret;
  ASSERT_TRUE(store_->put_access_key(swapped).ok());
  const SigningCredentials credentials{swapped.id, first.secret_access_key, ""};
  EXPECT_EQ(refusal(signed_request(credentials, now_), now_).code, ErrorCode::aws_invalid_client_token_id);
}

}  // namespace
}  // namespace berth::aws

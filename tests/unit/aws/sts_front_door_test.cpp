// The STS front door end to end: form requests through StsFrontDoor::handle, a test issuer behind a
// fake fetcher, roles and audit events in a real SQLite store in a temp dir. One test per refusal.
#include "aws/sts_front_door.hpp"

#include <gtest/gtest.h>

#include <cctype>
#include <regex>

#include "aws/aws_test_support.hpp"
#include "aws/sts_responses.hpp"
#include "common/base64.hpp"
#include "metadata/sqlite_metadata_store.hpp"
#include "oidc/test_signer.hpp"
#include "storage/scoped_temp_dir.hpp"

namespace berth::aws {
namespace {

using namespace std::chrono_literals;
using test::make_request;
using test::TestRequest;
using test::xml_value;

constexpr std::string_view kGithub = "https://token.actions.githubusercontent.com";
constexpr std::string_view kRoleArn = "arn:aws:iam::123456789012:role/ci";

constexpr std::string_view kTrustPolicy = R"({
  "Version": "2012-10-17",
  "Statement": [{
    "Effect": "Allow",
    "Principal": {"Federated": "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"},
    "Action": "sts:AssumeRoleWithWebIdentity",
    "Condition": {
      "StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"},
      "StringLike": {"token.actions.githubusercontent.com:sub": "repo:octo-org/octo-repo:*"}
    }
  }]
})";

std::string form_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    }
  }
  return out;
}

class StsFrontDoorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = metadata::SqliteMetadataStore::open(dir_.path() / "berth.db");
    ASSERT_TRUE(store.ok()) << store.error().message;
    metadata_ = std::move(*store);
    audit_ = std::make_unique<metadata::AuditBatcher>(*metadata_);
    put_role("ci", kTrustPolicy, 3600);
    options_.account = {"123456789012", "eu-west-2"};
    front_door_ = std::make_unique<StsFrontDoor>(options_, providers_, *metadata_, ring_, blocking_, *audit_);
  }

  void put_role(std::string name, std::string_view trust_policy, std::int64_t max_session_duration) {
    metadata::RoleRecord role;
    role.name = std::move(name);
    role.trust_policy = std::string(trust_policy);
    role.policies = "[]";
    role.max_session_duration_seconds = max_session_duration;
    ASSERT_TRUE(metadata_->put_role(role).ok());
  }

  http::Response post(const std::string& form) {
    TestRequest request = make_request(http::Method::post, "/", form,
                                       {{"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}});
    return test::run(front_door_->handle(request.request));
  }

  std::string assume_form(const std::string& token, std::string extra = {},
                          std::string_view role_arn = kRoleArn) const {
    return "Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn=" + form_encode(role_arn) +
           "&RoleSessionName=GitHubActions&WebIdentityToken=" + form_encode(token) + extra;
  }

  http::Response assume(const nlohmann::json& claims, std::string extra = {}) {
    return post(assume_form(issuer_.token(claims), std::move(extra)));
  }

  nlohmann::json claims() const { return issuer_.github_claims(std::chrono::system_clock::now()); }

  // Fails the test unless the response is an STS error with this status and code.
  static void expect_error(const http::Response& response, int status, std::string_view code) {
    const std::string body = test::body_text(response);
    EXPECT_EQ(response.status, status) << body;
    EXPECT_EQ(xml_value(body, "Code"), code) << body;
    EXPECT_EQ(xml_value(body, "Type"), status >= 500 ? "Receiver" : "Sender");
    EXPECT_TRUE(response.headers.has("x-amzn-RequestId"));
    EXPECT_EQ(xml_value(body, "RequestId"), *response.headers.get("x-amzn-RequestId"));
  }

  std::vector<metadata::AuditEvent> audit_events() {
    Result<std::vector<metadata::AuditEvent>> events = metadata_->list_audit_events({});
    EXPECT_TRUE(events.ok());
    return events.ok() ? *events : std::vector<metadata::AuditEvent>{};
  }

  test::SigningCredentials credentials_of(const http::Response& response) {
    const std::string body = test::body_text(response);
    return {xml_value(body, "AccessKeyId"), xml_value(body, "SecretAccessKey"), xml_value(body, "SessionToken")};
  }

  http::Response get_caller_identity(const test::SigningCredentials& credentials,
                                     std::chrono::system_clock::time_point at = std::chrono::system_clock::now()) {
    TestRequest request = make_request(http::Method::post, "/", "Action=GetCallerIdentity&Version=2011-06-15",
                                       {{"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}});
    test::sign(request, credentials, "eu-west-2", "sts", at);
    return test::run(front_door_->handle(request.request));
  }

  berth::test::ScopedTempDir dir_;
  std::unique_ptr<metadata::SqliteMetadataStore> metadata_;
  std::unique_ptr<metadata::AuditBatcher> audit_;
  std::shared_ptr<test::FakeFetcher> fetcher_ = std::make_shared<test::FakeFetcher>();
  test::TestIssuer issuer_{std::string(kGithub), *fetcher_};
  IdentityProviders providers_{{{"github", std::string(kGithub), {"sts.amazonaws.com", "other-audience"}, false}},
                               fetcher_};
  auth::KeyRing ring_{*auth::RingKey::from_bytes(std::string(32, 'k'))};
  AwsOptions options_;
  boost::asio::thread_pool blocking_{1};
  std::unique_ptr<StsFrontDoor> front_door_;
};

// ---- AssumeRoleWithWebIdentity ----

TEST_F(StsFrontDoorTest, IssuesCredentialsForATrustedToken) {
  const auto before = std::chrono::system_clock::now();
  http::Response response = assume(claims());
  const std::string body = test::body_text(response);
  ASSERT_EQ(response.status, 200) << body;
  EXPECT_EQ(response.headers.get("Content-Type"), "text/xml");
  EXPECT_TRUE(response.headers.has("Date"));
  EXPECT_EQ(response.route, "sts_assume_role_with_web_identity");
  EXPECT_TRUE(
      body.starts_with("<AssumeRoleWithWebIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"))
      << body;
  EXPECT_EQ(xml_value(body, "SubjectFromWebIdentityToken"), "repo:octo-org/octo-repo:ref:refs/heads/main");
  EXPECT_EQ(xml_value(body, "Audience"), "sts.amazonaws.com");
  EXPECT_EQ(xml_value(body, "Provider"), kGithub);
  EXPECT_EQ(xml_value(body, "Arn"), "arn:aws:sts::123456789012:assumed-role/ci/GitHubActions");
  EXPECT_TRUE(std::regex_match(xml_value(body, "AssumedRoleId"), std::regex("AROA[0-9A-Z]{17}:GitHubActions")));
  EXPECT_EQ(xml_value(body, "PackedPolicySize"), "<absent>");
  EXPECT_EQ(xml_value(body, "RequestId"), *response.headers.get("x-amzn-RequestId"));

  const test::SigningCredentials credentials = credentials_of(response);
  EXPECT_TRUE(std::regex_match(credentials.access_key_id, std::regex("ASIA[A-Z2-7]{16}")));
  EXPECT_EQ(credentials.secret_access_key.size(), 40u);
  Result<auth::SessionClaims> session = auth::open_session(ring_, credentials.session_token, before);
  ASSERT_TRUE(session.ok()) << session.error().message;
  EXPECT_EQ(session->access_key_id, credentials.access_key_id);
  EXPECT_EQ(session->secret_access_key, credentials.secret_access_key);
  EXPECT_EQ(session->role_arn, kRoleArn);
  EXPECT_EQ(session->role_session_name, "GitHubActions");
  EXPECT_EQ(session->expires_at - session->issued_at, 3600s);
  EXPECT_EQ(xml_value(body, "Expiration"), iso8601_utc(session->expires_at));
  EXPECT_EQ(session->source.issuer, kGithub);
  EXPECT_EQ(session->source.audience, std::vector<std::string>{"sts.amazonaws.com"});
  EXPECT_EQ(session->source.claims, (std::map<std::string, std::string>{{"actor", "octocat"},
                                                                        {"ref", "refs/heads/main"},
                                                                        {"repository", "octo-org/octo-repo"},
                                                                        {"run_id", "42"},
                                                                        {"sha", "example-sha"},
                                                                        {"workflow", "build"}}));
}

TEST_F(StsFrontDoorTest, RecordsAnAuditEventWithoutSecrets) {
  http::Response response = assume(claims());
  ASSERT_EQ(response.status, 200) << test::body_text(response);
  const test::SigningCredentials credentials = credentials_of(response);
  const std::vector<metadata::AuditEvent> events = audit_events();
  ASSERT_EQ(events.size(), 1u);
  const metadata::AuditEvent& event = events.front();
  EXPECT_EQ(event.action, "sts:AssumeRoleWithWebIdentity");
  EXPECT_EQ(event.role_arn, kRoleArn);
  EXPECT_EQ(event.role_session_name, "GitHubActions");
  EXPECT_EQ(event.access_key_id, credentials.access_key_id);
  EXPECT_EQ(event.source_address, "192.0.2.7:40000");
  EXPECT_EQ(event.issuer, kGithub);
  EXPECT_EQ(event.subject, "repo:octo-org/octo-repo:ref:refs/heads/main");
  EXPECT_EQ(event.audience, "sts.amazonaws.com");
  EXPECT_EQ(nlohmann::json::parse(event.claims_json)["workflow"], "build");
  const std::string all = event.claims_json + event.subject + event.audience + event.issuer;
  EXPECT_EQ(all.find(credentials.secret_access_key), std::string::npos);
  EXPECT_EQ(all.find(credentials.session_token), std::string::npos);
}

TEST_F(StsFrontDoorTest, AcceptsTheQueryStringOfAGet) {
  const std::string target = "/?" + assume_form(issuer_.token(claims()), "&DurationSeconds=900");
  TestRequest request = make_request(http::Method::get, target, "");
  http::Response response = test::run(front_door_->handle(request.request));
  ASSERT_EQ(response.status, 200) << test::body_text(response);
  Result<auth::SessionClaims> session =
      auth::open_session(ring_, credentials_of(response).session_token, std::chrono::system_clock::now());
  ASSERT_TRUE(session.ok());
  EXPECT_EQ(session->expires_at - session->issued_at, 900s);
}

TEST_F(StsFrontDoorTest, IgnoresASignatureAndUnknownParameters) {
  TestRequest request =
      make_request(http::Method::post, "/", assume_form(issuer_.token(claims()), "&ExternalId=x&SourceIdentity=y"),
                   {{"Content-Type", "application/x-www-form-urlencoded"},
                    {"Authorization",
                     "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/sts/aws4_request, "
                     "SignedHeaders=host, Signature=00"}});
  http::Response response = test::run(front_door_->handle(request.request));
  EXPECT_EQ(response.status, 200) << test::body_text(response);
}

TEST_F(StsFrontDoorTest, SessionPolicyIsSealedAndItsSizeReported) {
  const std::string policy =
      R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecr:BatchGetImage","Resource":"*"}]})";
  http::Response response = assume(claims(), "&Policy=" + form_encode(policy));
  ASSERT_EQ(response.status, 200) << test::body_text(response);
  EXPECT_EQ(xml_value(test::body_text(response), "PackedPolicySize"),
            std::to_string((policy.size() * 100 + 2047) / 2048));
  Result<auth::SessionClaims> session =
      auth::open_session(ring_, credentials_of(response).session_token, std::chrono::system_clock::now());
  ASSERT_TRUE(session.ok());
  EXPECT_EQ(session->session_policy, policy);
}

TEST_F(StsFrontDoorTest, AnyAcceptedAudienceTheTrustPolicyAllows) {
  put_role("ci",
           std::regex_replace(std::string(kTrustPolicy), std::regex("\"sts.amazonaws.com\""),
                              R"(["sts.amazonaws.com", "other-audience"])"),
           3600);
  nlohmann::json token_claims = claims();
  token_claims["aud"] = "other-audience";
  http::Response response = assume(token_claims);
  ASSERT_EQ(response.status, 200) << test::body_text(response);
  EXPECT_EQ(xml_value(test::body_text(response), "Audience"), "other-audience");
}

TEST_F(StsFrontDoorTest, TrustConditionsSeeOtherClaims) {
  put_role("ci",
           std::regex_replace(std::string(kTrustPolicy), std::regex(R"("StringLike")"),
                              R"("Bool": {"token.actions.githubusercontent.com:ref_protected": "true"}, "StringLike")"),
           3600);
  EXPECT_EQ(assume(claims()).status, 200);
  nlohmann::json unprotected = claims();
  unprotected["ref_protected"] = false;
  expect_error(assume(unprotected), 403, "AccessDenied");
}

TEST_F(StsFrontDoorTest, RefusesARoleThatTrustsAnotherProvider) {
  put_role(
      "ci",
      std::regex_replace(std::string(kTrustPolicy), std::regex("oidc-provider/token.actions.githubusercontent.com"),
                         "oidc-provider/oidc.circleci.com/org/0000-org"),
      3600);
  expect_error(assume(claims()), 403, "AccessDenied");
}

TEST_F(StsFrontDoorTest, RefusesATokenFromAnUnknownIssuer) {
  nlohmann::json token_claims = claims();
  token_claims["iss"] = "https://gitlab.example.com";
  http::Response response = assume(token_claims);
  expect_error(response, 400, "InvalidIdentityToken");
  EXPECT_EQ(xml_value(test::body_text(response), "Message"),
            "No OpenIDConnect provider found in your account for https://gitlab.example.com");
  EXPECT_TRUE(audit_events().empty());
}

TEST_F(StsFrontDoorTest, RefusesAnAudienceTheProviderDoesNotAccept) {
  nlohmann::json token_claims = claims();
  token_claims["aud"] = "https://github.com/octo-org";
  expect_error(assume(token_claims), 400, "InvalidIdentityToken");
}

TEST_F(StsFrontDoorTest, RefusesAnAudienceTheTrustPolicyDoesNotAllow) {
  nlohmann::json token_claims = claims();
  token_claims["aud"] = "other-audience";
  http::Response response = assume(token_claims);
  expect_error(response, 403, "AccessDenied");
  EXPECT_EQ(xml_value(test::body_text(response), "Message"), "Not authorized to perform sts:AssumeRoleWithWebIdentity");
}

TEST_F(StsFrontDoorTest, RefusesASubjectTheTrustPolicyDoesNotAllow) {
  nlohmann::json token_claims = claims();
  token_claims["sub"] = "repo:octo-org/other-repo:ref:refs/heads/main";
  expect_error(assume(token_claims), 403, "AccessDenied");
  EXPECT_TRUE(audit_events().empty());
}

TEST_F(StsFrontDoorTest, RefusesAnExpiredToken) {
  http::Response response = assume(issuer_.github_claims(std::chrono::system_clock::now() - 1h));
  expect_error(response, 400, "ExpiredTokenException");
}

TEST_F(StsFrontDoorTest, RefusesATokenNotYetValid) {
  nlohmann::json token_claims = claims();
  token_claims["nbf"] = token_claims["iat"].get<std::int64_t>() + 3600;
  expect_error(assume(token_claims), 400, "InvalidIdentityToken");
}

// A kid the issuer never publishes, even after the refresh it triggers (rotation: identity_providers_test).
TEST_F(StsFrontDoorTest, RefusesAnUnknownKid) {
  const std::string token =
      oidc::testing::sign_jwt(oidc::testing::generate_ec_key("P-256").get(), "ES256", "unpublished", claims());
  expect_error(post(assume_form(token)), 400, "InvalidIdentityToken");
}

TEST_F(StsFrontDoorTest, RefusesASignatureByAnotherKey) {
  expect_error(post(assume_form(issuer_.token_signed_by_stranger(claims()))), 400, "InvalidIdentityToken");
}

TEST_F(StsFrontDoorTest, RefusesATamperedPayload) {
  const std::string token = issuer_.token(claims());
  const auto first = token.find('.');
  const auto second = token.find('.', first + 1);
  nlohmann::json forged = claims();
  forged["sub"] = "repo:octo-org/octo-repo:ref:refs/heads/forged";
  const std::string tampered = token.substr(0, first + 1) + base64::encode_url(forged.dump()) + token.substr(second);
  expect_error(post(assume_form(tampered)), 400, "InvalidIdentityToken");
}

TEST_F(StsFrontDoorTest, RefusesAlgNone) {
  const std::string token =
      base64::encode_url(R"({"alg":"none","kid":"k1","typ":"JWT"})") + "." + base64::encode_url(claims().dump()) + ".";
  expect_error(post(assume_form(token)), 400, "InvalidIdentityToken");
}

TEST_F(StsFrontDoorTest, RefusesWhenTheIssuerIsUnreachable) {
  fetcher_->set_down(true);
  expect_error(assume(claims()), 400, "IDPCommunicationError");
}

TEST_F(StsFrontDoorTest, RefusesAMissingRole) {
  http::Response response = post(assume_form(issuer_.token(claims()), "", "arn:aws:iam::123456789012:role/absent"));
  expect_error(response, 403, "AccessDenied");
}

TEST_F(StsFrontDoorTest, RefusesARoleOfAnotherAccount) {
  http::Response response = post(assume_form(issuer_.token(claims()), "", "arn:aws:iam::210987654321:role/ci"));
  expect_error(response, 403, "AccessDenied");
}

TEST_F(StsFrontDoorTest, RefusesAMalformedRoleArn) {
  http::Response response = post(assume_form(issuer_.token(claims()), "", "arn:aws:s3:::some-bucket-name"));
  expect_error(response, 400, "ValidationError");
}

TEST_F(StsFrontDoorTest, RefusesADurationAboveTheRolesMaximum) {
  http::Response response = assume(claims(), "&DurationSeconds=7200");
  expect_error(response, 400, "ValidationError");
  EXPECT_EQ(xml_value(test::body_text(response), "Message"),
            "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.");
}

TEST_F(StsFrontDoorTest, RefusesAMalformedSessionPolicy) {
  expect_error(assume(claims(), "&Policy=" + form_encode(R"({"Statement":[{"Effect":"Maybe"}]})")), 400,
               "MalformedPolicyDocument");
  expect_error(assume(claims(), "&Policy=not-json"), 400, "MalformedPolicyDocument");
}

TEST_F(StsFrontDoorTest, RefusesABadSessionName) {
  const std::string form =
      "Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn=" + form_encode(kRoleArn) +
      "&RoleSessionName=dependabot%5Bbot%5D&WebIdentityToken=" + form_encode(issuer_.token(claims()));
  http::Response response = post(form);
  expect_error(response, 400, "ValidationError");
  EXPECT_EQ(xml_value(test::body_text(response), "Message"),
            "1 validation error detected: Value &apos;dependabot[bot]&apos; at &apos;roleSessionName&apos; failed to "
            "satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*");
}

TEST_F(StsFrontDoorTest, ValidationErrorsNeverQuoteTheToken) {
  const std::string token = issuer_.token(claims());
  const std::string form =
      "Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleSessionName=x&WebIdentityToken=" + form_encode(token);
  http::Response response = post(form);
  expect_error(response, 400, "ValidationError");
  EXPECT_EQ(test::body_text(response).find(token.substr(0, 20)), std::string::npos);
}

// ---- protocol ----

TEST_F(StsFrontDoorTest, UnknownActionIsInvalidAction) {
  expect_error(post("Action=AssumeRole&Version=2011-06-15"), 400, "InvalidAction");
  expect_error(post("Version=2011-06-15"), 400, "InvalidAction");
}

TEST_F(StsFrontDoorTest, VersionMustBe20110615) {
  expect_error(post("Action=GetCallerIdentity"), 400, "InvalidAction");
  expect_error(post("Action=GetCallerIdentity&Version=2012-01-01"), 400, "InvalidAction");
}

TEST_F(StsFrontDoorTest, BodyAboveTheLimitIsRefused) {
  options_.max_request_bytes = 64;
  front_door_ = std::make_unique<StsFrontDoor>(options_, providers_, *metadata_, ring_, blocking_, *audit_);
  expect_error(post(assume_form(issuer_.token(claims()))), 413, "RequestEntityTooLarge");
}

TEST_F(StsFrontDoorTest, MalformedFormIsAValidationError) {
  expect_error(post("Action=GetCallerIdentity&Version=2011-06-15&Bad=%zz"), 400, "ValidationError");
}

// ---- GetCallerIdentity ----

TEST_F(StsFrontDoorTest, GetCallerIdentityDescribesTheSession) {
  http::Response assumed = assume(claims());
  ASSERT_EQ(assumed.status, 200) << test::body_text(assumed);
  http::Response response = get_caller_identity(credentials_of(assumed));
  const std::string body = test::body_text(response);
  ASSERT_EQ(response.status, 200) << body;
  EXPECT_EQ(response.route, "sts_get_caller_identity");
  EXPECT_TRUE(body.starts_with("<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"));
  EXPECT_EQ(xml_value(body, "Arn"), "arn:aws:sts::123456789012:assumed-role/ci/GitHubActions");
  EXPECT_EQ(xml_value(body, "UserId"), xml_value(test::body_text(assumed), "AssumedRoleId"));
  EXPECT_EQ(xml_value(body, "Account"), "123456789012");
  EXPECT_EQ(xml_value(body, "RequestId"), *response.headers.get("x-amzn-RequestId"));
}

TEST_F(StsFrontDoorTest, GetCallerIdentityRefusesATamperedSignature) {
  http::Response assumed = assume(claims());
  ASSERT_EQ(assumed.status, 200);
  test::SigningCredentials credentials = credentials_of(assumed);
  credentials.secret_access_key[0] = credentials.secret_access_key[0] == 'A' ? 'B' : 'A';
  expect_error(get_caller_identity(credentials), 403, "SignatureDoesNotMatch");
}

TEST_F(StsFrontDoorTest, GetCallerIdentityRefusesAnExpiredSession) {
  auth::SessionClaims session;
  session.access_key_id = "ASIAABCDEFGHIJKLMNOP";
  session.secret_access_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
  session.role_arn = kRoleArn;
  session.role_session_name = "GitHubActions";
  session.issued_at = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()) - 2h;
  session.expires_at = session.issued_at + 1h;
  session.source.issuer = kGithub;
  session.source.subject = "repo:octo-org/octo-repo:ref:refs/heads/main";
  session.source.audience = {"sts.amazonaws.com"};
  Result<std::string> token = auth::seal_session(ring_, session);
  ASSERT_TRUE(token.ok());
  http::Response response = get_caller_identity({session.access_key_id, session.secret_access_key, *token});
  expect_error(response, 403, "ExpiredToken");
  EXPECT_EQ(xml_value(test::body_text(response), "Message"), "The security token included in the request is expired");
}

TEST_F(StsFrontDoorTest, GetCallerIdentityRefusesATamperedSessionToken) {
  http::Response assumed = assume(claims());
  ASSERT_EQ(assumed.status, 200);
  test::SigningCredentials credentials = credentials_of(assumed);
  char& c = credentials.session_token[credentials.session_token.size() / 2];
  c = c == 'A' ? 'B' : 'A';
  expect_error(get_caller_identity(credentials), 403, "InvalidClientTokenId");
}

TEST_F(StsFrontDoorTest, GetCallerIdentityRefusesAnUnsignedRequest) {
  expect_error(post("Action=GetCallerIdentity&Version=2011-06-15"), 403, "MissingAuthenticationToken");
}

}  // namespace
}  // namespace berth::aws

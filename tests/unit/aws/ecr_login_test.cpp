// GetAuthorizationToken: the registry password, its expiry, its audit event.
#include "aws/ecr_login.hpp"

#include <gtest/gtest.h>

#include "auth/auth_fixtures.hpp"
#include "aws/ecr_test_support.hpp"
#include "common/base64.hpp"

namespace berth::aws::test {
namespace {

using namespace std::chrono_literals;
using std::chrono::sys_seconds;

class EcrLoginTest : public EcrTest {
 protected:
  // The password inside an authorizationToken, checking the `AWS:` user on the way.
  static std::string password_of(const nlohmann::json& data) {
    Result<std::string> decoded = base64::decode(data.at("authorizationToken").get<std::string>());
    EXPECT_TRUE(decoded.ok());
    if (!decoded.ok()) return {};
    EXPECT_TRUE(decoded->starts_with("AWS:")) << *decoded;
    return decoded->substr(4);
  }

  static sys_seconds now() { return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()); }
};

TEST_F(EcrLoginTest, IssuesAPasswordThatOpensToTheSession) {
  auth::SessionClaims session = fresh_session();
  const sys_seconds before = now();
  http::Response response = call("GetAuthorizationToken", "{}", session);
  const sys_seconds after = now();
  ASSERT_EQ(response.status, 200) << body_text(response);

  nlohmann::json body = json_of(response);
  ASSERT_EQ(body.at("authorizationData").size(), 1u);
  const nlohmann::json& data = body["authorizationData"][0];
  EXPECT_EQ(data.at("proxyEndpoint"), "https://registry.example.test:5000");
  ASSERT_TRUE(data.at("expiresAt").is_number());

  const std::string password = password_of(data);
  EXPECT_EQ(password.find(':'), std::string::npos);
  Result<auth::RegistryPasswordClaims> claims = auth::open_registry_password(keys_, password, after);
  ASSERT_TRUE(claims.ok()) << claims.error().message;
  EXPECT_EQ(claims->access_key_id, session.access_key_id);
  EXPECT_EQ(claims->role_arn, session.role_arn);
  EXPECT_EQ(claims->role_session_name, "GitHubActions");
  EXPECT_EQ(claims->source, session.source);
  EXPECT_GE(claims->issued_at, before);
  EXPECT_LE(claims->issued_at, after);
  // 12 hours, but counted from the session's start: the role allows 12 hours of session.
  EXPECT_EQ(claims->expires_at, session.issued_at + 12h);
  EXPECT_EQ(data["expiresAt"].get<std::int64_t>(), claims->expires_at.time_since_epoch().count());
}

TEST_F(EcrLoginTest, ThePasswordNeverOutlivesTheRolesMaximumSession) {
  put_role("short-lived", {auth::fixtures::kMojPushPolicy}, 1h);
  const sys_seconds issued = now() - 50min;
  http::Response response = call("GetAuthorizationToken", "{}", session_of("short-lived", issued));
  ASSERT_EQ(response.status, 200) << body_text(response);
  const nlohmann::json body = json_of(response);
  const nlohmann::json& data = body["authorizationData"][0];
  EXPECT_EQ(data["expiresAt"].get<std::int64_t>(), (issued + 1h).time_since_epoch().count());
  Result<auth::RegistryPasswordClaims> claims = auth::open_registry_password(keys_, password_of(data), now());
  ASSERT_TRUE(claims.ok());
  EXPECT_EQ(claims->expires_at, issued + 1h);
  EXPECT_FALSE(auth::open_registry_password(keys_, password_of(data), issued + 1h).ok());
}

TEST_F(EcrLoginTest, TheLifetimeIsConfigurable) {
  AwsOptions options = options_;
  options.registry_password_lifetime = 2h;
  EcrFrontDoor ecr(options, permissions_, *metadata_, *blobs_, keys_, blocking_, audit_);
  TestRequest request = signed_request("GetAuthorizationToken", "{}", fresh_session());
  http::Response response = run(ecr.handle(request.request));
  ASSERT_EQ(response.status, 200) << body_text(response);
  const nlohmann::json body = json_of(response);
  Result<auth::RegistryPasswordClaims> claims =
      auth::open_registry_password(keys_, password_of(body["authorizationData"][0]), now());
  ASSERT_TRUE(claims.ok());
  EXPECT_EQ(claims->expires_at - claims->issued_at, 2h);
}

TEST_F(EcrLoginTest, RecordsAnAuditEvent) {
  auth::SessionClaims session = fresh_session();
  ASSERT_EQ(call("GetAuthorizationToken", "{}", session).status, 200);
  Result<std::vector<metadata::AuditEvent>> events = metadata_->list_audit_events({});
  ASSERT_TRUE(events.ok()) << events.error().message;
  ASSERT_EQ(events->size(), 1u);
  const metadata::AuditEvent& event = events->front();
  EXPECT_EQ(event.action, "ecr:GetAuthorizationToken");
  EXPECT_EQ(event.role_arn, session.role_arn);
  EXPECT_EQ(event.role_session_name, "GitHubActions");
  EXPECT_EQ(event.access_key_id, session.access_key_id);
  EXPECT_EQ(event.source_address, "192.0.2.7:40000");
  EXPECT_EQ(event.issuer, "https://token.actions.githubusercontent.com");
  EXPECT_EQ(event.subject, "repo:ministryofjustice/example-repository:ref:refs/heads/main");
  EXPECT_EQ(event.audience, "sts.amazonaws.com");
  EXPECT_EQ(nlohmann::json::parse(event.claims_json)["sha"], "0123456789abcdef0123456789abcdef01234567");
  EXPECT_TRUE(event.repository.empty());
  EXPECT_GT(event.time_unix, 0);
}

TEST_F(EcrLoginTest, RegistryIdsMustBeThisRegistrys) {
  EXPECT_EQ(call("GetAuthorizationToken", R"({"registryIds":["000000000000"]})").status, 200);
  for (std::string body : {R"({"registryIds":["123456789012"]})", R"({"registryIds":[]})",
                           R"({"registryIds":"000000000000"})", R"({"registryIds":["000000000000","1"]})"}) {
    http::Response response = call("GetAuthorizationToken", body);
    EXPECT_EQ(error_type(response), "InvalidParameterException") << body;
  }
}

TEST_F(EcrLoginTest, NeedsTheActionInTheRolesPolicy) {
  put_role("pull-only", {R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecr:BatchGetImage",
      "Resource":"*"}]})"});
  http::Response response = call("GetAuthorizationToken", "{}", session_of("pull-only", now() - 1min));
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(error_type(response), "AccessDeniedException");
  EXPECT_EQ(error_message(response),
            "User: arn:aws:sts::000000000000:assumed-role/pull-only/GitHubActions is not authorized to perform: "
            "ecr:GetAuthorizationToken on resource: * because no identity-based policy allows the "
            "ecr:GetAuthorizationToken action");
  Result<std::vector<metadata::AuditEvent>> events = metadata_->list_audit_events({});
  ASSERT_TRUE(events.ok());
  EXPECT_TRUE(events->empty());
}

TEST_F(EcrLoginTest, ASessionPolicyNarrowsTheRole) {
  auth::SessionClaims session = fresh_session();
  session.session_policy = R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecr:BatchGetImage",
      "Resource":"*"}]})";
  EXPECT_EQ(error_type(call("GetAuthorizationToken", "{}", session)), "AccessDeniedException");
}

}  // namespace
}  // namespace berth::aws::test

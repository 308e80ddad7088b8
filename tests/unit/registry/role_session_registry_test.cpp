// The registry behind RoleSessionAccess (interfaces.md §8.12): Basic `AWS:<password>`, repositories
// that must exist before a push, and the role's grants on every repository a request touches.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <chrono>

#include "auth/auth_fixtures.hpp"
#include "auth/download_grant.hpp"
#include "auth/role_session_access.hpp"
#include "common/base64.hpp"
#include "registry/registry_test_support.hpp"

namespace berth::registry {
namespace {

using namespace std::chrono_literals;
using http::Method;
using test::body_text;
using test::error_code;
using test::header;

// The fixture's account and region are those of the MoJ policy's repository ARN.
const auth::AccountSettings kAccount{"000000000000", "eu-west-2"};
constexpr std::string_view kGranted = "example-team/example-repository";
constexpr std::string_view kOther = "example-team/other";

class RoleSessionRegistryTest : public test::RegistryTest {
 protected:
  void SetUp() override {
    RegistryTest::SetUp();
    if (HasFatalFailure()) return;
    permissions_ = std::make_unique<auth::RolePermissions>(*metadata_, kAccount);
    access_ = std::make_unique<auth::RoleSessionAccess>(keys_, *permissions_, "https://registry.example");
    use_access(*access_);
    metadata::RoleRecord role{"berth-ecr-0123456789abcdef-github",
                              R"({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Federated": "arn:aws:iam::000000000000:oidc-provider/x"},
         "Action": "sts:AssumeRoleWithWebIdentity"}]})",
                              "[" + std::string(auth::fixtures::kMojPushPolicy) + "]",
                              3600,
                              0,
                              0};
    ASSERT_TRUE(metadata_->put_role(role).ok());
  }

  // `Authorization` for a password issued a minute ago, or one that expired an hour ago.
  test::HeaderList login(bool expired = false) const {
    auto now = std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
    auth::RegistryPasswordClaims claims =
        auth::registry_password_for(auth::fixtures::github_session(now - 1min), now - 1min, 12h, 1h);
    if (expired) {
      claims.issued_at = now - 13h;
      claims.expires_at = now - 1h;
    }
    auto password = auth::seal_registry_password(keys_, claims);
    EXPECT_TRUE(password.ok());
    return {{"Authorization", "Basic " + base64::encode("AWS:" + password.value())}};
  }

  http::Response start_upload(std::string_view repository, const test::HeaderList& headers,
                              const std::string& query = "") {
    return call(Method::post, "/v2/" + std::string(repository) + "/blobs/uploads/" + query, headers);
  }

  auth::KeyRing keys_{*auth::RingKey::generate()};
  std::unique_ptr<auth::RolePermissions> permissions_;
  std::unique_ptr<auth::RoleSessionAccess> access_;
};

TEST_F(RoleSessionRegistryTest, AnUnauthenticatedRequestIsChallenged) {
  http::Response response = call(Method::get, "/v2/");
  EXPECT_EQ(response.status, 401);
  EXPECT_EQ(error_code(response), "UNAUTHORIZED");
  EXPECT_EQ(header(response, "WWW-Authenticate"), "Basic realm=\"https://registry.example\"");
  EXPECT_EQ(call(Method::get, "/v2/", login()).status, 200);
}

TEST_F(RoleSessionRegistryTest, AnExpiredPasswordIsDenied) {
  http::Response response = call(Method::get, "/v2/", login(/*expired=*/true));
  EXPECT_EQ(response.status, 403);
  EXPECT_EQ(error_code(response), "DENIED");
  EXPECT_NE(body_text(response).find("Your authorization token has expired"), std::string::npos);
  EXPECT_EQ(header(response, "WWW-Authenticate"), "<absent>");
}

TEST_F(RoleSessionRegistryTest, APushToARepositoryThatDoesNotExistIsNameUnknown) {
  http::Response response = start_upload(kGranted, login());
  EXPECT_EQ(response.status, 404);
  EXPECT_EQ(error_code(response), "NAME_UNKNOWN");
  EXPECT_FALSE(*metadata_->repository_exists(kGranted));

  ASSERT_TRUE(metadata_->create_repository(kGranted).ok());
  EXPECT_EQ(start_upload(kGranted, login()).status, 202);
}

TEST_F(RoleSessionRegistryTest, OnlyTheGrantedRepositoryMayBeUsed) {
  ASSERT_TRUE(metadata_->create_repository(kGranted).ok());
  ASSERT_TRUE(metadata_->create_repository(kOther).ok());
  http::Response other = start_upload(kOther, login());
  EXPECT_EQ(other.status, 403);
  EXPECT_EQ(error_code(other), "DENIED");
  EXPECT_EQ(call(Method::get, "/v2/" + std::string(kOther) + "/tags/list", login()).status, 403);
  EXPECT_EQ(call(Method::get, "/v2/" + std::string(kGranted) + "/tags/list", login()).status, 200);
}

TEST_F(RoleSessionRegistryTest, TheCatalogListsOnlyReadableRepositories) {
  for (std::string_view name : {kGranted, kOther, std::string_view("zz/last")}) {
    ASSERT_TRUE(metadata_->create_repository(name).ok());
  }
  http::Response response = call(Method::get, "/v2/_catalog", login());
  ASSERT_EQ(response.status, 200) << body_text(response);
  EXPECT_EQ(nlohmann::json::parse(body_text(response)), nlohmann::json({{"repositories", {std::string(kGranted)}}}));
}

TEST_F(RoleSessionRegistryTest, AMountNeedsReadAccessToItsSource) {
  ASSERT_TRUE(metadata_->create_repository(kGranted).ok());
  const Digest blob = put_blob(kOther, "someone else's layer");
  http::Response response = start_upload(kGranted, login(), "?mount=" + blob.str() + "&from=" + std::string(kOther));
  // Not mounted: an ordinary upload session starts instead.
  EXPECT_EQ(response.status, 202) << error_code(response);
  EXPECT_FALSE(metadata_->linked_blob(kGranted, blob)->has_value());
}

}  // namespace
}  // namespace berth::registry

namespace berth::registry {
namespace {

class DownloadGrantRegistryTest : public RoleSessionRegistryTest {
 protected:
  void SetUp() override {
    RoleSessionRegistryTest::SetUp();
    if (HasFatalFailure()) return;
    RegistryOptions options;
    options.download_keys = &keys_;
    use_options(options);
  }

  std::string grant_for(std::string_view repository, const Digest& digest, std::chrono::seconds lifetime = 10min) {
    const auto expires = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now() + lifetime);
    return *auth::seal_download_grant(keys_, repository, digest.str(), expires.time_since_epoch().count());
  }

  static std::string url(std::string_view repository, const Digest& digest, const std::string& grant) {
    return "/v2/" + std::string(repository) + "/blobs/" + digest.str() + "?" +
           std::string(auth::kDownloadGrantParameter) + "=" + grant;
  }
};

TEST_F(DownloadGrantRegistryTest, AGrantReadsItsBlobWithoutOtherCredentials) {
  const Digest digest = put_blob(kGranted, "granted bytes");
  const std::string grant = grant_for(kGranted, digest);
  http::Response got = call(Method::get, url(kGranted, digest, grant));
  EXPECT_EQ(got.status, 200) << body_text(got);
  const auto* file = std::get_if<http::FileBody>(&got.body);
  ASSERT_NE(file, nullptr);
  EXPECT_EQ(file->length, std::string_view("granted bytes").size());
  EXPECT_EQ(call(Method::head, url(kGranted, digest, grant)).status, 200);
}

TEST_F(DownloadGrantRegistryTest, AGrantOpensNothingElse) {
  const Digest digest = put_blob(kGranted, "granted bytes");
  const Digest other = put_blob(kGranted, "other bytes");
  const std::string grant = grant_for(kGranted, digest);
  EXPECT_EQ(call(Method::get, url(kGranted, other, grant)).status, 401);
  EXPECT_EQ(call(Method::get, url(kGranted, digest, grant_for(kGranted, digest, -1s))).status, 401);
  EXPECT_EQ(call(Method::delete_, url(kGranted, digest, grant)).status, 401);
  const std::string manifest = "/v2/" + std::string(kGranted) + "/manifests/latest?" +
                               std::string(auth::kDownloadGrantParameter) + "=" + grant;
  EXPECT_EQ(call(Method::get, manifest).status, 401);
  // A grant for a blob the repository does not hold reads nothing.
  const Digest absent = Hasher::of("absent");
  EXPECT_EQ(call(Method::get, url(kGranted, absent, grant_for(kGranted, absent))).status, 404);
}

}  // namespace
}  // namespace berth::registry

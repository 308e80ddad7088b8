#include "auth/role_session_access.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "auth/auth_fixtures.hpp"
#include "common/base64.hpp"
#include "metadata/sqlite_metadata_store.hpp"
#include "storage/scoped_temp_dir.hpp"

namespace berth::auth {
namespace {

using namespace std::chrono_literals;

const AccountSettings kAccount{std::string(fixtures::kTestAccountId), std::string(fixtures::kTestRegion)};
constexpr std::string_view kRepository = fixtures::kTestRepository;
constexpr std::string_view kRole = "berth-ecr-0123456789abcdef-github";

using fixtures::kPullOnlyPolicy;
constexpr std::string_view kTrust = fixtures::kTrustAnyone;

std::string basic(std::string_view user_and_password) { return "Basic " + base64::encode(user_and_password); }

class RoleSessionAccessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = metadata::SqliteMetadataStore::open(dir_.path() / "berth.db");
    ASSERT_TRUE(store.ok()) << store.error().message;
    store_ = std::move(store).value();
    permissions_ = std::make_unique<RolePermissions>(*store_, kAccount);
    access_ = std::make_unique<RoleSessionAccess>(keys_, *permissions_, "https://registry.example");
    put_role("[" + std::string(fixtures::kMojPushPolicy) + "]");
  }

  void put_role(std::string policies) {
    metadata::RoleRecord role{std::string(kRole), std::string(kTrust), std::move(policies), 3600, 0, 0};
    ASSERT_TRUE(store_->put_role(role).ok());
  }

  // The claims of a password GetAuthorizationToken issued a minute ago for the fixture session.
  RegistryPasswordClaims claims() const {
    auto now = std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
    SessionClaims session = fixtures::github_session(now - 1min);
    return registry_password_for(session, now - 1min, 12h, 1h);
  }

  std::string password(const RegistryPasswordClaims& claims) const {
    auto sealed = seal_registry_password(keys_, claims);
    EXPECT_TRUE(sealed.ok()) << sealed.error().message;
    return sealed.ok() ? *sealed : std::string();
  }

  Caller login(const RegistryPasswordClaims& claims) {
    auto caller = access_->authenticate(basic("AWS:" + password(claims)));
    EXPECT_TRUE(caller.ok()) << caller.error().message;
    return caller.ok() ? *caller : Caller{};
  }

  ErrorCode refusal(std::optional<std::string_view> authorization) {
    auto caller = access_->authenticate(authorization);
    return caller.ok() ? ErrorCode::internal : caller.error().code;
  }

  KeyRing keys_{*RingKey::generate()};
  test::ScopedTempDir dir_;
  std::unique_ptr<metadata::SqliteMetadataStore> store_;
  std::unique_ptr<RolePermissions> permissions_;
  std::unique_ptr<RoleSessionAccess> access_;
};

TEST(RequiredEcrActions, FollowTheRegistryScopes) {
  using Actions = std::vector<std::string_view>;
  auto actions = [](Action action) {
    auto span = required_ecr_actions(action);
    return Actions(span.begin(), span.end());
  };
  EXPECT_EQ(actions(Action::pull), (Actions{"ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"}));
  EXPECT_EQ(actions(Action::push), (Actions{"ecr:InitiateLayerUpload", "ecr:UploadLayerPart", "ecr:CompleteLayerUpload",
                                            "ecr:PutImage", "ecr:BatchCheckLayerAvailability"}));
  EXPECT_EQ(actions(Action::delete_), (Actions{"ecr:BatchDeleteImage"}));
}

TEST_F(RoleSessionAccessTest, ChallengesWithBasicAndNeverCreatesRepositories) {
  EXPECT_EQ(access_->challenge(), "Basic realm=\"https://registry.example\"");
  EXPECT_FALSE(access_->creates_repository_on_push());
}

TEST_F(RoleSessionAccessTest, AValidPasswordNamesTheRoleSession) {
  RegistryPasswordClaims given = claims();
  Caller caller = login(given);
  EXPECT_EQ(caller.name, "arn:aws:sts::000000000000:assumed-role/berth-ecr-0123456789abcdef-github/GitHubActions");
  EXPECT_FALSE(caller.anonymous);
  ASSERT_TRUE(caller.session.has_value());
  EXPECT_EQ(*caller.session, given);
}

TEST_F(RoleSessionAccessTest, TheSchemeIsCaseInsensitive) {
  auto caller = access_->authenticate("basic " + base64::encode("AWS:" + password(claims())));
  EXPECT_TRUE(caller.ok());
}

TEST_F(RoleSessionAccessTest, AllowsTheGrantedRepositoryOnly) {
  Caller caller = login(claims());
  for (Action action : {Action::pull, Action::push, Action::delete_}) {
    EXPECT_TRUE(access_->allows(caller, kRepository, action));
    EXPECT_FALSE(access_->allows(caller, "example-team/other", action));
    EXPECT_FALSE(access_->allows(caller, "example-team/example-repository-2", action));
  }
}

TEST_F(RoleSessionAccessTest, APullOnlyRoleCannotPushOrDelete) {
  put_role("[" + std::string(kPullOnlyPolicy) + "]");
  Caller caller = login(claims());
  EXPECT_TRUE(access_->allows(caller, kRepository, Action::pull));
  EXPECT_FALSE(access_->allows(caller, kRepository, Action::push));
  EXPECT_FALSE(access_->allows(caller, kRepository, Action::delete_));
}

TEST_F(RoleSessionAccessTest, PushNeedsEveryPushAction) {
  std::string without_put = std::string(fixtures::kMojPushPolicy);
  without_put.replace(without_put.find("\"ecr:PutImage\", "), std::string_view("\"ecr:PutImage\", ").size(), "");
  put_role("[" + without_put + "]");
  Caller caller = login(claims());
  EXPECT_TRUE(access_->allows(caller, kRepository, Action::pull));
  EXPECT_FALSE(access_->allows(caller, kRepository, Action::push));
}

TEST_F(RoleSessionAccessTest, TheSessionPolicyNarrows) {
  RegistryPasswordClaims narrowed = claims();
  narrowed.session_policy = std::string(kPullOnlyPolicy);
  Caller caller = login(narrowed);
  EXPECT_TRUE(access_->allows(caller, kRepository, Action::pull));
  EXPECT_FALSE(access_->allows(caller, kRepository, Action::push));
}

TEST_F(RoleSessionAccessTest, AnExpiredPasswordIsDeniedWithEcrsMessage) {
  RegistryPasswordClaims expired = claims();
  auto now = std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
  expired.issued_at = now - 13h;
  expired.expires_at = now - 1h;
  auto caller = access_->authenticate(basic("AWS:" + password(expired)));
  ASSERT_FALSE(caller.ok());
  EXPECT_EQ(caller.error().code, ErrorCode::denied);
  EXPECT_EQ(caller.error().message, "Your authorization token has expired. Reauthenticate and try again.");
}

TEST_F(RoleSessionAccessTest, AnythingMalformedIsUnauthorized) {
  const std::string good = password(claims());
  std::string tampered = good;
  tampered[tampered.size() / 2] = tampered[tampered.size() / 2] == 'A' ? 'B' : 'A';

  auto now = std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
  auto session_token = seal_session(keys_, fixtures::github_session(now - 1min));
  ASSERT_TRUE(session_token.ok());

  KeyRing other_keys(*RingKey::generate());
  auto foreign = seal_registry_password(other_keys, claims());
  ASSERT_TRUE(foreign.ok());

  EXPECT_EQ(refusal(std::nullopt), ErrorCode::unauthorized);
  EXPECT_EQ(refusal(""), ErrorCode::unauthorized);
  EXPECT_EQ(refusal(basic("AWS:" + tampered)), ErrorCode::unauthorized);
  EXPECT_EQ(refusal(basic("AWS:" + *session_token)), ErrorCode::unauthorized);
  EXPECT_EQ(refusal(basic("AWS:" + *foreign)), ErrorCode::unauthorized);
  EXPECT_EQ(refusal(basic("aws:" + good)), ErrorCode::unauthorized);
  EXPECT_EQ(refusal(basic("AWSX:" + good)), ErrorCode::unauthorized);
  EXPECT_EQ(refusal(basic(":" + good)), ErrorCode::unauthorized);
  EXPECT_EQ(refusal(basic("AWS")), ErrorCode::unauthorized);
  EXPECT_EQ(refusal(basic("AWS:")), ErrorCode::unauthorized);
  EXPECT_EQ(refusal("Bearer " + good), ErrorCode::unauthorized);
  EXPECT_EQ(refusal("Basic"), ErrorCode::unauthorized);
  EXPECT_EQ(refusal("Basic not-base64!"), ErrorCode::unauthorized);
  EXPECT_EQ(refusal("Basic " + base64::encode("AWS:" + good) + "x"), ErrorCode::unauthorized);
}

TEST_F(RoleSessionAccessTest, APasswordForARoleOfAnotherAccountIsUnauthorized) {
  RegistryPasswordClaims elsewhere = claims();
  elsewhere.role_arn = "arn:aws:iam::111111111111:role/" + std::string(kRole);
  EXPECT_EQ(refusal(basic("AWS:" + password(elsewhere))), ErrorCode::unauthorized);
}

TEST_F(RoleSessionAccessTest, ADeletedRoleIsDenied) {
  Caller caller = login(claims());
  ASSERT_TRUE(access_->allows(caller, kRepository, Action::pull));
  ASSERT_TRUE(*store_->delete_role(kRole));
  EXPECT_FALSE(access_->allows(caller, kRepository, Action::pull));
}

TEST_F(RoleSessionAccessTest, AnUpdatedRoleTakesEffect) {
  Caller caller = login(claims());
  ASSERT_TRUE(access_->allows(caller, kRepository, Action::push));
  put_role("[" + std::string(kPullOnlyPolicy) + "]");
  EXPECT_FALSE(access_->allows(caller, kRepository, Action::push));
  EXPECT_TRUE(access_->allows(caller, "example-team/another", Action::pull));
}

TEST_F(RoleSessionAccessTest, AStoreOrPolicyFailureDenies) {
  Caller caller = login(claims());
  put_role(R"([{"Version": "2012-10-17", "Statement": [{"Effect": "Maybe"}]}])");
  EXPECT_FALSE(access_->allows(caller, kRepository, Action::pull));
}

TEST_F(RoleSessionAccessTest, ACallerWithoutASessionIsDenied) {
  EXPECT_FALSE(access_->allows(Caller{"anonymous", true, std::nullopt}, kRepository, Action::pull));
}

}  // namespace
}  // namespace berth::auth

#include "auth/role_permissions.hpp"

#include <gtest/gtest.h>

#include <array>
#include <string>

#include "auth/auth_fixtures.hpp"
#include "metadata/sqlite_metadata_store.hpp"
#include "storage/scoped_temp_dir.hpp"

namespace berth::auth {
namespace {

const AccountSettings kAccount{std::string(fixtures::kTestAccountId), std::string(fixtures::kTestRegion)};
constexpr std::string_view kRepository = fixtures::kTestRepository;

using fixtures::kPullOnlyPolicy;
using fixtures::kTrustAnyone;

TEST(RoleName, FollowsIamRules) {
  EXPECT_TRUE(is_valid_role_name("berth-ecr-0123456789abcdef-github"));
  EXPECT_TRUE(is_valid_role_name("a_b+c=d,e.f@g-h"));
  EXPECT_TRUE(is_valid_role_name(std::string(64, 'r')));
  EXPECT_FALSE(is_valid_role_name(""));
  EXPECT_FALSE(is_valid_role_name(std::string(65, 'r')));
  EXPECT_FALSE(is_valid_role_name("path/name"));
  EXPECT_FALSE(is_valid_role_name("with space"));
  EXPECT_FALSE(is_valid_role_name("caf\xc3\xa9"));
}

TEST(RoleArn, RoundTripsForThisAccount) {
  EXPECT_EQ(role_arn("ci", kAccount), "arn:aws:iam::000000000000:role/ci");
  auto name = role_name_from_arn("arn:aws:iam::000000000000:role/ci", kAccount);
  ASSERT_TRUE(name.ok()) << name.error().message;
  EXPECT_EQ(*name, "ci");
}

TEST(RoleArn, RefusesOtherAccountsKindsAndNames) {
  for (std::string_view arn : {"arn:aws:iam::111111111111:role/ci", "arn:aws:iam::000000000000:user/ci",
                               "arn:aws:sts::000000000000:assumed-role/ci/session", "arn:aws:iam::000000000000:role/",
                               "arn:aws:iam::000000000000:role/path/ci", "ci", ""}) {
    auto name = role_name_from_arn(arn, kAccount);
    ASSERT_FALSE(name.ok()) << arn;
    EXPECT_EQ(name.error().code, ErrorCode::invalid_argument) << arn;
  }
}

class RolePermissionsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = metadata::SqliteMetadataStore::open(dir_.path() / "berth.db");
    ASSERT_TRUE(store.ok()) << store.error().message;
    store_ = std::move(store).value();
    permissions_ = std::make_unique<RolePermissions>(*store_, kAccount);
  }

  void put_role(std::string name, std::string policies) {
    metadata::RoleRecord role;
    role.name = std::move(name);
    role.trust_policy = std::string(kTrustAnyone);
    role.policies = std::move(policies);
    ASSERT_TRUE(store_->put_role(role).ok());
  }

  bool allows(std::string_view role, std::string_view action, std::string_view repository,
              const std::optional<std::string>& session_policy = std::nullopt) {
    auto allowed = permissions_->allows(role_arn(role, kAccount), session_policy, action,
                                        permissions_->repository_arn(repository));
    EXPECT_TRUE(allowed.ok()) << allowed.error().message;
    return allowed.ok() && *allowed;
  }

  test::ScopedTempDir dir_;
  std::unique_ptr<metadata::SqliteMetadataStore> store_;
  std::unique_ptr<RolePermissions> permissions_;
};

TEST_F(RolePermissionsTest, NamesRepositoryArns) {
  EXPECT_EQ(permissions_->repository_arn("team/app"), "arn:aws:ecr:eu-west-2:000000000000:repository/team/app");
}

TEST_F(RolePermissionsTest, AllowsWhatTheRolePoliciesGrantOnTheirRepository) {
  put_role("push", "[" + std::string(fixtures::kMojPushPolicy) + "]");
  EXPECT_TRUE(allows("push", "ecr:PutImage", kRepository));
  EXPECT_TRUE(allows("push", "ecr:BatchGetImage", kRepository));
  EXPECT_FALSE(allows("push", "ecr:PutImage", "example-team/other"));
  EXPECT_FALSE(allows("push", "ecr:DeleteRepository", kRepository));
}

TEST_F(RolePermissionsTest, AllowsAllOnlyWhenEveryActionIsAllowed) {
  put_role("pull", "[" + std::string(kPullOnlyPolicy) + "]");
  const std::string arn = role_arn("pull", kAccount);
  const std::string resource = permissions_->repository_arn(kRepository);
  constexpr std::array<std::string_view, 2> kPull{"ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"};
  constexpr std::array<std::string_view, 2> kPullAndPush{"ecr:BatchGetImage", "ecr:PutImage"};
  auto pull = permissions_->allows_all(arn, std::nullopt, kPull, resource);
  auto push = permissions_->allows_all(arn, std::nullopt, kPullAndPush, resource);
  ASSERT_TRUE(pull.ok() && push.ok());
  EXPECT_TRUE(*pull);
  EXPECT_FALSE(*push);
}

TEST_F(RolePermissionsTest, EvaluatesEveryAttachedPolicy) {
  put_role("both", "[" + std::string(kPullOnlyPolicy) +
                       R"(, {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "ecr:BatchGetImage",
                          "Resource": "arn:aws:ecr:eu-west-2:000000000000:repository/example-team/secret"}]}])");
  EXPECT_TRUE(allows("both", "ecr:BatchGetImage", "example-team/open"));
  EXPECT_FALSE(allows("both", "ecr:BatchGetImage", "example-team/secret"));
}

TEST_F(RolePermissionsTest, SessionPolicyOnlyNarrows) {
  put_role("push", "[" + std::string(fixtures::kMojPushPolicy) + "]");
  std::optional<std::string> pull_only(kPullOnlyPolicy);
  EXPECT_TRUE(allows("push", "ecr:BatchGetImage", kRepository, pull_only));
  EXPECT_FALSE(allows("push", "ecr:PutImage", kRepository, pull_only));
  // The session policy grants another repository, but the role does not.
  EXPECT_FALSE(allows("push", "ecr:BatchGetImage", "example-team/other", pull_only));
}

TEST_F(RolePermissionsTest, UnknownAndDeletedRolesAllowNothing) {
  EXPECT_FALSE(allows("nobody", "ecr:BatchGetImage", kRepository));
  put_role("push", "[" + std::string(fixtures::kMojPushPolicy) + "]");
  ASSERT_TRUE(allows("push", "ecr:PutImage", kRepository));
  ASSERT_TRUE(*store_->delete_role("push"));
  EXPECT_FALSE(allows("push", "ecr:PutImage", kRepository));
}

TEST_F(RolePermissionsTest, AnUpdatedRoleTakesEffectAtOnce) {
  put_role("ci", "[" + std::string(fixtures::kMojPushPolicy) + "]");
  ASSERT_TRUE(allows("ci", "ecr:PutImage", kRepository));
  // Within the same second as the first write: the cache must not hide the change.
  put_role("ci", "[" + std::string(kPullOnlyPolicy) + "]");
  EXPECT_FALSE(allows("ci", "ecr:PutImage", kRepository));
  EXPECT_TRUE(allows("ci", "ecr:BatchGetImage", kRepository));
}

TEST_F(RolePermissionsTest, ACorruptStoredPolicyIsAnInternalError) {
  put_role("broken", R"([{"Version": "2012-10-17", "Statement": [{"Effect": "Maybe"}]}])");
  auto allowed = permissions_->allows(role_arn("broken", kAccount), std::nullopt, "ecr:BatchGetImage",
                                      permissions_->repository_arn(kRepository));
  ASSERT_FALSE(allowed.ok());
  EXPECT_EQ(allowed.error().code, ErrorCode::internal);
}

TEST_F(RolePermissionsTest, ARoleOfAnotherAccountIsRefused) {
  put_role("push", "[" + std::string(fixtures::kMojPushPolicy) + "]");
  auto allowed = permissions_->allows("arn:aws:iam::111111111111:role/push", std::nullopt, "ecr:PutImage",
                                      permissions_->repository_arn(kRepository));
  ASSERT_FALSE(allowed.ok());
  EXPECT_EQ(allowed.error().code, ErrorCode::invalid_argument);
}

}  // namespace
}  // namespace berth::auth

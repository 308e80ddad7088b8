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
              std::optional<std::string_view> session_policy = std::nullopt,
              std::string_view session_name = "session") {
    const std::string arn = role_arn(role, kAccount);
    auto allowed = permissions_->allows(SessionView{arn, session_name, session_policy}, action,
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
  auto pull = permissions_->allows_all(SessionView{arn, "session", std::nullopt}, kPull, resource);
  auto push = permissions_->allows_all(SessionView{arn, "session", std::nullopt}, kPullAndPush, resource);
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
  std::optional<std::string_view> pull_only(kPullOnlyPolicy);
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
  const std::string arn = role_arn("broken", kAccount);
  auto allowed = permissions_->allows(SessionView{arn, "session", std::nullopt}, "ecr:BatchGetImage",
                                      permissions_->repository_arn(kRepository));
  ASSERT_FALSE(allowed.ok());
  EXPECT_EQ(allowed.error().code, ErrorCode::internal);
}

TEST_F(RolePermissionsTest, ARoleOfAnotherAccountIsRefused) {
  put_role("push", "[" + std::string(fixtures::kMojPushPolicy) + "]");
  auto allowed = permissions_->allows(SessionView{"arn:aws:iam::111111111111:role/push", "session", std::nullopt},
                                      "ecr:PutImage", permissions_->repository_arn(kRepository));
  ASSERT_FALSE(allowed.ok());
  EXPECT_EQ(allowed.error().code, ErrorCode::invalid_argument);
}

// Repository policies: a role with no grant of its own, and the repository's policy.
class RepositoryPolicyTest : public RolePermissionsTest {
 protected:
  void SetUp() override {
    RolePermissionsTest::SetUp();
    ASSERT_TRUE(store_->create_repository(kRepository).ok());
    ASSERT_TRUE(store_->create_repository("example-team/other").ok());
    put_role("nothing", R"([{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"ecr:GetAuthorizationToken","Resource":"*"}}])");
    put_role("push", "[" + std::string(fixtures::kMojPushPolicy) + "]");
  }

  void set_policy(std::optional<std::string> text, std::string_view repository = kRepository) {
    auto updated = store_->update_repository_settings(repository, [&](metadata::RepositorySettings& settings) {
      settings.policy = text;
      return Status{};
    });
    ASSERT_TRUE(updated.ok() && updated->has_value());
  }

  static std::string statement(std::string_view effect, std::string_view principal, std::string_view actions) {
    return R"({"Version":"2012-10-17","Statement":[{"Effect":")" + std::string(effect) + R"(","Principal":)" +
           std::string(principal) + R"(,"Action":)" + std::string(actions) + "}]}";
  }
};

TEST_F(RepositoryPolicyTest, GrantsANamedRoleWhatItsOwnPoliciesDoNot) {
  EXPECT_FALSE(allows("nothing", "ecr:BatchGetImage", kRepository));
  set_policy(statement("Allow", R"({"AWS":"arn:aws:iam::000000000000:role/nothing"})",
                       R"(["ecr:BatchGetImage","ecr:GetDownloadUrlForLayer"])"));
  EXPECT_TRUE(allows("nothing", "ecr:BatchGetImage", kRepository));
  EXPECT_FALSE(allows("nothing", "ecr:PutImage", kRepository));
  // Only on the repository that carries the policy.
  EXPECT_FALSE(allows("nothing", "ecr:BatchGetImage", "example-team/other"));
  // Another role is not named.
  put_role("stranger", R"([{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"sts:GetCallerIdentity","Resource":"*"}}])");
  EXPECT_FALSE(allows("stranger", "ecr:BatchGetImage", kRepository));
}

TEST_F(RepositoryPolicyTest, AnExplicitDenyWinsOverTheRolesAllow) {
  ASSERT_TRUE(allows("push", "ecr:PutImage", kRepository));
  set_policy(statement("Deny", R"({"AWS":"arn:aws:iam::000000000000:role/push"})", R"("ecr:PutImage")"));
  EXPECT_FALSE(allows("push", "ecr:PutImage", kRepository));
  EXPECT_TRUE(allows("push", "ecr:BatchGetImage", kRepository));
  // Removing the policy restores the role's own permissions at once.
  set_policy(std::nullopt);
  EXPECT_TRUE(allows("push", "ecr:PutImage", kRepository));
}

TEST_F(RepositoryPolicyTest, TheAccountPrincipalDelegatesAnAllowButAppliesADeny) {
  set_policy(statement("Allow", R"({"AWS":"arn:aws:iam::000000000000:root"})", R"("ecr:*")"));
  EXPECT_FALSE(allows("nothing", "ecr:BatchGetImage", kRepository));
  EXPECT_TRUE(allows("push", "ecr:PutImage", kRepository));
  set_policy(statement("Deny", R"({"AWS":"000000000000"})", R"("ecr:PutImage")"));
  EXPECT_FALSE(allows("push", "ecr:PutImage", kRepository));
}

TEST_F(RepositoryPolicyTest, AnyoneAndOtherAccountsAndServices) {
  set_policy(statement("Allow", R"({"AWS":"arn:aws:iam::111111111111:role/nothing","Service":"codebuild.amazonaws.com"})",
                       R"("ecr:BatchGetImage")"));
  EXPECT_FALSE(allows("nothing", "ecr:BatchGetImage", kRepository));
  set_policy(statement("Allow", R"("*")", R"("ecr:BatchGetImage")"));
  EXPECT_TRUE(allows("nothing", "ecr:BatchGetImage", kRepository));
}

TEST_F(RepositoryPolicyTest, ASessionPolicyNarrowsARoleGrantButNotASessionGrant) {
  constexpr std::string_view kOnlyList =
      R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"ecr:ListImages","Resource":"*"}})";
  set_policy(statement("Allow", R"({"AWS":"arn:aws:iam::000000000000:role/nothing"})", R"("ecr:BatchGetImage")"));
  EXPECT_FALSE(allows("nothing", "ecr:BatchGetImage", kRepository, kOnlyList));
  set_policy(statement("Allow", R"({"AWS":"arn:aws:sts::000000000000:assumed-role/nothing/build-42"})",
                       R"("ecr:BatchGetImage")"));
  EXPECT_TRUE(allows("nothing", "ecr:BatchGetImage", kRepository, kOnlyList, "build-42"));
  EXPECT_FALSE(allows("nothing", "ecr:BatchGetImage", kRepository, kOnlyList, "build-43"));
}

TEST_F(RepositoryPolicyTest, ConditionsSeeThePrincipalArn) {
  set_policy(R"({"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"ecr:PutImage",
                 "Condition":{"StringNotEquals":{"aws:PrincipalArn":"arn:aws:iam::000000000000:role/release"}}}]})");
  EXPECT_FALSE(allows("push", "ecr:PutImage", kRepository));
  put_role("release", "[" + std::string(fixtures::kMojPushPolicy) + "]");
  EXPECT_TRUE(allows("release", "ecr:PutImage", kRepository));
}

TEST_F(RepositoryPolicyTest, AllowsUnderACandidatePolicyWithoutStoringIt) {
  auto candidate = parse_policy(
      statement("Deny", R"({"AWS":"arn:aws:iam::000000000000:role/push"})", R"("ecr:SetRepositoryPolicy")"),
      PolicyKind::repository);
  ASSERT_TRUE(candidate.ok()) << candidate.error().message;
  const std::string arn = role_arn("push", kAccount);
  auto allowed = permissions_->allows_under(SessionView{arn, "session", std::nullopt}, "ecr:SetRepositoryPolicy",
                                            permissions_->repository_arn(kRepository), *candidate);
  ASSERT_TRUE(allowed.ok());
  EXPECT_FALSE(*allowed);
  EXPECT_FALSE(store_->get_repository(kRepository).value()->settings.policy.has_value());
}

}  // namespace
}  // namespace berth::auth

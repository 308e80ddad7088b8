#include "provision/desired_state_builder.hpp"

#include <gtest/gtest.h>

#include "auth/iam_policy.hpp"
#include "provision/declaration_dir.hpp"

namespace berth::provision {
namespace {

using testing::DeclarationDir;

constexpr const char* kRoleHash = "2b6826b85fc4e4f8";  // sha256("example-team/example-repository"), first 16 hex
constexpr const char* kOrg = "c0ffee00-0000-4000-8000-000000000001";

ProvisionSettings settings() {
  ProvisionSettings settings;
  settings.account_id = "123456789012";
  settings.region = "eu-west-2";
  settings.public_url = "https://registry.example.com:5443/";
  settings.github_owner = "ministryofjustice";
  settings.circleci_organization_id = kOrg;
  return settings;
}

// The seed's two module blocks (GitHub Actions, then CircleCI), completed with the names and tag
// inputs the module requires.
constexpr const char* kSeedGithub = R"hcl(module "ecr" {
  source    = "github.com/ministryofjustice/cloud-platform-terraform-ecr-credentials?ref=7.1.1"
  team_name = "example-team"
  repo_name = "example-repository"

  # REQUIRED: OIDC providers to configure, either "github", "circleci", or both
  oidc_providers = ["github"]

  # REQUIRED: GitHub repositories that push to this container repository
  github_repositories = ["example-repository"]

  # OPTIONAL: GitHub environments, to create variables as actions variables in your environments
  # github_environments = ["production"]

  # set this if you use one GitHub repository to push to multiple container repositories
  # this ensures the variable key used in the workflow is unique
  # github_actions_prefix = "production"

  business_unit          = "Platforms"
  application            = "Example application"
  is_production          = "false"
  environment_name       = "development"
  infrastructure_support = "example-team (example-team@example.com)"
  namespace              = var.namespace
}
)hcl";

constexpr const char* kSeedCircleci = R"hcl(module "ecr" {
  source    = "github.com/ministryofjustice/cloud-platform-terraform-ecr-credentials?ref=7.1.1"
  team_name = "example-team"
  repo_name = "example_repository"

  # REQUIRED: OIDC providers to configure, either "github", "circleci", or both
  oidc_providers = ["circleci"]

  # REQUIRED: GitHub repositories that push to this container repository
  github_repositories = ["example-repository"]

  # This is the namespace to create a ConfigMap
  # of credentials you need in CircleCI
  namespace = var.namespace
}
)hcl";

constexpr const char* kVariables = "variable \"namespace\" { default = \"example-namespace\" }\n";

// GitHub knows the seed's repository (ids as in GitHub's immutable `sub` example), nothing else.
GithubIdsAnswer seed_ids(std::string_view owner, std::string_view repository) {
  if (owner == "ministryofjustice" && repository == "example-repository") {
    return {GithubRepositoryIds{123456, 456789}, "ids from GitHub"};
  }
  return {std::nullopt, "no GitHub token in $GITHUB_TOKEN"};
}

Result<DesiredState> build(DeclarationDir& dir, const ProvisionSettings& provision = settings(),
                           const GithubIdLookup& github_ids = seed_ids) {
  auto declarations = read_declarations(dir.path(), {});
  if (!declarations) return std::move(declarations).error();
  return build_desired_state(*declarations, provision, github_ids);
}

auth::RequestContext github_request(std::string sub) {
  return auth::RequestContext{"sts:AssumeRoleWithWebIdentity",
                              "",
                              "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com",
                              {{"token.actions.githubusercontent.com:sub", {std::move(sub)}},
                               {"token.actions.githubusercontent.com:aud", {"sts.amazonaws.com"}}}};
}

const std::string kPushPullPolicies =
    R"([{"Version":"2012-10-17","Statement":[)"
    R"({"Sid":"AllowLogin","Effect":"Allow","Action":"ecr:GetAuthorizationToken","Resource":"*"},)"
    R"({"Sid":"AllowPushPullListDelete","Effect":"Allow","Action":["ecr:BatchGetImage",)"
    R"("ecr:BatchCheckLayerAvailability","ecr:BatchDeleteImage","ecr:CompleteLayerUpload","ecr:DescribeImages",)"
    R"("ecr:GetDownloadUrlForLayer","ecr:InitiateLayerUpload","ecr:ListImages","ecr:PutImage","ecr:UploadLayerPart"],)"
    R"("Resource":"arn:aws:ecr:eu-west-2:123456789012:repository/example-team/example-repository"}]}])";

TEST(ProvisionDesiredState, SeedGithubExample) {
  DeclarationDir dir;
  dir.write("ecr.tf", kSeedGithub).write("variables.tf", kVariables);
  auto state = build(dir);
  ASSERT_TRUE(state.ok()) << state.error().message;

  ASSERT_EQ(state->repositories.size(), 1u);
  const DesiredRepository& repository = state->repositories[0];
  EXPECT_EQ(repository.name, "example-team/example-repository");
  EXPECT_EQ(repository.tags, (std::map<std::string, std::string>{
                                 {"business-unit", "Platforms"},
                                 {"application", "Example application"},
                                 {"is-production", "false"},
                                 {"owner", "example-team"},
                                 {"namespace", "example-namespace"},
                                 {"environment-name", "development"},
                                 {"infrastructure-support", "example-team (example-team@example.com)"}}));
  EXPECT_FALSE(repository.lifecycle_policy.has_value());
  EXPECT_TRUE(repository.deletion_protection);
  EXPECT_TRUE(repository.scan_on_push);
  EXPECT_EQ(repository.tag_mutability, metadata::TagMutabilitySetting{});
  EXPECT_EQ(repository.declared_at.file, dir.file("ecr.tf"));
  EXPECT_EQ(repository.declared_at.line, 1);

  ASSERT_EQ(state->roles.size(), 1u);
  const DesiredRole& role = state->roles[0];
  const std::string role_name = std::string("berth-ecr-") + kRoleHash + "-github";
  EXPECT_EQ(role.name, role_name);
  EXPECT_EQ(role.repository, "example-team/example-repository");
  EXPECT_EQ(role.max_session_duration_seconds, 3600);
  EXPECT_EQ(
      role.trust_policy,
      R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRoleWithWebIdentity",)"
      R"("Principal":{"Federated":"arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"},)"
      R"("Condition":{"ForAnyValue:StringLike":{"token.actions.githubusercontent.com:sub":)"
      R"(["repo:ministryofjustice/example-repository:*","repo:ministryofjustice@123456/example-repository@456789:*"]},)"
      R"("StringEquals":{"token.actions.githubusercontent.com:aud":"sts.amazonaws.com"}}}]})");
  EXPECT_EQ(role.policies, kPushPullPolicies);
  EXPECT_EQ(state->github_trust, (std::vector<GithubTrust>{{"ministryofjustice/example-repository",
                                                            "repo:ministryofjustice@123456/example-repository@456789:*",
                                                            true, "ids from GitHub"}}));

  const std::string arn = "arn:aws:iam::123456789012:role/" + role_name;
  const GithubScope scope{"ministryofjustice", "example-repository", ""};
  const std::string repository_name = "example-team/example-repository";
  ASSERT_EQ(state->github_values.size(), 4u);
  const std::vector<std::tuple<std::string, std::string, bool>> expected = {
      {"ECR_ROLE_TO_ASSUME", arn, true},
      {"ECR_REGION", "eu-west-2", false},
      {"ECR_REPOSITORY", repository_name, false},
      {"ECR_REGISTRY_URL", "registry.example.com:5443", true}};
  for (std::size_t i = 0; i < expected.size(); ++i) {
    const GithubValue& value = state->github_values[i];
    EXPECT_EQ(value.scope, scope);
    EXPECT_EQ(value.name, std::get<0>(expected[i]));
    EXPECT_EQ(value.value, std::get<1>(expected[i]));
    EXPECT_EQ(value.secret, std::get<2>(expected[i]));
    EXPECT_EQ(value.repository, repository_name);
  }
  EXPECT_TRUE(state->config_maps.empty());
  EXPECT_TRUE(state->skipped_modules.empty());
}

TEST(ProvisionDesiredState, GithubTrustAllowsTheDeclaredRepositoryInBothFormatsOnly) {
  DeclarationDir dir;
  dir.write("ecr.tf", kSeedGithub).write("variables.tf", kVariables);
  auto state = build(dir);
  ASSERT_TRUE(state.ok()) << state.error().message;
  auto trust = auth::parse_policy(state->roles.at(0).trust_policy, auth::PolicyKind::trust);
  ASSERT_TRUE(trust.ok());
  for (const char* sub : {"repo:ministryofjustice/example-repository:ref:refs/heads/main",
                          "repo:ministryofjustice@123456/example-repository@456789:ref:refs/heads/main",
                          "repo:ministryofjustice@123456/example-repository@456789:environment:production",
                          "repo:ministryofjustice@123456/example-repository@456789:pull_request"}) {
    EXPECT_EQ(auth::evaluate(*trust, github_request(sub)), auth::Decision::allow) << sub;
  }
  for (const char* sub : {"repo:ministryofjustice/other:ref:refs/heads/main",
                          // re-created under the same name: a new repository id
                          "repo:ministryofjustice@123456/example-repository@999999:ref:refs/heads/main",
                          // an owner of that name again, after the old one was renamed
                          "repo:ministryofjustice@777/example-repository@456789:ref:refs/heads/main",
                          "repo:ministryofjustice@123456/other@456789:ref:refs/heads/main"}) {
    EXPECT_NE(auth::evaluate(*trust, github_request(sub)), auth::Decision::allow) << sub;
  }
}

TEST(ProvisionDesiredState, WithoutIdsTheImmutableFormMatchesAnyIdsAndSaysWhy) {
  DeclarationDir dir;
  dir.write("ecr.tf", kSeedGithub).write("variables.tf", kVariables);
  auto state = build(dir, settings(), [](std::string_view, std::string_view) {
    return GithubIdsAnswer{std::nullopt, "GitHub is switched off (--no-github)"};
  });
  ASSERT_TRUE(state.ok()) << state.error().message;
  EXPECT_EQ(state->github_trust, (std::vector<GithubTrust>{{"ministryofjustice/example-repository",
                                                            "repo:ministryofjustice@*/example-repository@*:*", false,
                                                            "GitHub is switched off (--no-github)"}}));
  auto trust = auth::parse_policy(state->roles.at(0).trust_policy, auth::PolicyKind::trust);
  ASSERT_TRUE(trust.ok());
  EXPECT_EQ(auth::evaluate(*trust, github_request("repo:ministryofjustice@1/example-repository@2:ref:refs/heads/x")),
            auth::Decision::allow);
  EXPECT_EQ(auth::evaluate(*trust, github_request("repo:ministryofjustice/example-repository:pull_request")),
            auth::Decision::allow);
  EXPECT_NE(auth::evaluate(*trust, github_request("repo:ministryofjustice@1/other@2:ref:refs/heads/x")),
            auth::Decision::allow);
  EXPECT_NE(auth::evaluate(*trust, github_request("repo:other@1/example-repository@2:ref:refs/heads/x")),
            auth::Decision::allow);
}

TEST(ProvisionDesiredState, PrefixAndEnvironmentsWriteEnvironmentValuesWithoutRegistryUrl) {
  std::string text = kSeedGithub;
  text.replace(text.find("# github_environments"), 2, "");
  text.replace(text.find("# github_actions_prefix"), 2, "");
  text.replace(text.find("[\"production\"]"), 14, "[\"production\", \"staging\"]");
  DeclarationDir dir;
  dir.write("ecr.tf", text).write("variables.tf", kVariables);
  auto state = build(dir);
  ASSERT_TRUE(state.ok()) << state.error().message;
  std::vector<std::string> written;
  for (const auto& value : state->github_values) {
    written.push_back(value.scope.environment + " " + value.name + (value.secret ? " secret" : " variable"));
  }
  EXPECT_EQ(written,
            (std::vector<std::string>{
                "production PRODUCTION_ECR_ROLE_TO_ASSUME secret", "production PRODUCTION_ECR_REGION variable",
                "production PRODUCTION_ECR_REPOSITORY variable", "staging PRODUCTION_ECR_ROLE_TO_ASSUME secret",
                "staging PRODUCTION_ECR_REGION variable", "staging PRODUCTION_ECR_REPOSITORY variable"}));
}

TEST(ProvisionDesiredState, PrefixWithoutEnvironmentsLeavesRegistryUrlUnprefixed) {
  std::string text = kSeedGithub;
  text.replace(text.find("# github_actions_prefix"), 2, "");
  text.replace(text.find("\"production\"\n"), 12, "\"Prod_1\"");
  DeclarationDir dir;
  dir.write("ecr.tf", text).write("variables.tf", kVariables);
  auto state = build(dir);
  ASSERT_TRUE(state.ok()) << state.error().message;
  std::vector<std::string> names;
  for (const auto& value : state->github_values) names.push_back(value.name);
  EXPECT_EQ(names, (std::vector<std::string>{"PROD_1_ECR_ROLE_TO_ASSUME", "PROD_1_ECR_REGION", "PROD_1_ECR_REPOSITORY",
                                             "ECR_REGISTRY_URL"}));
}

TEST(ProvisionDesiredState, SeedCircleciExample) {
  DeclarationDir dir;
  dir.write("ecr.tf", kSeedCircleci).write("variables.tf", kVariables);
  auto state = build(dir);
  ASSERT_TRUE(state.ok()) << state.error().message;
  EXPECT_EQ(state->repositories.at(0).tags,
            (std::map<std::string, std::string>{{"owner", "example-team"}, {"namespace", "example-namespace"}}));
  ASSERT_EQ(state->roles.size(), 1u);
  const DesiredRole& role = state->roles[0];
  EXPECT_EQ(role.name, "berth-ecr-72e0f4900aa051de-circleci");
  const std::string provider = std::string("oidc.circleci.com/org/") + kOrg;
  EXPECT_EQ(
      role.trust_policy,
      R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRoleWithWebIdentity",)"
      R"("Principal":{"Federated":"arn:aws:iam::123456789012:oidc-provider/)" +
          provider + R"("},"Condition":{"StringLike":{")" + provider + R"(:sub":"org/)" + kOrg +
          R"(/project/*/user/*/vcs-origin/github.com/ministryofjustice/example-repository/vcs-ref/refs/heads/*"},)"
          R"("StringEquals":{")" +
          provider + R"(:aud":")" + kOrg + R"("}}}]})");
  EXPECT_TRUE(state->github_values.empty());
  EXPECT_TRUE(state->github_trust.empty());  // CircleCI tokens name the repository in their own way
  ASSERT_EQ(state->config_maps.size(), 1u);
  const ConfigMap& config_map = state->config_maps[0];
  EXPECT_EQ(config_map.namespace_name, "example-namespace");
  EXPECT_EQ(config_map.name, "example-repository-circleci");
  EXPECT_EQ(config_map.repository, "example-team/example_repository");
  EXPECT_EQ(config_map.data,
            (std::map<std::string, std::string>{{"ecr_role_to_assume", "arn:aws:iam::123456789012:role/" + role.name},
                                                {"ecr_region", "eu-west-2"},
                                                {"ecr_repository", "example-team/example_repository"},
                                                {"ecr_registry_id", "123456789012"}}));
}

TEST(ProvisionDesiredState, SeveralRepositoriesAndLocalIssuers) {
  DeclarationDir dir;
  dir.write("ecr.tf", R"hcl(module "ecr" {
  team_name           = "example-team"
  repo_name           = "example-repository"
  oidc_providers      = ["circleci", "github"]
  github_repositories = ["one", "two"]
  namespace           = "example-namespace"
})hcl");
  ProvisionSettings local = settings();
  local.github_issuer = "https://127.0.0.1:8443/github";
  local.circleci_issuer = "https://127.0.0.1:8443/circleci/";
  local.github_audience = "berth";
  auto state = build(dir, local);
  ASSERT_TRUE(state.ok()) << state.error().message;
  ASSERT_EQ(state->roles.size(), 2u);
  EXPECT_EQ(state->roles[0].name, std::string("berth-ecr-") + kRoleHash + "-github");  // github first, always
  EXPECT_EQ(state->roles[1].name, std::string("berth-ecr-") + kRoleHash + "-circleci");
  EXPECT_NE(state->roles[1].trust_policy.find(
                R"("Federated":"arn:aws:iam::123456789012:oidc-provider/127.0.0.1:8443/circleci"},)"
                R"("Condition":{"ForAnyValue:StringLike":{"127.0.0.1:8443/circleci:sub":["org/)"),
            std::string::npos)
      << state->roles[1].trust_policy;
  EXPECT_NE(
      state->roles[0].trust_policy.find(
          R"("ForAnyValue:StringLike":{"127.0.0.1:8443/github:sub":["repo:ministryofjustice/one:*",)"
          R"("repo:ministryofjustice@*/one@*:*","repo:ministryofjustice/two:*","repo:ministryofjustice@*/two@*:*"]},)"
          R"("StringEquals":{"127.0.0.1:8443/github:aud":"berth"})"),
      std::string::npos)
      << state->roles[0].trust_policy;
  EXPECT_EQ(state->github_values.size(), 8u);
}

TEST(ProvisionDesiredState, TheRepositoryCarriesItsTagMutability) {
  DeclarationDir dir;
  dir.write("ecr.tf", R"hcl(module "ecr" {
  team_name                              = "example-team"
  repo_name                              = "example-repository"
  image_tag_mutability                   = "MUTABLE_WITH_EXCLUSION"
  image_tag_mutability_exclusion_filters = ["release-*"]
})hcl");
  auto state = build(dir);
  ASSERT_TRUE(state.ok()) << state.error().message;
  EXPECT_EQ(state->repositories.at(0).tag_mutability,
            (metadata::TagMutabilitySetting{metadata::TagMutability::mutable_with_exclusion, {"release-*"}}));
}

TEST(ProvisionDesiredState, OtherModulesAreSkipped) {
  DeclarationDir dir;
  dir.write("ecr.tf", kSeedGithub).write("variables.tf", kVariables).write("rds.tf", R"hcl(module "rds" {
  source    = "github.com/ministryofjustice/cloud-platform-terraform-rds-instance?ref=8.0.0"
  team_name = var.namespace
  providers = { aws = aws.london }
  db_name   = replace(var.namespace, "-", "_")
}
)hcl");
  auto state = build(dir);
  ASSERT_TRUE(state.ok()) << state.error().message;
  EXPECT_EQ(state->repositories.size(), 1u);
  EXPECT_EQ(
      state->skipped_modules,
      (std::vector<std::string>{dir.file("rds.tf") + ":1:1: module \"rds\" (source \"github.com/ministryofjustice/"
                                                     "cloud-platform-terraform-rds-instance?ref=8.0.0\")"}));
}

TEST(ProvisionDesiredState, OneGithubRepositoryForTwoRegistryRepositoriesNeedsAPrefix) {
  DeclarationDir dir;
  const std::string second = R"hcl(
module "worker" {
  team_name           = "example-team"
  repo_name           = "worker"
  oidc_providers      = ["github"]
  github_repositories = ["example-repository"]
  PREFIX
}
)hcl";
  std::string clash = second;
  clash.replace(clash.find("PREFIX"), 6, "");
  dir.write("ecr.tf", std::string(kSeedGithub) + clash).write("variables.tf", kVariables);
  auto state = build(dir);
  ASSERT_FALSE(state.ok());
  EXPECT_EQ(state.error().message,
            dir.file("ecr.tf") +
                ":27:1: module \"worker\" and the module declaring "
                "\"example-team/example-repository\" both write ECR_ROLE_TO_ASSUME in "
                "ministryofjustice/example-repository; give one of them a github_actions_prefix");

  std::string prefixed = second;
  prefixed.replace(prefixed.find("PREFIX"), 6, "github_actions_prefix = \"worker\"");
  dir.write("ecr.tf", std::string(kSeedGithub) + prefixed);
  state = build(dir);
  ASSERT_TRUE(state.ok()) << state.error().message;
  EXPECT_EQ(state->github_values.size(), 7u);  // the shared ECR_REGISTRY_URL is written once
}

TEST(ProvisionDesiredState, IdsOfAGithubRepositoryAreAskedForOnce) {
  DeclarationDir dir;
  dir.write("ecr.tf", std::string(kSeedGithub) + R"hcl(
module "worker" {
  team_name             = "example-team"
  repo_name             = "worker"
  oidc_providers        = ["github"]
  github_repositories   = ["example-repository"]
  github_actions_prefix = "worker"
}
)hcl")
      .write("variables.tf", kVariables);
  std::vector<std::string> asked;
  auto state = build(dir, settings(), [&](std::string_view owner, std::string_view repository) {
    asked.push_back(std::string(owner) + "/" + std::string(repository));
    return seed_ids(owner, repository);
  });
  ASSERT_TRUE(state.ok()) << state.error().message;
  EXPECT_EQ(asked, (std::vector<std::string>{"ministryofjustice/example-repository"}));
  EXPECT_EQ(state->github_trust.size(), 1u);
  ASSERT_EQ(state->roles.size(), 2u);
  EXPECT_NE(state->roles[1].trust_policy.find("repo:ministryofjustice@123456/example-repository@456789:*"),
            std::string::npos);
}

TEST(ProvisionDesiredState, OneConfigMapForTwoRepositoriesIsRefused) {
  DeclarationDir dir;
  std::string other = kSeedCircleci;
  other.replace(other.find("module \"ecr\""), 12, "module \"other\"");
  other.replace(other.find("example-team"), 12, "other-team");
  dir.write("a.tf", kSeedCircleci).write("b.tf", other).write("variables.tf", kVariables);
  auto state = build(dir);
  ASSERT_FALSE(state.ok());
  EXPECT_EQ(state.error().message, dir.file("b.tf") +
                                       ":1:1: module \"other\" and the module declaring "
                                       "\"example-team/example_repository\" both publish ConfigMap "
                                       "example-namespace/example-repository-circleci");
}

TEST(ProvisionDesiredState, ProvidersNeedTheirServerSettings) {
  DeclarationDir dir;
  dir.write("ecr.tf", kSeedCircleci).write("variables.tf", kVariables);
  ProvisionSettings without_org = settings();
  without_org.circleci_organization_id.clear();
  auto state = build(dir, without_org);
  ASSERT_FALSE(state.ok());
  EXPECT_EQ(state.error().message, dir.file("ecr.tf") +
                                       ":1:1: module \"ecr\" needs the server setting "
                                       "oidc_provider \"circleci\" { organization_id = ... }");
  ProvisionSettings without_owner = settings();
  without_owner.github_owner.clear();
  state = build(dir, without_owner);
  ASSERT_FALSE(state.ok());
  EXPECT_EQ(
      state.error().message,
      dir.file("ecr.tf") + ":1:1: module \"ecr\" needs the server setting oidc_provider \"github\" { owner = ... }");
}

TEST(ProvisionDesiredState, RegistryUrlNeedsAPublicUrl) {
  DeclarationDir dir;
  dir.write("ecr.tf", kSeedGithub).write("variables.tf", kVariables);
  ProvisionSettings bad = settings();
  bad.public_url = "registry.example.com/v2";
  auto state = build(dir, bad);
  ASSERT_FALSE(state.ok());
  EXPECT_EQ(state.error().message,
            "the server's public_url \"registry.example.com/v2\" must be https://host[:port] to "
            "publish ECR_REGISTRY_URL");
}

TEST(ProvisionDesiredState, TrustPolicyOverIamLimitIsADeclarationError) {
  std::string repositories;
  for (int i = 0; i < 150; ++i) repositories += (i ? ", \"repository-" : "\"repository-") + std::to_string(i) + "\"";
  DeclarationDir dir;
  dir.write("ecr.tf",
            "module \"ecr\" {\n  team_name = \"t\"\n  repo_name = \"r\"\n  oidc_providers = [\"github\"]\n"
            "  github_repositories = [" +
                repositories + "]\n}\n");
  auto state = build(dir);
  ASSERT_FALSE(state.ok());
  EXPECT_EQ(state.error().code, ErrorCode::invalid_argument);
  EXPECT_TRUE(state.error().message.starts_with(dir.file("ecr.tf") + ":1:1: module \"ecr\": the github trust policy "
                                                                     "would be "))
      << state.error().message;
}

}  // namespace
}  // namespace berth::provision

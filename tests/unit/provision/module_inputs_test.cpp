#include "provision/module_inputs.hpp"

#include <gtest/gtest.h>

#include "provision/declaration_dir.hpp"
#include "lifecycle/lifecycle_policy.hpp"

namespace berth::provision {
namespace {

using testing::DeclarationDir;

class ProvisionModuleInputs : public ::testing::Test {
 protected:
  Result<ModuleSelection> select(const std::string& text) {
    dir_.write("main.tf", text);
    auto declarations = read_declarations(dir_.path(), {});
    if (!declarations) return std::move(declarations).error();
    return select_modules(*declarations);
  }

  // The error for one module whose body is `body` (two-space indented lines after line 1).
  std::string error_of(const std::string& body) {
    auto result = select("module \"ecr\" {\n" + body + "}\n");
    if (result.ok()) return "accepted";
    EXPECT_EQ(result.error().code, ErrorCode::invalid_argument);
    return result.error().message;
  }

  std::string at(int line, int column) const {
    return dir_.file("main.tf") + ":" + std::to_string(line) + ":" + std::to_string(column) + ": ";
  }

  DeclarationDir dir_;
};

constexpr const char* kNames = "  team_name = \"example-team\"\n  repo_name = \"example-repository\"\n";

TEST_F(ProvisionModuleInputs, ReadsEveryInputOfTheModule) {
  auto selection = select(R"hcl(module "ecr" {
  source                 = "github.com/ministryofjustice/cloud-platform-terraform-ecr-credentials?ref=7.1.1"
  version                = "7.1.1"
  team_name              = "example-team"
  repo_name              = "example_repository"
  oidc_providers         = ["github", "circleci"]
  github_repositories    = ["example-repository", "other.repo"]
  github_environments    = ["production", "staging"]
  github_actions_prefix  = "production"
  namespace              = "example-namespace"
  canned_lifecycle_policy = { type = "images", count = "10" }
  deletion_protection    = false
  business_unit          = "Platforms"
  application            = "Example"
  is_production          = true
  environment_name       = "production"
  infrastructure_support = "example-team (example@example.com)"
}
)hcl");
  ASSERT_TRUE(selection.ok()) << selection.error().message;
  ASSERT_EQ(selection->modules.size(), 1u);
  const ModuleInputs& module = selection->modules[0];
  EXPECT_EQ(module.label, "ecr");
  EXPECT_EQ(module.repository(), "example-team/example_repository");
  EXPECT_EQ(module.oidc_providers, (std::vector<std::string>{"github", "circleci"}));
  EXPECT_TRUE(module.uses("circleci"));
  EXPECT_EQ(module.github_repositories, (std::vector<std::string>{"example-repository", "other.repo"}));
  EXPECT_EQ(module.github_environments, (std::vector<std::string>{"production", "staging"}));
  EXPECT_EQ(module.github_actions_prefix, "production");
  EXPECT_EQ(module.namespace_name, "example-namespace");
  EXPECT_EQ(module.lifecycle_policy, lifecycle::canned_lifecycle_policy(lifecycle::CannedLifecycle::images, 10));
  EXPECT_FALSE(module.deletion_protection);
  EXPECT_EQ(module.business_unit, "Platforms");
  EXPECT_EQ(module.application, "Example");
  EXPECT_EQ(module.is_production, "true");  // converted, as Terraform converts to the string type
  EXPECT_EQ(module.environment_name, "production");
  EXPECT_EQ(module.infrastructure_support, "example-team (example@example.com)");
}

TEST_F(ProvisionModuleInputs, DefaultsAndNullsAreUnset) {
  auto selection = select(std::string("module \"ecr\" {\n") + kNames + "  namespace = null\n}\n");
  ASSERT_TRUE(selection.ok()) << selection.error().message;
  const ModuleInputs& module = selection->modules[0];
  EXPECT_TRUE(module.oidc_providers.empty());
  EXPECT_FALSE(module.namespace_name.has_value());
  EXPECT_FALSE(module.lifecycle_policy.has_value());
  EXPECT_TRUE(module.deletion_protection);
  EXPECT_EQ(module.tag_mutability, metadata::TagMutabilitySetting{});  // MUTABLE, as the MoJ module's
  EXPECT_FALSE(module.business_unit.has_value());
}

TEST_F(ProvisionModuleInputs, ExplicitLifecyclePolicyWinsAndIsNormalised) {
  auto selection =
      select(std::string("module \"ecr\" {\n") + kNames + R"(  canned_lifecycle_policy = { type = "days", count = 3 }
  lifecycle_policy = <<EOF
{
  "rules": [{"rulePriority": 1, "description": "untagged",
             "selection": {"tagStatus": "untagged", "countType": "imageCountMoreThan", "countNumber": 1},
             "action": {"type": "expire"}}]
}
EOF
}
)");
  ASSERT_TRUE(selection.ok()) << selection.error().message;
  EXPECT_EQ(selection->modules[0].lifecycle_policy,
            R"({"rules":[{"rulePriority":1,"description":"untagged","selection":{"tagStatus":"untagged",)"
            R"("countType":"imageCountMoreThan","countNumber":1},"action":{"type":"expire"}}]})");
}

TEST_F(ProvisionModuleInputs, UnknownInputSuggestsTheClosest) {
  EXPECT_EQ(
      error_of(std::string(kNames) + "  github_repository = [\"a\"]\n"),
      at(4, 3) + "unknown input \"github_repository\" for module \"ecr\" (did you mean \"github_repositories\"?)");
  EXPECT_EQ(error_of(std::string(kNames) + "  colour = 1\n"), at(4, 3) + "unknown input \"colour\" for module \"ecr\"");
  EXPECT_EQ(error_of(std::string(kNames) + "  count = 1\n"),
            at(4, 3) + "count is not supported on berth's modules: declare one module block per repository");
}

TEST_F(ProvisionModuleInputs, WrongTypes) {
  EXPECT_EQ(error_of("  team_name = [\"a\"]\n"), at(2, 3) + "team_name must be a string, not a list");
  EXPECT_EQ(error_of(std::string(kNames) + "  oidc_providers = \"github\"\n"),
            at(4, 3) + "oidc_providers must be a list of strings, not a string");
  EXPECT_EQ(error_of(std::string(kNames) + "  github_repositories = [\"a\",\n    { b = 1 }]\n"),
            at(5, 5) + "github_repositories must be a list of strings; element 1 is an object");
  EXPECT_EQ(error_of(std::string(kNames) + "  deletion_protection = \"yes\"\n"),
            at(4, 3) + "deletion_protection must be a bool, not a string");
  EXPECT_EQ(error_of(std::string(kNames) + "  canned_lifecycle_policy = { type = \"weeks\", count = 1 }\n"),
            at(4, 3) + "canned_lifecycle_policy: type must be \"days\" or \"images\"");
  EXPECT_EQ(error_of(std::string(kNames) + "  canned_lifecycle_policy = { type = \"days\", count = 0 }\n"),
            at(4, 3) + "canned_lifecycle_policy: count must be a positive integer");
  EXPECT_EQ(error_of(std::string(kNames) + "  canned_lifecycle_policy = { type = \"days\", cnt = 1 }\n"),
            at(4, 3) + "canned_lifecycle_policy: unknown key \"cnt\"");
}

TEST_F(ProvisionModuleInputs, RequiredInputs) {
  EXPECT_EQ(error_of("  team_name = \"a\"\n"), at(1, 1) + "module \"ecr\": required input \"repo_name\" is missing");
  EXPECT_EQ(error_of("  repo_name = \"a\"\n  team_name = null\n"),
            at(1, 1) + "module \"ecr\": required input \"team_name\" is missing");
}

TEST_F(ProvisionModuleInputs, Providers) {
  const std::string repositories = "  github_repositories = [\"example\"]\n";
  EXPECT_EQ(error_of(std::string(kNames) + repositories + "  oidc_providers = [\"github\", \"githb\"]\n"),
            at(5, 31) + "unknown OIDC provider \"githb\": use \"github\" or \"circleci\" (did you mean \"github\"?)");
  EXPECT_EQ(error_of(std::string(kNames) + repositories + "  oidc_providers = [\"circleci\"]\n"),
            at(5, 3) + "module \"ecr\": \"circleci\" needs a namespace for its ConfigMap");
  EXPECT_EQ(error_of(std::string(kNames) + "  oidc_providers = [\"github\"]\n"),
            at(4, 3) +
                "module \"ecr\": github_repositories is empty, so no CI job could assume the roles; list the "
                "repositories that push");
  EXPECT_EQ(error_of(std::string(kNames) + repositories + "  oidc_providers = [\"github\", \"github\"]\n"),
            at(5, 31) + "oidc_providers lists \"github\" twice");
}

TEST_F(ProvisionModuleInputs, GithubRepositories) {
  EXPECT_EQ(error_of(std::string(kNames) + "  github_repositories = [\"ok\", \"github.com/example-repository\"]\n"),
            at(4, 32) +
                "\"github.com/example-repository\": the GitHub repository name cannot contain a URL or \"/\"; "
                "only provide the repository name (e.g. \"example-repository\")");
  EXPECT_EQ(error_of(std::string(kNames) + "  github_repositories = [\"repo*\"]\n"),
            at(4, 26) + "\"repo*\" is not a GitHub repository name: letters, digits, '.', '_' and '-'");
  EXPECT_EQ(error_of(std::string(kNames) + "  github_environments = [\"\"]\n"),
            at(4, 26) + "a GitHub environment name is empty");
}

TEST_F(ProvisionModuleInputs, NamesThatCannotBeUsed) {
  EXPECT_EQ(error_of("  team_name = \"Example-Team\"\n  repo_name = \"repo\"\n"),
            at(3, 3) +
                "invalid repository name \"Example-Team/repo\" (team_name/repo_name): lower-case letters and "
                "digits, separated by '.', '_', '__' or '-', at most 255 characters");
  EXPECT_EQ(error_of("  team_name = \"team\"\n  repo_name = \"repo.\"\n").substr(0, at(3, 3).size()), at(3, 3));
  EXPECT_EQ(error_of(std::string(kNames) + "  namespace = \"Example_NS\"\n"),
            at(4, 3) + "namespace \"Example_NS\" is not a Kubernetes namespace name (a DNS-1123 label)");
  EXPECT_EQ(error_of(std::string(kNames) + "  github_actions_prefix = \"github\"\n"),
            at(4, 3) +
                "github_actions_prefix \"github\" cannot start a GitHub variable name: letters, digits and "
                "'_', not starting with a digit or GITHUB");
  EXPECT_EQ(error_of(std::string(kNames) + "  environment_name = \"\"\n"),
            at(4, 3) + "environment_name cannot be empty");
}

TEST_F(ProvisionModuleInputs, InvalidLifecyclePolicyPointsAtTheInput) {
  EXPECT_EQ(error_of(std::string(kNames) + "  lifecycle_policy = \"{}\"\n"),
            at(4, 3) + "invalid lifecycle policy: length 2 is outside 100 to 30720 characters");
}

TEST_F(ProvisionModuleInputs, ReadsEveryTagMutability) {
  using metadata::TagMutability;
  struct Case {
    std::string inputs;
    metadata::TagMutabilitySetting expected;
  };
  const std::vector<Case> cases = {
      {"", {TagMutability::mutable_tags, {}}},
      {"  image_tag_mutability = \"MUTABLE\"\n", {TagMutability::mutable_tags, {}}},
      {"  image_tag_mutability = \"IMMUTABLE\"\n  image_tag_mutability_exclusion_filters = []\n",
       {TagMutability::immutable, {}}},
      {"  image_tag_mutability = \"IMMUTABLE_WITH_EXCLUSION\"\n"
       "  image_tag_mutability_exclusion_filters = [\"dev-*\", \"latest\"]\n",
       {TagMutability::immutable_with_exclusion, {"dev-*", "latest"}}},
      {"  image_tag_mutability = \"MUTABLE_WITH_EXCLUSION\"\n"
       "  image_tag_mutability_exclusion_filters = [\"v*.*.*\", \"release_1\", \"a\", \"b\", \"" +
           std::string(128, '*') + "\"]\n",
       {TagMutability::mutable_with_exclusion, {"v*.*.*", "release_1", "a", "b", std::string(128, '*')}}},
  };
  for (const Case& test : cases) {
    auto selection = select(std::string("module \"ecr\" {\n") + kNames + test.inputs + "}\n");
    ASSERT_TRUE(selection.ok()) << selection.error().message;
    EXPECT_EQ(selection->modules[0].tag_mutability, test.expected) << test.inputs;
  }
}

TEST_F(ProvisionModuleInputs, UnknownTagMutabilityListsTheValidOnes) {
  const std::string valid =
      "use one of \"MUTABLE\", \"IMMUTABLE\", \"IMMUTABLE_WITH_EXCLUSION\", \"MUTABLE_WITH_EXCLUSION\"";
  EXPECT_EQ(error_of(std::string(kNames) + "  image_tag_mutability = \"FROZEN\"\n"),
            at(4, 3) + "unknown image_tag_mutability \"FROZEN\": " + valid);
  EXPECT_EQ(error_of(std::string(kNames) + "  image_tag_mutability = \"immutable\"\n"),
            at(4, 3) + "unknown image_tag_mutability \"immutable\": " + valid + " (did you mean \"IMMUTABLE\"?)");
  EXPECT_EQ(error_of(std::string(kNames) + "  image_tag_mutability = \"IMUTABLE_WITH_EXCLUSION\"\n"),
            at(4, 3) + "unknown image_tag_mutability \"IMUTABLE_WITH_EXCLUSION\": " + valid +
                " (did you mean \"IMMUTABLE_WITH_EXCLUSION\"?)");
  EXPECT_EQ(error_of(std::string(kNames) + "  image_tag_mutability = [\"IMMUTABLE\"]\n"),
            at(4, 3) + "image_tag_mutability must be a string, not a list");
  EXPECT_EQ(error_of(std::string(kNames) + "  image_tag_mutabilty = \"IMMUTABLE\"\n"),
            at(4, 3) + "unknown input \"image_tag_mutabilty\" for module \"ecr\" (did you mean "
                       "\"image_tag_mutability\"?)");
}

TEST_F(ProvisionModuleInputs, ExclusionFiltersFollowTheEcrRules) {
  const std::string immutable_with = std::string(kNames) + "  image_tag_mutability = \"IMMUTABLE_WITH_EXCLUSION\"\n";
  // The *_WITH_EXCLUSION modes need filters: the mode is pointed at.
  EXPECT_EQ(error_of(immutable_with),
            at(4, 3) + "image_tag_mutability_exclusion_filters must list 1 to 5 filters for IMMUTABLE_WITH_EXCLUSION");
  EXPECT_EQ(error_of(immutable_with + "  image_tag_mutability_exclusion_filters = []\n"),
            at(4, 3) + "image_tag_mutability_exclusion_filters must list 1 to 5 filters for IMMUTABLE_WITH_EXCLUSION");
  EXPECT_EQ(error_of(immutable_with + "  image_tag_mutability_exclusion_filters = [\"a\", \"b\", \"c\", \"d\", \"e\", "
                                      "\"f\"]\n"),
            at(5, 3) + "image_tag_mutability_exclusion_filters must list 1 to 5 filters for IMMUTABLE_WITH_EXCLUSION");
  // The others refuse them, the default MUTABLE too: the filters are pointed at.
  EXPECT_EQ(error_of(std::string(kNames) + "  image_tag_mutability = \"IMMUTABLE\"\n" +
                     "  image_tag_mutability_exclusion_filters = [\"dev-*\"]\n"),
            at(5, 3) + "image_tag_mutability_exclusion_filters is only allowed with IMMUTABLE_WITH_EXCLUSION");
  EXPECT_EQ(error_of(std::string(kNames) + "  image_tag_mutability_exclusion_filters = [\"dev-*\"]\n"),
            at(4, 3) + "image_tag_mutability_exclusion_filters is only allowed with MUTABLE_WITH_EXCLUSION");
  // Each filter is ECR's: 1 to 128 of [0-9a-zA-Z._*-], pointed at in the list.
  EXPECT_EQ(error_of(immutable_with + "  image_tag_mutability_exclusion_filters = [\"ok\", \"v?\"]\n"),
            at(5, 51) + "exclusion filter \"v?\" must satisfy regular expression pattern: ^[0-9a-zA-Z._*-]{1,128}");
  EXPECT_EQ(error_of(immutable_with + "  image_tag_mutability_exclusion_filters = [\"\"]\n"),
            at(5, 45) + "exclusion filter \"\" must have length between 1 and 128");
  EXPECT_EQ(error_of(immutable_with + "  image_tag_mutability_exclusion_filters = [\"" + std::string(129, 'a') +
                     "\"]\n"),
            at(5, 45) + "exclusion filter \"" + std::string(129, 'a') + "\" must have length between 1 and 128");
  EXPECT_EQ(error_of(immutable_with + "  image_tag_mutability_exclusion_filters = \"dev-*\"\n"),
            at(5, 3) + "image_tag_mutability_exclusion_filters must be a list of strings, not a string");
  EXPECT_EQ(error_of(immutable_with + "  image_tag_mutability_exclusion_filters = [\"a\", \"a\"]\n"),
            at(5, 50) + "image_tag_mutability_exclusion_filters lists \"a\" twice");
}

TEST_F(ProvisionModuleInputs, SkipsOtherModulesAndRefusesOneRepositoryTwice) {
  auto selection = select(std::string("module \"ecr\" {\n") + kNames + R"(}
module "rds" {
  source = "github.com/ministryofjustice/cloud-platform-terraform-rds-instance?ref=8.0.0"
  name   = upper("x")
}
)");
  ASSERT_TRUE(selection.ok()) << selection.error().message;
  EXPECT_EQ(selection->modules.size(), 1u);
  EXPECT_EQ(selection->skipped,
            (std::vector<std::string>{
                at(5, 1) + "module \"rds\" (source \"github.com/ministryofjustice/cloud-platform-terraform-rds-instance"
                           "?ref=8.0.0\")"}));

  auto duplicate = select(std::string("module \"a\" {\n") + kNames + "}\n\nmodule \"b\" {\n" + kNames + "}\n");
  ASSERT_FALSE(duplicate.ok());
  EXPECT_EQ(duplicate.error().message, at(6, 1) +
                                           "module \"b\" declares repository \"example-team/example-repository\", "
                                           "already declared by module \"a\" at " +
                                           dir_.file("main.tf") + ":1:1");
}

}  // namespace
}  // namespace berth::provision

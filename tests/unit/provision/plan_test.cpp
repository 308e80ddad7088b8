#include "provision/plan.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "provision/plan_render.hpp"
#include "provision/provision_test_support.hpp"

namespace berth::provision {
namespace {

using metadata::PublishedKind;
using test::ModuleShape;

std::vector<std::string> lines(const Plan& plan) {
  std::vector<std::string> result;
  for (const auto& change : plan.changes) {
    result.push_back(std::string(action_symbol(change.action)) + " " + change.address);
  }
  return result;
}

// The current state after a successful apply of `desired`: everything recorded as planned.
CurrentState applied(const DesiredState& desired) {
  CurrentState current;
  Plan plan = make_plan(desired, current);
  for (const auto& change : plan.changes) {
    if (const auto* put = std::get_if<PutRepository>(&change.operation)) {
      current.repositories.push_back(put->repository);
      current.existing_repositories.insert_or_assign(put->repository.name, put->tag_mutability);
    }
    if (const auto* put = std::get_if<PutRole>(&change.operation)) current.roles.emplace(put->role.name, put->role);
    if (change.record) current.published.push_back(*change.record);
  }
  return current;
}

TEST(Plan, NothingDeclaredNothingRecordedIsNoChange) {
  Plan plan = make_plan({}, {});
  EXPECT_TRUE(plan.empty());
  EXPECT_EQ(render_plan(plan, false), "No changes. Berth's state matches the declarations.\n");
}

TEST(Plan, CreatesEverythingAModuleDeclaresInOrder) {
  ModuleShape shape;
  Plan plan = make_plan(test::desired(shape), {});
  std::string github = test::role_name(shape, "github");
  std::string circleci = test::role_name(shape, "circleci");
  EXPECT_EQ(lines(plan), (std::vector<std::string>{
                             "+ repository.example-team/example-repo",
                             "+ role." + circleci,
                             "+ role." + github,
                             "+ github.secret.acme/example-repo/ECR_REGISTRY_URL",
                             "+ github.secret.acme/example-repo/ECR_ROLE_TO_ASSUME",
                             "+ github.variable.acme/example-repo/ECR_REGION",
                             "+ github.variable.acme/example-repo/ECR_REPOSITORY",
                             "+ configmap.example-ns/example-repo-circleci",
                         }));
  EXPECT_EQ(plan.count(Action::create), 8u);
  EXPECT_EQ(plan.changes[0].detail, "new repository");
  EXPECT_EQ(plan.changes[5].detail, "= \"eu-west-2\"");
  ASSERT_TRUE(plan.changes[4].record.has_value());
  EXPECT_EQ(plan.changes[4].record->kind, PublishedKind::github_secret);
  EXPECT_EQ(plan.changes[4].record->scope, "acme/example-repo");
  EXPECT_EQ(plan.changes[4].record->repository, "example-team/example-repo");
  EXPECT_EQ(plan.changes[4].record->value_sha256, Hasher::of(test::role_arn(github)).hex());
  EXPECT_EQ(target_of(plan.changes[1].operation), Target::metadata);
  EXPECT_EQ(target_of(plan.changes[3].operation), Target::github);
  EXPECT_EQ(target_of(plan.changes[7].operation), Target::kubernetes);
}

TEST(Plan, EnsuresEachEnvironmentOnceBeforeItsValues) {
  ModuleShape shape;
  shape.environment = "production";
  shape.circleci = false;
  DesiredState desired = test::desired(shape);
  Plan plan = make_plan(desired, {});
  EXPECT_EQ(lines(plan), (std::vector<std::string>{
                             "+ repository.example-team/example-repo",
                             "+ role." + test::role_name(shape, "github"),
                             "+ github.environment.acme/example-repo/production",
                             "+ github.secret.acme/example-repo/production/ECR_ROLE_TO_ASSUME",
                             "+ github.variable.acme/example-repo/production/ECR_REGION",
                             "+ github.variable.acme/example-repo/production/ECR_REPOSITORY",
                         }));
  // Recorded: a later plan does not ensure it again.
  EXPECT_TRUE(make_plan(desired, applied(desired)).empty());
}

TEST(Plan, AfterApplyingThereIsNothingToDo) {
  DesiredState desired = test::desired({});
  Plan plan = make_plan(desired, applied(desired));
  EXPECT_TRUE(plan.empty());
  EXPECT_TRUE(plan.kept.empty());
}

TEST(Plan, UpdatesOnlyWhatChanged) {
  ModuleShape shape;
  CurrentState current = applied(test::desired(shape));
  shape.region = "eu-west-1";
  DesiredState changed = test::desired(shape);
  changed.repositories[0].tags["application"] = "shop";
  changed.roles[0].max_session_duration_seconds = 7200;
  Plan plan = make_plan(changed, current);
  EXPECT_EQ(lines(plan), (std::vector<std::string>{
                             "~ repository.example-team/example-repo",
                             "~ role." + test::role_name(shape, "github"),
                             "~ github.variable.acme/example-repo/ECR_REGION",
                             "~ configmap.example-ns/example-repo-circleci",
                         }));
  EXPECT_EQ(plan.changes[0].detail, "tags");
  EXPECT_EQ(plan.changes[1].detail, "max session duration");
  EXPECT_EQ(plan.changes[2].detail, "= \"eu-west-1\" (changed)");
  EXPECT_EQ(plan.changes[3].detail, "data changed");
  EXPECT_EQ(render_plan(plan, false).substr(render_plan(plan, false).rfind("Plan:")),
            "Plan: 0 to create, 4 to update, 0 to delete.\n");
}

TEST(Plan, ADeclaredTagMutabilityChangeIsAChangedField) {
  ModuleShape shape = test::without_circleci({});
  CurrentState current = applied(test::desired(shape));
  shape.tag_mutability = {metadata::TagMutability::immutable, {}};
  Plan plan = make_plan(test::desired(shape), current);
  EXPECT_EQ(lines(plan), (std::vector<std::string>{"~ repository.example-team/example-repo"}));
  EXPECT_EQ(plan.changes[0].detail, "tag mutability");
  EXPECT_EQ(std::get<PutRepository>(plan.changes[0].operation).tag_mutability, shape.tag_mutability);
  EXPECT_NE(render_plan(plan, false).find("  ~ repository.example-team/example-repo  (tag mutability)\n"),
            std::string::npos);

  // The exclusion filters are part of it.
  current = applied(test::desired(shape));
  shape.tag_mutability = {metadata::TagMutability::immutable_with_exclusion, {"dev-*"}};
  EXPECT_EQ(make_plan(test::desired(shape), current).changes.at(0).detail, "tag mutability");
  current = applied(test::desired(shape));
  shape.tag_mutability.exclusions = {"dev-*", "test-*"};
  EXPECT_EQ(make_plan(test::desired(shape), current).changes.at(0).detail, "tag mutability");
}

TEST(Plan, TagMutabilityChangedThroughTheApiIsPutBack) {
  ModuleShape shape = test::without_circleci({});
  shape.tag_mutability = {metadata::TagMutability::immutable, {}};
  DesiredState desired = test::desired(shape);
  CurrentState current = applied(desired);
  // PutImageTagMutability made it mutable; the record of the declaration did not change.
  current.existing_repositories[shape.repository] = {};
  Plan plan = make_plan(desired, current);
  ASSERT_EQ(plan.changes.size(), 1u);
  EXPECT_EQ(plan.changes[0].action, Action::update);
  EXPECT_EQ(plan.changes[0].detail, "tag mutability");
  EXPECT_EQ(std::get<PutRepository>(plan.changes[0].operation).tag_mutability, shape.tag_mutability);
}

TEST(Plan, TakingOverARepositorySaysWhenItsTagMutabilityChanges) {
  DesiredState desired = test::desired(test::without_circleci({}));
  CurrentState current;
  current.existing_repositories.emplace("example-team/example-repo",
                                        metadata::TagMutabilitySetting{metadata::TagMutability::immutable, {}});
  Plan plan = make_plan(desired, current);
  EXPECT_EQ(plan.changes[0].action, Action::create);
  EXPECT_EQ(plan.changes[0].detail, "existing repository, now managed by provisioning; changes tag mutability");
}

TEST(Plan, RemovedDeclarationRemovesItsRolesValuesAndConfigMap) {
  ModuleShape kept_shape = test::without_circleci(test::named("team/kept", "kept"));
  DesiredState both = test::desired({});
  test::add_module(both, kept_shape);
  CurrentState current = applied(both);
  Plan plan = make_plan(test::desired(kept_shape), current);
  ModuleShape removed;
  EXPECT_EQ(lines(plan), (std::vector<std::string>{
                             "- repository.example-team/example-repo",
                             "- role." + test::role_name(removed, "circleci"),
                             "- role." + test::role_name(removed, "github"),
                             "- github.secret.acme/example-repo/ECR_REGISTRY_URL",
                             "- github.secret.acme/example-repo/ECR_ROLE_TO_ASSUME",
                             "- github.variable.acme/example-repo/ECR_REGION",
                             "- github.variable.acme/example-repo/ECR_REPOSITORY",
                             "- configmap.example-ns/example-repo-circleci",
                         }));
  const auto& deletion = std::get<DeleteGithubValue>(plan.changes[4].operation);
  EXPECT_EQ(deletion.scope, (GithubScope{"acme", "example-repo", ""}));
  EXPECT_TRUE(deletion.secret);
  EXPECT_FALSE(std::get<DeleteRepository>(plan.changes[0].operation).force);
}

TEST(Plan, EnvironmentScopesSurviveTheRoundTripThroughRecords) {
  ModuleShape shape = test::in_environment(test::without_circleci({}), "prod/eu");
  Plan plan = make_plan({}, applied(test::desired(shape)));
  auto deletion = std::find_if(plan.changes.begin(), plan.changes.end(), [](const Change& change) {
    return std::holds_alternative<DeleteGithubValue>(change.operation);
  });
  ASSERT_NE(deletion, plan.changes.end());
  EXPECT_EQ(std::get<DeleteGithubValue>(deletion->operation).scope, (GithubScope{"acme", "example-repo", "prod/eu"}));
}

TEST(Plan, KeepsARemovedRepositoryWithImagesWhileProtected) {
  CurrentState current = applied(test::desired({}));
  current.repositories_with_images.insert("example-team/example-repo");
  Plan plan = make_plan({}, current);
  ASSERT_EQ(plan.kept.size(), 1u);
  EXPECT_EQ(plan.kept[0].address, "repository.example-team/example-repo");
  EXPECT_EQ(plan.kept[0].detail, "kept: deletion protection (it still holds images)");
  EXPECT_EQ(plan.count(Action::remove), 7u);  // roles, values and ConfigMap go all the same
  EXPECT_NE(render_plan(plan, false).find("  = repository.example-team/example-repo  (kept: deletion protection"),
            std::string::npos);

  // Unprotected, it is deleted with its images.
  CurrentState unprotected = applied(test::desired(test::unprotected({})));
  unprotected.repositories_with_images.insert("example-team/example-repo");
  Plan forced = make_plan({}, unprotected);
  EXPECT_TRUE(forced.kept.empty());
  EXPECT_TRUE(std::get<DeleteRepository>(forced.changes[0].operation).force);
}

TEST(Plan, NeverDeletesWhatProvisioningDidNotCreate) {
  CurrentState current;
  // A role from `berth role put` and a repository from `berth repository create`: no records.
  current.roles.emplace("hand-made", metadata::RoleRecord{"hand-made", "{}", "[]", 3600, 1, 1});
  current.existing_repositories.try_emplace("team/hand-made");
  EXPECT_TRUE(make_plan({}, current).empty());
}

TEST(Plan, TakesOverAnExistingRepositoryOrRoleOfTheSameName) {
  ModuleShape shape = test::without_circleci({});
  DesiredState desired = test::desired(shape);
  CurrentState current;
  current.existing_repositories.try_emplace(shape.repository);
  const auto& role = desired.roles[0];
  current.roles.emplace(role.name, metadata::RoleRecord{role.name, role.trust_policy, role.policies, 3600, 1, 1});
  Plan plan = make_plan(desired, current);
  EXPECT_EQ(plan.changes[0].action, Action::create);
  EXPECT_EQ(plan.changes[0].detail, "existing repository, now managed by provisioning");
  EXPECT_EQ(plan.changes[1].action, Action::update);
  EXPECT_EQ(plan.changes[1].detail, "now managed by provisioning");
}

TEST(PlanRender, NeverShowsSecretValues) {
  ModuleShape shape;
  DesiredState desired = test::desired(shape);
  for (auto& value : desired.github_values) {
    if (value.secret) value.value = "s3cr3t-" + value.name;
  }
  Plan created = make_plan(desired, {});
  CurrentState current = applied(desired);
  for (auto& value : desired.github_values) value.value += "-rotated";
  Plan updated = make_plan(desired, current);
  for (const Plan* plan : {&created, &updated}) {
    for (const std::string& text : {render_plan(*plan, false), render_plan(*plan, true), render_plan_json(*plan)}) {
      EXPECT_EQ(text.find("s3cr3t"), std::string::npos) << text;
      EXPECT_NE(text.find("sensitive value"), std::string::npos) << text;
    }
  }
}

TEST(PlanRender, ColoursActionsOnlyWhenAsked) {
  ModuleShape shape;
  CurrentState current = applied(test::desired(shape));
  shape.region = "eu-west-1";
  DesiredState desired = test::desired(shape);
  desired.repositories.push_back(DesiredRepository{"team/new", {}, std::nullopt, true, true, {}, {}});
  Plan plan = make_plan(desired, current);
  plan.changes.push_back(make_plan({}, applied(test::desired(test::named("team/gone", "gone")))).changes[0]);
  std::string coloured = render_plan(plan, true);
  EXPECT_NE(coloured.find("\x1b[32m+ repository.team/new\x1b[0m"), std::string::npos);
  EXPECT_NE(coloured.find("\x1b[33m~ github.variable.acme/example-repo/ECR_REGION\x1b[0m"), std::string::npos);
  EXPECT_NE(coloured.find("\x1b[31m- repository.team/gone\x1b[0m"), std::string::npos);
  std::string plain = render_plan(plan, false);
  EXPECT_EQ(plain.find('\x1b'), std::string::npos);
  EXPECT_NE(plain.find("  + repository.team/new  (new repository)\n"), std::string::npos);
  EXPECT_NE(plain.find("Plan: 1 to create, 2 to update, 1 to delete.\n"), std::string::npos);
}

TEST(PlanRender, JsonHasAStableShape) {
  DesiredState desired = test::desired(test::without_circleci({}));
  desired.skipped_modules.push_back("main.tf:9:1: module \"other\" (source \"./other\")");
  CurrentState current = applied(test::desired(test::named("team/gone", "gone")));
  current.repositories_with_images.insert("team/gone");
  auto document = nlohmann::json::parse(render_plan_json(make_plan(desired, current)));
  ASSERT_TRUE(document["changes"].is_array());
  EXPECT_EQ(document["changes"][0], (nlohmann::json{{"action", "create"},
                                                    {"address", "repository.example-team/example-repo"},
                                                    {"detail", "new repository"}}));
  EXPECT_EQ(document["summary"], (nlohmann::json{{"create", 6}, {"update", 0}, {"delete", 7}}));
  EXPECT_EQ(document["kept"][0]["address"], "repository.team/gone");
  EXPECT_EQ(document["skipped_modules"], (nlohmann::json{"main.tf:9:1: module \"other\" (source \"./other\")"}));
  EXPECT_EQ(document["changes"].back()["action"], "delete");
}

TEST(PlanRender, SaysForEachGithubRepositoryWhetherItsIdsArePinned) {
  DesiredState desired;
  desired.github_trust = {{"acme/app", "repo:acme@65/app@74:*", true, "ids from GitHub"},
                          {"acme/new", "repo:acme@*/new@*:*", false, "GitHub is switched off (--no-github)"}};
  const Plan plan = make_plan(desired, {});
  EXPECT_EQ(render_plan(plan, false),
            "GitHub tokens in the immutable format (repo:OWNER@ID/REPO@ID) are trusted for:\n"
            "  acme/app: repo:acme@65/app@74:*  (pinned; ids from GitHub)\n"
            "  acme/new: repo:acme@*/new@*:*  (ANY ids: GitHub is switched off (--no-github); a repository re-created "
            "under this name would be trusted too; apply with GitHub reachable to pin the ids)\n"
            "\n"
            "No changes. Berth's state matches the declarations.\n");
  EXPECT_EQ(nlohmann::json::parse(render_plan_json(plan))["github_trust"],
            (nlohmann::json{{{"repository", "acme/app"},
                             {"subject", "repo:acme@65/app@74:*"},
                             {"pinned", true},
                             {"note", "ids from GitHub"}},
                            {{"repository", "acme/new"},
                             {"subject", "repo:acme@*/new@*:*"},
                             {"pinned", false},
                             {"note", "GitHub is switched off (--no-github)"}}}));
}

TEST(PlanRender, ListsSkippedModulesAndStillSaysNoChanges) {
  Plan plan;
  plan.skipped_modules.push_back("main.tf:3:1: module \"other\"");
  EXPECT_EQ(render_plan(plan, false),
            "Skipped modules (not berth's):\n  main.tf:3:1: module \"other\"\n\n"
            "No changes. Berth's state matches the declarations.\n");
}

}  // namespace
}  // namespace berth::provision

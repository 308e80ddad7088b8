#include "provision/apply.hpp"

#include <gtest/gtest.h>

#include <sstream>

#include "metadata/sqlite_metadata_store.hpp"
#include "provision/current_state.hpp"
#include "provision/plan.hpp"
#include "provision/provision_test_support.hpp"
#include "storage/scoped_temp_dir.hpp"

namespace berth::provision {
namespace {

using test::ModuleShape;

class Apply : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = metadata::SqliteMetadataStore::open(dir_.path() / "berth.db");
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    store_ = std::move(opened).value();
  }

  Plan plan(const DesiredState& desired) {
    auto current = load_current_state(*store_, desired);
    EXPECT_TRUE(current.ok()) << current.error().message;
    return make_plan(desired, *current);
  }

  // Plans and applies with both publishers; returns the report and keeps the progress text.
  ApplyReport apply(const DesiredState& desired, Publishers publishers) {
    progress_.str("");
    return apply_plan(plan(desired), *store_, publishers, progress_);
  }
  ApplyReport apply(const DesiredState& desired) { return apply(desired, {&github_, &kubernetes_}); }

  metadata::TagMutabilitySetting tag_mutability(const std::string& repository) {
    auto found = store_->get_repository(repository);
    EXPECT_TRUE(found.ok() && found->has_value()) << repository;
    if (!found.ok() || !found->has_value()) return {};
    return {(*found)->settings.tag_mutability, (*found)->settings.tag_mutability_exclusions};
  }

  std::size_t publisher_calls() const { return github_.calls.size() + kubernetes_.calls.size(); }

  void push_image(const std::string& repository) {
    std::string content = R"({"schemaVersion":2})";
    metadata::ManifestRecord manifest{
        repository, Hasher::of(content), "application/vnd.oci.image.manifest.v1+json", content, std::nullopt, "", "",
        1, std::nullopt};
    ASSERT_TRUE(store_->put_manifest(manifest, {}, "v1").ok());
  }

  berth::test::ScopedTempDir dir_;
  std::unique_ptr<metadata::SqliteMetadataStore> store_;
  test::RecordingGithub github_;
  test::RecordingKubernetes kubernetes_;
  std::ostringstream progress_;
};

TEST_F(Apply, CreatesTheRepositoryRolesAndPublishedValues) {
  ModuleShape shape;
  auto report = apply(test::desired(shape));
  EXPECT_TRUE(report.complete());
  EXPECT_EQ(report.count(Outcome::done), 8u);

  EXPECT_TRUE(*store_->repository_exists(shape.repository));
  auto provisioned = store_->list_provisioned_repositories();
  ASSERT_EQ(provisioned->size(), 1u);
  EXPECT_EQ((*provisioned)[0].tags_json, R"({"owner":"example-team"})");
  auto role = store_->get_role(test::role_name(shape, "github"));
  ASSERT_TRUE(role->has_value());
  EXPECT_EQ((*role)->trust_policy, R"({"Statement":"github"})");
  EXPECT_TRUE(store_->get_role(test::role_name(shape, "circleci"))->has_value());

  std::string arn = test::role_arn(test::role_name(shape, "github"));
  EXPECT_EQ(github_.calls, (std::vector<std::string>{
                               "put_secret acme/example-repo/ECR_REGISTRY_URL=registry.example.com",
                               "put_secret acme/example-repo/ECR_ROLE_TO_ASSUME=" + arn,
                               "put_variable acme/example-repo/ECR_REGION=eu-west-2",
                               "put_variable acme/example-repo/ECR_REPOSITORY=example-team/example-repo",
                           }));
  ASSERT_EQ(kubernetes_.calls.size(), 1u);
  EXPECT_EQ(kubernetes_.calls[0],
            "apply example-ns/example-repo-circleci ecr_region=eu-west-2 ecr_registry_id=123456789012 "
            "ecr_repository=example-team/example-repo ecr_role_to_assume=" +
                test::role_arn(test::role_name(shape, "circleci")));
  EXPECT_NE(progress_.str().find("+ repository.example-team/example-repo: created\n"), std::string::npos);
  EXPECT_EQ(render_apply_report(report), "Apply complete: 8 done, 0 failed, 0 skipped.\n");
}

TEST_F(Apply, SecondApplyWithNothingChangedMakesNoCall) {
  DesiredState desired = test::desired(test::in_environment({}, "production"));
  ASSERT_TRUE(apply(desired).complete());
  std::size_t calls = publisher_calls();
  EXPECT_GT(calls, 0u);
  EXPECT_TRUE(plan(desired).empty());
  auto again = apply(desired);
  EXPECT_TRUE(again.changes.empty());
  EXPECT_EQ(publisher_calls(), calls);
}

TEST_F(Apply, UpdatesOnlyTheValueThatChanged) {
  ModuleShape shape = test::without_circleci({});
  ASSERT_TRUE(apply(test::desired(shape)).complete());
  github_.calls.clear();
  shape.region = "eu-west-1";
  ASSERT_TRUE(apply(test::desired(shape)).complete());
  EXPECT_EQ(github_.calls, (std::vector<std::string>{"put_variable acme/example-repo/ECR_REGION=eu-west-1"}));
  EXPECT_TRUE(plan(test::desired(shape)).empty());
}

TEST_F(Apply, TheDeclaredLifecyclePolicyReplacesOneSetThroughTheApi) {
  ModuleShape shape = test::without_circleci({});
  DesiredState desired = test::desired(shape);
  desired.repositories.front().lifecycle_policy = R"({"rules":"declared"})";
  ASSERT_TRUE(apply(desired).complete());
  EXPECT_EQ((*store_->get_lifecycle_policy(shape.repository))->text, R"({"rules":"declared"})");

  ASSERT_TRUE(*store_->set_lifecycle_policy(shape.repository, R"({"rules":"through the API"})"));
  EXPECT_FALSE(plan(desired).empty());
  ASSERT_TRUE(apply(desired).complete());
  EXPECT_EQ((*store_->get_lifecycle_policy(shape.repository))->text, R"({"rules":"declared"})");
  EXPECT_TRUE(plan(desired).empty());
}

TEST_F(Apply, CreatesTheRepositoryWithItsTagMutability) {
  ModuleShape shape = test::without_circleci({});
  shape.tag_mutability = {metadata::TagMutability::immutable_with_exclusion, {"dev-*", "latest"}};
  ASSERT_TRUE(apply(test::desired(shape)).complete());
  EXPECT_EQ(tag_mutability(shape.repository), shape.tag_mutability);
  EXPECT_TRUE(plan(test::desired(shape)).empty());
}

TEST_F(Apply, ChangesTheTagMutabilityAndPutsBackOneChangedThroughTheApi) {
  ModuleShape shape = test::without_circleci({});
  ASSERT_TRUE(apply(test::desired(shape)).complete());
  EXPECT_EQ(tag_mutability(shape.repository), metadata::TagMutabilitySetting{});

  shape.tag_mutability = {metadata::TagMutability::immutable, {}};
  ASSERT_TRUE(apply(test::desired(shape)).complete());
  EXPECT_EQ(tag_mutability(shape.repository), shape.tag_mutability);
  EXPECT_NE(progress_.str().find("~ repository.example-team/example-repo: updated\n"), std::string::npos);

  // What ECR's PutImageTagMutability does.
  ASSERT_TRUE(*store_->set_tag_mutability(shape.repository, metadata::TagMutability::mutable_with_exclusion, {"v*"}));
  Plan drift = plan(test::desired(shape));
  ASSERT_EQ(drift.changes.size(), 1u);
  EXPECT_EQ(drift.changes[0].detail, "tag mutability");
  ASSERT_TRUE(apply(test::desired(shape)).complete());
  EXPECT_EQ(tag_mutability(shape.repository), shape.tag_mutability);
  EXPECT_TRUE(plan(test::desired(shape)).empty());
}

TEST_F(Apply, TakingOverARepositoryAppliesTheDeclaredTagMutability) {
  ModuleShape shape = test::without_circleci({});
  metadata::RepositorySettings immutable;
  immutable.tag_mutability = metadata::TagMutability::immutable;
  ASSERT_TRUE(*store_->add_repository(shape.repository, immutable));
  Plan takeover = plan(test::desired(shape));
  EXPECT_EQ(takeover.changes.at(0).detail, "existing repository, now managed by provisioning; changes tag mutability");
  ASSERT_TRUE(apply(test::desired(shape)).complete());
  EXPECT_EQ(tag_mutability(shape.repository), metadata::TagMutabilitySetting{});
}

TEST_F(Apply, RemovingADeclarationRemovesWhatItCreated) {
  ModuleShape removed;
  ModuleShape kept = test::without_circleci(test::named("team/kept", "kept"));
  DesiredState both = test::desired(removed);
  test::add_module(both, kept);
  ASSERT_TRUE(apply(both).complete());
  // A role made by `berth role put` is never touched.
  ASSERT_TRUE(store_->put_role(metadata::RoleRecord{"hand-made", "{}", "[]", 3600, 0, 0}).ok());
  github_.calls.clear();
  kubernetes_.calls.clear();

  ASSERT_TRUE(apply(test::desired(kept)).complete());
  EXPECT_FALSE(*store_->repository_exists(removed.repository));
  EXPECT_TRUE(*store_->repository_exists(kept.repository));
  EXPECT_FALSE(store_->get_role(test::role_name(removed, "github"))->has_value());
  EXPECT_FALSE(store_->get_role(test::role_name(removed, "circleci"))->has_value());
  EXPECT_TRUE(store_->get_role(test::role_name(kept, "github"))->has_value());
  EXPECT_TRUE(store_->get_role("hand-made")->has_value());
  EXPECT_EQ(github_.calls, (std::vector<std::string>{
                               "delete_secret acme/example-repo/ECR_REGISTRY_URL",
                               "delete_secret acme/example-repo/ECR_ROLE_TO_ASSUME",
                               "delete_variable acme/example-repo/ECR_REGION",
                               "delete_variable acme/example-repo/ECR_REPOSITORY",
                           }));
  EXPECT_EQ(kubernetes_.calls, (std::vector<std::string>{"delete example-ns/example-repo-circleci"}));
  EXPECT_TRUE(plan(test::desired(kept)).empty());
}

TEST_F(Apply, DeletionProtectionKeepsARepositoryWithImages) {
  ModuleShape shape;
  ASSERT_TRUE(apply(test::desired(shape)).complete());
  push_image(shape.repository);
  ASSERT_TRUE(apply({}).complete());
  EXPECT_TRUE(*store_->repository_exists(shape.repository));
  EXPECT_TRUE(store_->resolve_tag(shape.repository, "v1")->has_value());
  EXPECT_FALSE(store_->get_role(test::role_name(shape, "github"))->has_value());
  Plan after = plan({});
  EXPECT_TRUE(after.empty());
  ASSERT_EQ(after.kept.size(), 1u);
  EXPECT_EQ(after.kept[0].address, "repository." + shape.repository);

  // Turning protection off, then removing the declaration, deletes it with its images.
  ASSERT_TRUE(apply(test::desired(test::unprotected(shape))).complete());
  ASSERT_TRUE(apply({}).complete());
  EXPECT_FALSE(*store_->repository_exists(shape.repository));
}

TEST_F(Apply, AFailingPublisherIsReportedAndTheNextApplyCompletesIt) {
  ModuleShape shape;
  std::string arn = test::role_arn(test::role_name(shape, "github"));
  github_.fail.insert("put_secret acme/example-repo/ECR_ROLE_TO_ASSUME=" + arn);
  DesiredState desired = test::desired(shape);
  auto report = apply(desired);
  EXPECT_FALSE(report.complete());
  EXPECT_EQ(report.count(Outcome::failed), 1u);
  EXPECT_EQ(report.count(Outcome::done), 7u);  // the other values and the ConfigMap went on
  EXPECT_NE(progress_.str().find("+ github.secret.acme/example-repo/ECR_ROLE_TO_ASSUME: failed: github: 502"),
            std::string::npos);
  std::string summary = render_apply_report(report);
  EXPECT_NE(summary.find("Apply incomplete: 7 done, 1 failed, 0 skipped.\nNot done:\n"
                         "  + github.secret.acme/example-repo/ECR_ROLE_TO_ASSUME: github: 502"),
            std::string::npos);
  EXPECT_NE(summary.find("Run `berth apply` again"), std::string::npos);

  github_.fail.clear();
  github_.calls.clear();
  kubernetes_.calls.clear();
  ASSERT_TRUE(apply(desired).complete());
  EXPECT_EQ(github_.calls, (std::vector<std::string>{"put_secret acme/example-repo/ECR_ROLE_TO_ASSUME=" + arn}));
  EXPECT_TRUE(kubernetes_.calls.empty());
  EXPECT_TRUE(plan(desired).empty());
}

TEST_F(Apply, SwitchedOffPublishersAreSkippedAndLeftForLater) {
  DesiredState desired = test::desired({});
  auto report = apply(desired, {nullptr, &kubernetes_});
  EXPECT_TRUE(report.complete());
  EXPECT_EQ(report.count(Outcome::skipped), 4u);
  EXPECT_TRUE(github_.calls.empty());
  EXPECT_EQ(kubernetes_.calls.size(), 1u);
  EXPECT_NE(progress_.str().find("github.variable.acme/example-repo/ECR_REGION: skipped (GitHub publishing is off)"),
            std::string::npos);
  EXPECT_NE(render_apply_report(report).find("Apply complete: 4 done, 0 failed, 4 skipped.\nNot done:\n"),
            std::string::npos);

  Plan remaining = plan(desired);
  EXPECT_EQ(remaining.count(Action::create), 4u);
  ASSERT_TRUE(apply(desired).complete());
  EXPECT_EQ(github_.calls.size(), 4u);
  EXPECT_EQ(kubernetes_.calls.size(), 1u);
}

}  // namespace
}  // namespace berth::provision

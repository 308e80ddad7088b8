// Provisioning state (managed repositories and published records), as part of the suite every
// MetadataStore backend must pass.
#include <string>
#include <vector>

#include "metadata_store_suite.hpp"

namespace berth::metadata {
namespace {

ProvisionedRepository provisioned(std::string name, std::string tags_json = R"({"owner":"team"})") {
  return ProvisionedRepository{std::move(name), std::move(tags_json), std::nullopt, true, true, 0};
}

PublishedRecord published(PublishedKind kind, std::string scope, std::string name, std::string sha = "aa") {
  return PublishedRecord{kind, std::move(scope), std::move(name), std::move(sha), "team/app", 0};
}

std::vector<std::string> names(const std::vector<ProvisionedRepository>& repositories) {
  std::vector<std::string> result;
  for (const auto& repository : repositories) result.push_back(repository.name);
  return result;
}

TEST_P(MetadataStoreSuite, RecordsProvisionedRepositoriesAndCreatesThem) {
  EXPECT_TRUE(store_->list_provisioned_repositories()->empty());
  auto declared = provisioned("team/app");
  declared.lifecycle_policy = R"({"rules":[]})";
  declared.scan_on_push = false;
  declared.deletion_protection = false;
  ASSERT_TRUE(store_->put_provisioned_repository(declared).ok());
  ASSERT_TRUE(store_->put_provisioned_repository(provisioned("team/api")).ok());
  EXPECT_TRUE(*store_->repository_exists("team/app"));

  auto listed = store_->list_provisioned_repositories();
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(names(*listed), (std::vector<std::string>{"team/api", "team/app"}));
  const auto& app = (*listed)[1];
  EXPECT_EQ(app.tags_json, R"({"owner":"team"})");
  EXPECT_EQ(app.lifecycle_policy, R"({"rules":[]})");
  EXPECT_FALSE(app.scan_on_push);
  EXPECT_FALSE(app.deletion_protection);
  EXPECT_GT(app.updated_unix, 0);
  EXPECT_EQ((*listed)[0].lifecycle_policy, std::nullopt);
  EXPECT_TRUE((*listed)[0].deletion_protection);

  // Replacing the record changes the settings, and the list survives a restart.
  ASSERT_TRUE(store_->put_provisioned_repository(provisioned("team/app", "{}")).ok());
  auto reopened = backend_->open();
  auto after_restart = reopened->list_provisioned_repositories();
  ASSERT_TRUE(after_restart.ok());
  ASSERT_EQ(after_restart->size(), 2u);
  EXPECT_EQ((*after_restart)[1].tags_json, "{}");
  EXPECT_EQ((*after_restart)[1].lifecycle_policy, std::nullopt);
}

TEST_P(MetadataStoreSuite, DeletingARepositoryForgetsItsProvisioning) {
  ASSERT_TRUE(store_->create_repository("team/hand-made").ok());
  ASSERT_TRUE(store_->put_provisioned_repository(provisioned("team/app")).ok());
  ASSERT_TRUE(store_->delete_repository("team/app", false).ok());
  EXPECT_TRUE(store_->list_provisioned_repositories()->empty());
  // A repository created by hand is not provisioned.
  EXPECT_TRUE(*store_->repository_exists("team/hand-made"));
}

TEST_P(MetadataStoreSuite, RecordsWhatWasPublished) {
  EXPECT_TRUE(store_->list_published()->empty());
  ASSERT_TRUE(store_->put_published(published(PublishedKind::github_secret, "org/app", "ECR_ROLE_TO_ASSUME")).ok());
  ASSERT_TRUE(store_->put_published(published(PublishedKind::github_variable, "org/app/prod", "ECR_REGION")).ok());
  ASSERT_TRUE(store_->put_published(published(PublishedKind::config_map, "ns", "app-circleci")).ok());
  ASSERT_TRUE(store_->put_published(published(PublishedKind::role, "", "berth-ecr-1-github")).ok());
  // Same name, another kind or scope: separate records.
  ASSERT_TRUE(store_->put_published(published(PublishedKind::github_variable, "org/app", "ECR_REGION")).ok());
  ASSERT_TRUE(
      store_->put_published(published(PublishedKind::github_secret, "org/app", "ECR_ROLE_TO_ASSUME", "bb")).ok());

  auto listed = store_->list_published();
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 5u);
  EXPECT_EQ((*listed)[0].kind, PublishedKind::role);
  EXPECT_EQ((*listed)[0].name, "berth-ecr-1-github");
  EXPECT_EQ((*listed)[1].kind, PublishedKind::github_variable);
  EXPECT_EQ((*listed)[1].scope, "org/app");
  EXPECT_EQ((*listed)[2].scope, "org/app/prod");
  EXPECT_EQ((*listed)[3].kind, PublishedKind::github_secret);
  EXPECT_EQ((*listed)[3].value_sha256, "bb");
  EXPECT_EQ((*listed)[3].repository, "team/app");
  EXPECT_GT((*listed)[3].updated_unix, 0);
  EXPECT_EQ((*listed)[4].kind, PublishedKind::config_map);

  EXPECT_TRUE(*store_->delete_published(PublishedKind::github_variable, "org/app", "ECR_REGION"));
  EXPECT_FALSE(*store_->delete_published(PublishedKind::github_variable, "org/app", "ECR_REGION"));
  EXPECT_FALSE(*store_->delete_published(PublishedKind::github_secret, "org/app/prod", "ECR_REGION"));
  auto reopened = backend_->open();
  EXPECT_EQ(reopened->list_published()->size(), 4u);
}

}  // namespace
}  // namespace berth::metadata

// Repository lifecycle policies, their evaluation times and previews, and settings updates, as part
// of the suite every MetadataStore backend must pass.
#include <string>
#include <vector>

#include "metadata_store_suite.hpp"

namespace berth::metadata {
namespace {

const Digest kImage = Hasher::of("image");

TEST_P(MetadataStoreSuite, KeepsOneLifecyclePolicyPerRepository) {
  EXPECT_FALSE(*store_->set_lifecycle_policy("team/app", "{}"));
  ASSERT_TRUE(store_->create_repository("team/app").ok());
  ASSERT_TRUE(store_->create_repository("team/api").ok());
  EXPECT_EQ(*store_->get_lifecycle_policy("team/app"), std::nullopt);
  ASSERT_TRUE(*store_->set_lifecycle_policy("team/app", R"({"rules":[1]})"));
  ASSERT_TRUE(*store_->set_lifecycle_policy("team/api", R"({"rules":[2]})"));
  ASSERT_TRUE(store_->record_lifecycle_evaluation("team/app", 1700000000).ok());
  ASSERT_TRUE(*store_->set_lifecycle_policy("team/app", R"({"rules":[3]})"));

  auto app = store_->get_lifecycle_policy("team/app");
  ASSERT_TRUE(app.ok() && app->has_value());
  EXPECT_EQ((*app)->text, R"({"rules":[3]})");
  EXPECT_EQ((*app)->evaluated_unix, 1700000000);
  auto listed = store_->list_lifecycle_policies("", 10);
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[0].repository, "team/api");
  EXPECT_EQ((*listed)[0].evaluated_unix, std::nullopt);
  EXPECT_EQ(store_->list_lifecycle_policies("team/api", 10)->size(), 1u);

  auto deleted = store_->delete_lifecycle_policy("team/app");
  ASSERT_TRUE(deleted.ok() && deleted->has_value());
  EXPECT_EQ((*deleted)->text, R"({"rules":[3]})");
  EXPECT_EQ(*store_->delete_lifecycle_policy("team/app"), std::nullopt);
  EXPECT_EQ(*store_->get_lifecycle_policy("team/app"), std::nullopt);
  EXPECT_EQ(store_->list_lifecycle_policies("", 10)->size(), 1u);
}

TEST_P(MetadataStoreSuite, KeepsTheLastLifecyclePreview) {
  LifecyclePreview preview{"team/app", R"({"rules":[]})", {{kImage, {"v1", "v2"}, 1700000000, 3}}, 0};
  EXPECT_EQ(store_->put_lifecycle_preview(preview).error().code, ErrorCode::name_unknown);
  ASSERT_TRUE(store_->create_repository("team/app").ok());
  EXPECT_EQ(*store_->get_lifecycle_preview("team/app"), std::nullopt);
  ASSERT_TRUE(store_->put_lifecycle_preview(preview).ok());
  auto stored = store_->get_lifecycle_preview("team/app");
  ASSERT_TRUE(stored.ok() && stored->has_value());
  EXPECT_EQ((*stored)->policy_text, preview.policy_text);
  ASSERT_EQ((*stored)->expiries.size(), 1u);
  EXPECT_EQ((*stored)->expiries[0].digest, kImage);
  EXPECT_EQ((*stored)->expiries[0].tags, (std::vector<std::string>{"v1", "v2"}));
  EXPECT_EQ((*stored)->expiries[0].pushed_unix, 1700000000);
  EXPECT_EQ((*stored)->expiries[0].rule_priority, 3);

  preview.expiries.clear();
  ASSERT_TRUE(store_->put_lifecycle_preview(preview).ok());
  EXPECT_TRUE((*store_->get_lifecycle_preview("team/app"))->expiries.empty());
  ASSERT_TRUE(store_->delete_repository("team/app", true).ok());
  ASSERT_TRUE(store_->create_repository("team/app").ok());
  EXPECT_EQ(*store_->get_lifecycle_preview("team/app"), std::nullopt);
}

TEST_P(MetadataStoreSuite, UpdatesRepositorySettingsInOneStep) {
  auto missing = store_->update_repository_settings("team/app", [](RepositorySettings&) { return Status{}; });
  ASSERT_TRUE(missing.ok());
  EXPECT_EQ(*missing, std::nullopt);
  RepositorySettings settings;
  settings.tags = {{"owner", "team"}};
  ASSERT_TRUE(*store_->add_repository("team/app", settings));

  auto updated = store_->update_repository_settings("team/app", [](RepositorySettings& current) {
    current.tags.emplace_back("cost", "42");
    current.scan_on_push = true;
    return Status{};
  });
  ASSERT_TRUE(updated.ok() && updated->has_value());
  EXPECT_TRUE((*updated)->scan_on_push);
  EXPECT_EQ((*store_->get_repository("team/app"))->settings, **updated);

  auto refused = store_->update_repository_settings("team/app", [](RepositorySettings& current) -> Status {
    current.tags.clear();
    return make_error(ErrorCode::aws_too_many_tags, "no");
  });
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ((*store_->get_repository("team/app"))->settings.tags.size(), 2u);
}

TEST_P(MetadataStoreSuite, ProvisioningSetsTheRepositorysLifecyclePolicy) {
  ProvisionedRepository declared{"team/app", "{}", R"({"rules":[1]})", true, true, 0};
  ASSERT_TRUE(store_->put_provisioned_repository(declared).ok());
  EXPECT_EQ((*store_->get_lifecycle_policy("team/app"))->text, R"({"rules":[1]})");
  // Changed through the ECR API: the listing shows it, so the plan can put the declaration back.
  ASSERT_TRUE(*store_->set_lifecycle_policy("team/app", R"({"rules":[2]})"));
  EXPECT_EQ(store_->list_provisioned_repositories()->front().lifecycle_policy, R"({"rules":[2]})");
  declared.lifecycle_policy.reset();
  ASSERT_TRUE(store_->put_provisioned_repository(declared).ok());
  EXPECT_EQ(*store_->get_lifecycle_policy("team/app"), std::nullopt);
}

}  // namespace
}  // namespace berth::metadata

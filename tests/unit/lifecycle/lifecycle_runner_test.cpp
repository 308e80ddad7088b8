// run_lifecycle over a real SQLite store: what `berth lifecycle run` and serve's schedule do.
#include "lifecycle/lifecycle_runner.hpp"

#include <gtest/gtest.h>

#include "metadata/sqlite_metadata_store.hpp"
#include "storage/scoped_temp_dir.hpp"

namespace berth::lifecycle {
namespace {

constexpr std::int64_t kNow = 1'800'000'000;
constexpr std::int64_t kDay = 86'400;
constexpr std::string_view kImage = "application/vnd.oci.image.manifest.v1+json";
constexpr std::string_view kIndex = "application/vnd.oci.image.index.v1+json";

constexpr const char* kKeepTwoReleasesAndOneUntagged = R"({"rules": [
  {"rulePriority": 1, "description": "two releases",
   "selection": {"tagStatus": "tagged", "tagPrefixList": ["v"], "countType": "imageCountMoreThan", "countNumber": 2},
   "action": {"type": "expire"}},
  {"rulePriority": 2, "description": "one untagged",
   "selection": {"tagStatus": "untagged", "countType": "imageCountMoreThan", "countNumber": 1},
   "action": {"type": "expire"}}]})";

class LifecycleRunner : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = metadata::SqliteMetadataStore::open(dir_.path() / "berth.db");
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    store_ = std::move(*opened);
    metadata::ProvisionedRepository declared;
    declared.name = "team/app";
    declared.lifecycle_policy = kKeepTwoReleasesAndOneUntagged;
    ASSERT_TRUE(store_->put_provisioned_repository(declared).ok());
    ASSERT_TRUE(store_->create_repository("team/other").ok());
  }

  Digest put(std::string_view repository, const std::string& content, std::optional<std::string_view> tag,
             std::int64_t days_ago, std::string_view media_type = kImage,
             std::vector<metadata::ManifestReference> references = {}, std::optional<Digest> subject = {}) {
    const Digest digest = Hasher::of(content);
    const metadata::ManifestRecord record{std::string(repository), digest, std::string(media_type), content,
                                          std::move(subject), "", "", kNow - days_ago * kDay, std::nullopt};
    EXPECT_TRUE(store_->put_manifest(record, references, tag).ok());
    return digest;
  }

  bool present(std::string_view repository, const Digest& digest) {
    return store_->manifest_exists(repository, digest).value();
  }

  test::ScopedTempDir dir_;
  std::unique_ptr<metadata::SqliteMetadataStore> store_;
};

TEST_F(LifecycleRunner, ExpiresWhatThePolicySaysDeletesItAndAuditsEachImage) {
  const Digest v1 = put("team/app", "v1", "v1", 30);
  const Digest v2 = put("team/app", "v2", "v2", 20);
  const Digest v3 = put("team/app", "v3", "v3", 10);
  const Digest old_untagged = put("team/app", "u1", std::nullopt, 9);
  const Digest new_untagged = put("team/app", "u2", std::nullopt, 1);
  const Digest elsewhere = put("team/other", "v0", "v0", 99);

  auto outcomes = run_lifecycle(*store_, {std::nullopt, false, kNow});
  ASSERT_TRUE(outcomes.ok()) << outcomes.error().message;
  ASSERT_EQ(outcomes->size(), 1u);
  const RepositoryOutcome& outcome = outcomes->front();
  EXPECT_EQ(outcome.repository, "team/app");
  EXPECT_EQ(outcome.images, 5u);
  ASSERT_EQ(outcome.expired.size(), 2u);
  EXPECT_EQ(outcome.expired[0].digest, v1);
  EXPECT_EQ(outcome.expired[0].rule_priority, 1);
  EXPECT_EQ(outcome.expired[1].digest, old_untagged);
  EXPECT_EQ(outcome.expired[1].rule_priority, 2);

  EXPECT_FALSE(present("team/app", v1));
  EXPECT_FALSE(store_->resolve_tag("team/app", "v1").value().has_value());
  EXPECT_FALSE(present("team/app", old_untagged));
  EXPECT_TRUE(present("team/app", v2));
  EXPECT_TRUE(present("team/app", v3));
  EXPECT_TRUE(present("team/app", new_untagged));
  EXPECT_TRUE(present("team/other", elsewhere));

  auto events = store_->list_audit_events({});
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->size(), 2u);
  EXPECT_EQ((*events)[0].action, "lifecycle:ExpireImage");
  EXPECT_EQ((*events)[0].repository, "team/app");
  EXPECT_EQ((*events)[0].digest, v1.str());
  EXPECT_EQ((*events)[0].reference, "v1");
  EXPECT_EQ((*events)[0].claims_json,
            R"({"rule":1,"reason":"number 3 by push time of the 3 images the rule selects; it keeps the newest 2"})");
  EXPECT_EQ((*events)[1].reference, "");

  // Nothing more to expire: a second run changes nothing.
  auto again = run_lifecycle(*store_, {std::string("team/app"), false, kNow});
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->front().expired.empty());
}

TEST_F(LifecycleRunner, DryRunReportsAndChangesNothing) {
  const Digest v1 = put("team/app", "v1", "v1", 30);
  put("team/app", "v2", "v2", 20);
  put("team/app", "v3", "v3", 10);
  auto outcomes = run_lifecycle(*store_, {std::string("team/app"), true, kNow});
  ASSERT_TRUE(outcomes.ok());
  ASSERT_EQ(outcomes->front().expired.size(), 1u);
  EXPECT_EQ(outcomes->front().expired[0].digest, v1);
  EXPECT_TRUE(present("team/app", v1));
  EXPECT_TRUE(store_->list_audit_events({}).value().empty());
}

TEST_F(LifecycleRunner, AKeptIndexKeepsItsUntaggedChildrenAndItsReferrers) {
  const Digest amd64 = put("team/app", "amd64", std::nullopt, 5);
  const Digest arm64 = put("team/app", "arm64", std::nullopt, 5);
  put("team/app", "index", "v1", 5, kIndex,
      {{amd64, metadata::ReferenceKind::manifest}, {arm64, metadata::ReferenceKind::manifest}});
  const Digest signature = put("team/app", "signature", std::nullopt, 4, kImage, {}, Hasher::of("index"));
  const Digest stray = put("team/app", "stray", std::nullopt, 3);

  auto images = lifecycle_images(*store_, "team/app");
  ASSERT_TRUE(images.ok());
  std::size_t dependents = 0;
  for (const LifecycleImage& image : *images) dependents += image.dependent ? 1 : 0;
  EXPECT_EQ(dependents, 3u);

  auto outcomes = run_lifecycle(*store_, {std::string("team/app"), false, kNow});
  ASSERT_TRUE(outcomes.ok());
  // Only `stray` is an untagged image of its own, and the policy keeps one.
  EXPECT_TRUE(outcomes->front().expired.empty());
  EXPECT_TRUE(present("team/app", amd64));
  EXPECT_TRUE(present("team/app", arm64));
  EXPECT_TRUE(present("team/app", signature));
  EXPECT_TRUE(present("team/app", stray));
}

TEST_F(LifecycleRunner, AppliesAPolicySetOnTheRepositoryAndRecordsWhenItRan) {
  ASSERT_TRUE(*store_->set_lifecycle_policy("team/other", kKeepTwoReleasesAndOneUntagged));
  const Digest old_release = put("team/other", "o1", "v1", 30);
  put("team/other", "o2", "v2", 20);
  put("team/other", "o3", "v3", 10);

  auto outcomes = run_lifecycle(*store_, {std::nullopt, false, kNow});
  ASSERT_TRUE(outcomes.ok());
  ASSERT_EQ(outcomes->size(), 2u);
  EXPECT_EQ((*outcomes)[1].repository, "team/other");
  EXPECT_FALSE(present("team/other", old_release));
  EXPECT_EQ((*store_->get_lifecycle_policy("team/other"))->evaluated_unix, kNow);
  EXPECT_EQ((*store_->get_lifecycle_policy("team/app"))->evaluated_unix, kNow);
}

TEST_F(LifecycleRunner, ADryRunRecordsNoEvaluation) {
  ASSERT_TRUE(run_lifecycle(*store_, {std::nullopt, true, kNow}).ok());
  EXPECT_EQ((*store_->get_lifecycle_policy("team/app"))->evaluated_unix, std::nullopt);
}

TEST_F(LifecycleRunner, ARepositoryWithoutAPolicyIsNotFound) {
  auto outcome = run_lifecycle(*store_, {std::string("team/other"), false, kNow});
  ASSERT_FALSE(outcome.ok());
  EXPECT_EQ(outcome.error().code, ErrorCode::not_found);
  EXPECT_EQ(outcome.error().message, "repository team/other has no lifecycle policy");
}

}  // namespace
}  // namespace berth::lifecycle

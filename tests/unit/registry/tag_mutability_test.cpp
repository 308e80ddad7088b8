#include "registry/tag_mutability.hpp"

#include <gtest/gtest.h>

namespace berth::registry {
namespace {

using metadata::RepositorySettings;
using metadata::TagMutability;

RepositorySettings with(TagMutability mutability, std::vector<std::string> exclusions = {}) {
  RepositorySettings settings;
  settings.tag_mutability = mutability;
  settings.tag_mutability_exclusions = std::move(exclusions);
  return settings;
}

TEST(TagMutability, MutableAndImmutableIgnoreTheTag) {
  EXPECT_TRUE(tag_may_move(RepositorySettings{}, "latest"));
  EXPECT_TRUE(tag_may_move(with(TagMutability::mutable_tags), "v1"));
  EXPECT_FALSE(tag_may_move(with(TagMutability::immutable), "latest"));
  EXPECT_FALSE(tag_may_move(with(TagMutability::immutable), "v1"));
}

TEST(TagMutability, ImmutableWithExclusionLetsMatchingTagsMove) {
  const RepositorySettings settings = with(TagMutability::immutable_with_exclusion, {"latest", "dev-*", "*-snapshot"});
  EXPECT_TRUE(tag_may_move(settings, "latest"));
  EXPECT_TRUE(tag_may_move(settings, "dev-"));
  EXPECT_TRUE(tag_may_move(settings, "dev-1234"));
  EXPECT_TRUE(tag_may_move(settings, "1.0-snapshot"));
  EXPECT_FALSE(tag_may_move(settings, "latest2"));  // a filter matches the whole tag
  EXPECT_FALSE(tag_may_move(settings, "Latest"));   // case-sensitive
  EXPECT_FALSE(tag_may_move(settings, "prod-dev-1"));
  EXPECT_FALSE(tag_may_move(settings, "v1.0"));
}

TEST(TagMutability, MutableWithExclusionKeepsOnlyMatchingTags) {
  const RepositorySettings settings = with(TagMutability::mutable_with_exclusion, {"release-*", "v*.*.*"});
  EXPECT_FALSE(tag_may_move(settings, "release-1"));
  EXPECT_FALSE(tag_may_move(settings, "v1.2.3"));
  EXPECT_TRUE(tag_may_move(settings, "v1.2"));
  EXPECT_TRUE(tag_may_move(settings, "latest"));
  EXPECT_TRUE(tag_may_move(settings, "pre-release-1"));
}

TEST(TagMutability, TheErrorIsEcrsTagInvalid) {
  const Error error = immutable_tag("v1", "team/app");
  EXPECT_EQ(error.code, ErrorCode::tag_immutable);
  EXPECT_EQ(error.message,
            "The image tag 'v1' already exists in the 'team/app' repository and cannot be overwritten because the "
            "repository is immutable.");
}

}  // namespace
}  // namespace berth::registry

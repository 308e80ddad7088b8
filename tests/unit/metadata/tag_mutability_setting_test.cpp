#include "metadata/tag_mutability_setting.hpp"

#include <gtest/gtest.h>

namespace berth::metadata {
namespace {

std::string problem(const Status& status) { return status.ok() ? "accepted" : status.error().message; }

TEST(TagMutabilitySetting, NamesRoundTripAndNothingElseIsAMode) {
  for (const TagMutability mutability : kTagMutabilities) {
    EXPECT_EQ(tag_mutability_named(tag_mutability_name(mutability)), mutability);
  }
  EXPECT_EQ(tag_mutability_name(TagMutability::immutable_with_exclusion), "IMMUTABLE_WITH_EXCLUSION");
  EXPECT_EQ(tag_mutability_named("immutable"), std::nullopt);  // ECR is case-sensitive
  EXPECT_EQ(tag_mutability_named(""), std::nullopt);
  EXPECT_EQ(tag_mutability_named("FROZEN"), std::nullopt);
}

TEST(TagMutabilitySetting, FiltersAreWildcardsOverTagCharacters) {
  for (const std::string& filter : std::vector<std::string>{"a", "dev-*", "*", "v1.2_3", std::string(128, 'x')}) {
    EXPECT_EQ(problem(check_exclusion_filter(filter)), "accepted") << filter;
  }
  EXPECT_EQ(problem(check_exclusion_filter("")), "must have length between 1 and 128");
  EXPECT_EQ(problem(check_exclusion_filter(std::string(129, 'x'))), "must have length between 1 and 128");
  for (const std::string_view filter : {"v?", "a/b", "tag name", "ümlaut"}) {
    EXPECT_EQ(problem(check_exclusion_filter(filter)),
              "must satisfy regular expression pattern: ^[0-9a-zA-Z._*-]{1,128}")
        << filter;
  }
}

TEST(TagMutabilitySetting, OnlyTheExclusionModesTakeFilters) {
  for (const TagMutability mutability :
       {TagMutability::immutable_with_exclusion, TagMutability::mutable_with_exclusion}) {
    const std::string name(tag_mutability_name(mutability));
    EXPECT_EQ(problem(check_exclusion_filter_count(mutability, 1)), "accepted");
    EXPECT_EQ(problem(check_exclusion_filter_count(mutability, kMaxExclusionFilters)), "accepted");
    EXPECT_EQ(problem(check_exclusion_filter_count(mutability, 0)), "must list 1 to 5 filters for " + name);
    EXPECT_EQ(problem(check_exclusion_filter_count(mutability, kMaxExclusionFilters + 1)),
              "must list 1 to 5 filters for " + name);
  }
  EXPECT_EQ(problem(check_exclusion_filter_count(TagMutability::mutable_tags, 0)), "accepted");
  EXPECT_EQ(problem(check_exclusion_filter_count(TagMutability::immutable, 0)), "accepted");
  EXPECT_EQ(problem(check_exclusion_filter_count(TagMutability::mutable_tags, 1)),
            "is only allowed with MUTABLE_WITH_EXCLUSION");
  EXPECT_EQ(problem(check_exclusion_filter_count(TagMutability::immutable, 1)),
            "is only allowed with IMMUTABLE_WITH_EXCLUSION");
}

}  // namespace
}  // namespace berth::metadata

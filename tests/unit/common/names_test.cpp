#include "common/names.hpp"

#include <gtest/gtest.h>

#include <string>

namespace berth {
namespace {

TEST(RepositoryName, AcceptsTheSpecGrammar) {
  for (const char* name : {"a", "team/app", "a.b", "a_b", "a__b", "a-b", "a---b", "x/y/z", "0/9", "team/app-1.2_3"}) {
    EXPECT_TRUE(is_valid_repository_name(name)) << name;
  }
}

TEST(RepositoryName, RefusesEverythingElse) {
  for (const char* name : {"", "A", "team/App", "/a", "a/", "a//b", "..", "a/../b", "a/./b", ".a", "a.", "a___b",
                           "a_-b", "a-", "-a", "a b", "a%2fb", "a:b", "a\\b"}) {
    EXPECT_FALSE(is_valid_repository_name(name)) << name;
  }
  EXPECT_TRUE(is_valid_repository_name(std::string(255, 'a')));
  EXPECT_FALSE(is_valid_repository_name(std::string(256, 'a')));
}

TEST(Tag, FollowsTheSpecGrammar) {
  EXPECT_TRUE(is_valid_tag("latest"));
  EXPECT_TRUE(is_valid_tag("_x"));
  EXPECT_TRUE(is_valid_tag("V1.2.3-rc_1"));
  EXPECT_TRUE(is_valid_tag(std::string(128, 'a')));
  EXPECT_FALSE(is_valid_tag(std::string(129, 'a')));
  EXPECT_FALSE(is_valid_tag(""));
  EXPECT_FALSE(is_valid_tag(".x"));
  EXPECT_FALSE(is_valid_tag("-x"));
  EXPECT_FALSE(is_valid_tag("a/b"));
  EXPECT_FALSE(is_valid_tag("sha256:abc"));
}

}  // namespace
}  // namespace berth

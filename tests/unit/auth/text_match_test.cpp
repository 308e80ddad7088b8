#include "auth/text_match.hpp"

#include <gtest/gtest.h>

namespace berth::auth {
namespace {

TEST(WildcardMatch, LiteralPatternsMatchExactly) {
  EXPECT_TRUE(wildcard_match("ecr:PutImage", "ecr:PutImage", Case::sensitive));
  EXPECT_FALSE(wildcard_match("ecr:PutImage", "ecr:PutImages", Case::sensitive));
  EXPECT_FALSE(wildcard_match("ecr:PutImage", "ecr:PutImag", Case::sensitive));
  EXPECT_TRUE(wildcard_match("", "", Case::sensitive));
  EXPECT_FALSE(wildcard_match("", "a", Case::sensitive));
}

TEST(WildcardMatch, StarMatchesAnyRunIncludingSlashAndColon) {
  EXPECT_TRUE(wildcard_match("*", "", Case::sensitive));
  EXPECT_TRUE(wildcard_match("*", "anything/at:all", Case::sensitive));
  EXPECT_TRUE(wildcard_match("repo:org/a:*", "repo:org/a:ref:refs/heads/main", Case::sensitive));
  EXPECT_TRUE(wildcard_match("repo:org/a:*", "repo:org/a:", Case::sensitive));
  EXPECT_FALSE(wildcard_match("repo:org/a:*", "repo:org/ab:ref:refs/heads/main", Case::sensitive));
  EXPECT_TRUE(wildcard_match("a*b*c", "aXbYbZc", Case::sensitive));
  EXPECT_FALSE(wildcard_match("a*b*c", "aXbYbZ", Case::sensitive));
  EXPECT_TRUE(wildcard_match("**a", "bba", Case::sensitive));
}

TEST(WildcardMatch, QuestionMarkMatchesExactlyOneCharacter) {
  EXPECT_TRUE(wildcard_match("ab?d", "abcd", Case::sensitive));
  EXPECT_FALSE(wildcard_match("ab?d", "abd", Case::sensitive));
  EXPECT_FALSE(wildcard_match("ab?d", "abccd", Case::sensitive));
  // One character even when UTF-8 needs two bytes for it (U+00E9).
  EXPECT_TRUE(wildcard_match("caf?", "caf\xC3\xA9", Case::sensitive));
  EXPECT_FALSE(wildcard_match("caf??", "caf\xC3\xA9", Case::sensitive));
}

TEST(WildcardMatch, CaseSensitivityIsTheCallersChoice) {
  EXPECT_FALSE(wildcard_match("ecr:batch*", "ecr:BatchGetImage", Case::sensitive));
  EXPECT_TRUE(wildcard_match("ecr:batch*", "ecr:BatchGetImage", Case::insensitive));
  EXPECT_TRUE(wildcard_match("ECR:BATCHGETIMAG?", "ecr:BatchGetImage", Case::insensitive));
}

TEST(CaseInsensitive, EqualsAndOrderIgnoreAsciiCase) {
  EXPECT_TRUE(iequals("Token.Actions.GitHubUserContent.com:SUB", "token.actions.githubusercontent.com:sub"));
  EXPECT_FALSE(iequals("abc", "abd"));
  EXPECT_FALSE(iequals("abc", "abcd"));
  CaseInsensitiveLess less;
  EXPECT_FALSE(less("ABC", "abc"));
  EXPECT_FALSE(less("abc", "ABC"));
  EXPECT_TRUE(less("abc", "ABD"));
  EXPECT_TRUE(less("ab", "ABC"));
}

}  // namespace
}  // namespace berth::auth

#include "http/target.hpp"

#include <gtest/gtest.h>

namespace berth::http {
namespace {

TEST(TargetTest, SplitsPathAndRawQuery) {
  auto target = parse_target("/v2/team/repo/tags/list?n=10&last=a%2Fb");
  ASSERT_TRUE(target.ok());
  EXPECT_EQ(target->path, "/v2/team/repo/tags/list");
  EXPECT_EQ(target->raw_query, "n=10&last=a%2Fb");
}

TEST(TargetTest, DecodesPathButKeepsPlus) {
  auto target = parse_target("/a%20b/c%3Ad+e");
  ASSERT_TRUE(target.ok());
  EXPECT_EQ(target->path, "/a b/c:d+e");
  EXPECT_EQ(target->raw_query, "");
}

// An encoded '/' is data (RFC 3986 §2.2): decoding it would turn one path segment into two.
TEST(TargetTest, NeverDecodesAnEncodedSlashIntoASeparator) {
  EXPECT_EQ(parse_target("/v2/team%2fapp/tags/list")->path, "/v2/team%2fapp/tags/list");
  EXPECT_EQ(parse_target("/v2/team%2Fapp/manifests/x?n=1")->path, "/v2/team%2Fapp/manifests/x");
  EXPECT_EQ(*decode_path("a%2F%41"), "a%2FA");
}

TEST(TargetTest, RejectsNonOriginFormAndBadEscapes) {
  EXPECT_FALSE(parse_target("").ok());
  EXPECT_FALSE(parse_target("*").ok());
  EXPECT_FALSE(parse_target("http://host/path").ok());
  EXPECT_FALSE(parse_target("/a%2").ok());
  EXPECT_FALSE(parse_target("/a%zz").ok());
  EXPECT_FALSE(parse_target("/a%00b").ok());
  EXPECT_EQ(parse_target("/a%").error().code, ErrorCode::invalid_argument);
}

}  // namespace
}  // namespace berth::http

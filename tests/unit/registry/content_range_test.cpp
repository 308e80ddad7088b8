#include "registry/content_range.hpp"

#include <gtest/gtest.h>

namespace berth::registry {
namespace {

TEST(ParseContentRange, AcceptsTheOciGrammar) {
  auto range = parse_content_range("0-1023");
  ASSERT_TRUE(range.ok());
  EXPECT_EQ(range->first, 0u);
  EXPECT_EQ(range->last, 1023u);
  EXPECT_EQ(range->length(), 1024u);

  range = parse_content_range("5-5");
  ASSERT_TRUE(range.ok());
  EXPECT_EQ(range->length(), 1u);
}

TEST(ParseContentRange, RefusesEverythingElse) {
  for (std::string_view header :
       {"", "-", "1-", "-1", "5-4", " 0-1", "0-1 ", "0 - 1", "+0-1", "0-+1", "0-1/2", "bytes 0-1/2", "a-b", "0x1-2",
        "0-1-2", "bytes=10-19", "bytes=0-1023", "bytes 0-1023", "99999999999999999999-99999999999999999999", "0-9223372036854775808"}) {
    auto range = parse_content_range(header);
    ASSERT_FALSE(range.ok()) << header;
    EXPECT_EQ(range.error().code, ErrorCode::range_invalid) << header;
  }
}

TEST(UploadRangeValue, ReportsLastOffsetAndZeroForEmpty) {
  EXPECT_EQ(upload_range_value(0), "0-0");
  EXPECT_EQ(upload_range_value(1), "0-0");
  EXPECT_EQ(upload_range_value(1024), "0-1023");
}

}  // namespace
}  // namespace berth::registry

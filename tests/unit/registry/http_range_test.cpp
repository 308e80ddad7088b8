#include "registry/http_range.hpp"

#include <gtest/gtest.h>

namespace berth::registry {
namespace {

using Kind = RangeSelection::Kind;

void expect_partial(std::string_view header, std::uint64_t size, std::uint64_t offset, std::uint64_t length) {
  const RangeSelection range = select_range(header, size);
  EXPECT_EQ(range.kind, Kind::partial) << header;
  EXPECT_EQ(range.offset, offset) << header;
  EXPECT_EQ(range.length, length) << header;
}

TEST(SelectRange, NoHeaderSelectsEverything) { EXPECT_EQ(select_range(std::nullopt, 10).kind, Kind::full); }

TEST(SelectRange, ClosedOpenAndSuffixRanges) {
  expect_partial("bytes=2-5", 10, 2, 4);
  expect_partial("bytes=0-0", 10, 0, 1);
  expect_partial("bytes=7-", 10, 7, 3);
  expect_partial("bytes=-3", 10, 7, 3);
  expect_partial(" BYTES = 1 - 2 ", 10, 1, 2);
}

TEST(SelectRange, ClampsPastTheEnd) {
  expect_partial("bytes=8-100", 10, 8, 2);
  expect_partial("bytes=-100", 10, 0, 10);
  expect_partial("bytes=9-99999999999999999999999999", 10, 9, 1);
}

TEST(SelectRange, StartAtOrPastTheEndIsUnsatisfiable) {
  EXPECT_EQ(select_range("bytes=10-", 10).kind, Kind::unsatisfiable);
  EXPECT_EQ(select_range("bytes=10-20", 10).kind, Kind::unsatisfiable);
  EXPECT_EQ(select_range("bytes=99999999999999999999999-", 10).kind, Kind::unsatisfiable);
  EXPECT_EQ(select_range("bytes=0-", 0).kind, Kind::unsatisfiable);
  EXPECT_EQ(select_range("bytes=-0", 10).kind, Kind::unsatisfiable);
}

TEST(SelectRange, IgnoresWhatItDoesNotServe) {
  for (std::string_view header : {"bytes=0-1,3-4", "items=0-1", "bytes 0-1", "bytes=5-2", "bytes=a-b", "bytes=-",
                                  "bytes=", "bytes", "bytes=1", "bytes=+1-2", "bytes=--1"}) {
    EXPECT_EQ(select_range(header, 10).kind, Kind::full) << header;
  }
  EXPECT_EQ(select_range("bytes=-5", 0).kind, Kind::full);
}

TEST(ContentRangeValue, FormatsPartialAndUnsatisfiable) {
  EXPECT_EQ(content_range_value(select_range("bytes=2-5", 10), 10), "bytes 2-5/10");
  EXPECT_EQ(content_range_value(select_range("bytes=-1", 10), 10), "bytes 9-9/10");
  EXPECT_EQ(content_range_value(select_range("bytes=11-", 10), 10), "bytes */10");
}

}  // namespace
}  // namespace berth::registry

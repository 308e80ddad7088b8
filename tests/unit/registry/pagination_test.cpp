#include "registry/pagination.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace berth::registry {
namespace {

Result<PageRequest> parse(std::string_view query) { return parse_page_request(http::Query::parse(query), 100, 1000); }

// A sorted list served like a MetadataStore listing, counting the queries.
struct ListSource {
  std::vector<std::string> names;
  int queries = 0;

  PageSource source() {
    return [this](std::string_view after, std::size_t limit) -> Result<std::vector<std::string>> {
      ++queries;
      auto begin = std::upper_bound(names.begin(), names.end(), after,
                                    [](std::string_view a, const std::string& b) { return a < b; });
      std::vector<std::string> out;
      for (auto it = begin; it != names.end() && out.size() < limit; ++it) out.push_back(*it);
      return out;
    };
  }
};

TEST(ParsePageRequest, DefaultsCapsAndLast) {
  auto none = parse("");
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->limit, 100u);
  EXPECT_EQ(none->last, "");

  auto given = parse("n=7&last=v1.0");
  ASSERT_TRUE(given.ok());
  EXPECT_EQ(given->limit, 7u);
  EXPECT_EQ(given->last, "v1.0");

  EXPECT_EQ(parse("n=0")->limit, 0u);
  EXPECT_EQ(parse("n=1000")->limit, 1000u);
  EXPECT_EQ(parse("n=1001")->limit, 1000u);
  EXPECT_EQ(parse("n=99999999999999999999999")->limit, 1000u);
  EXPECT_EQ(parse("last=team%2Fapp")->last, "team/app");
}

TEST(ParsePageRequest, RefusesAnythingButANonNegativeInteger) {
  for (std::string_view query : {"n=", "n=-1", "n=abc", "n=1.5", "n=+3", "n=%201", "n=1x", "n=0x10"}) {
    auto request = parse(query);
    ASSERT_FALSE(request.ok()) << query;
    EXPECT_EQ(request.error().code, ErrorCode::pagination_number_invalid) << query;
  }
}

TEST(CollectPage, PagesThroughAListAndSignalsMore) {
  ListSource list{{"a", "b", "c", "d", "e"}};
  auto first = collect_page({2, ""}, list.source());
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->items, (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(first->more);

  auto middle = collect_page({2, "b"}, list.source());
  EXPECT_EQ(middle->items, (std::vector<std::string>{"c", "d"}));
  EXPECT_TRUE(middle->more);

  auto last = collect_page({2, "d"}, list.source());
  EXPECT_EQ(last->items, (std::vector<std::string>{"e"}));
  EXPECT_FALSE(last->more);

  auto exact = collect_page({5, ""}, list.source());
  EXPECT_EQ(exact->items.size(), 5u);
  EXPECT_FALSE(exact->more);

  auto after_end = collect_page({5, "zzz"}, list.source());
  EXPECT_TRUE(after_end->items.empty());
  EXPECT_FALSE(after_end->more);
}

TEST(CollectPage, ZeroLimitReadsNothing) {
  ListSource list{{"a"}};
  auto page = collect_page({0, ""}, list.source());
  ASSERT_TRUE(page.ok());
  EXPECT_TRUE(page->items.empty());
  EXPECT_FALSE(page->more);
  EXPECT_EQ(list.queries, 0);
}

TEST(CollectPage, FilterCountsOnlyKeptNamesAcrossBatches) {
  ListSource list;
  for (int i = 0; i < 1000; ++i) {
    char name[16];
    std::snprintf(name, sizeof name, "r%04d", i);
    list.names.push_back(name);
  }
  // Keep every 100th name: the page must read well past the first batch.
  PageFilter keep = [](std::string_view name) { return name.ends_with("00"); };
  auto page = collect_page({3, ""}, list.source(), keep);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->items, (std::vector<std::string>{"r0000", "r0100", "r0200"}));
  EXPECT_TRUE(page->more);
  EXPECT_GT(list.queries, 1);

  auto tail = collect_page({3, "r0800"}, list.source(), keep);
  EXPECT_EQ(tail->items, (std::vector<std::string>{"r0900"}));
  EXPECT_FALSE(tail->more);
}

TEST(CollectPage, SourceErrorsPropagate) {
  PageSource failing = [](std::string_view, std::size_t) -> Result<std::vector<std::string>> {
    return make_error(ErrorCode::internal, "disk on fire");
  };
  auto page = collect_page({3, ""}, failing);
  ASSERT_FALSE(page.ok());
  EXPECT_EQ(page.error().code, ErrorCode::internal);
}

TEST(NextPageLink, EncodesLast) {
  EXPECT_EQ(next_page_link("/v2/team/app/tags/list", 2, "v1.0_rc-1"),
            "</v2/team/app/tags/list?n=2&last=v1.0_rc-1>; rel=\"next\"");
  EXPECT_EQ(next_page_link("/v2/_catalog", 10, "team/app"), "</v2/_catalog?n=10&last=team%2Fapp>; rel=\"next\"");
}

}  // namespace
}  // namespace berth::registry

// Page tokens, page collection and batched walks of store listings.
#include "aws/ecr_paging.hpp"

#include <gtest/gtest.h>

#include <fmt/format.h>

#include <algorithm>

namespace berth::aws {
namespace {

Result<PageRequest> page_of(const nlohmann::json& body, std::string_view listing = "ListImages") {
  auto input = EcrJsonInput::parse(body.dump(), {"maxResults", "nextToken", "imageIds"});
  EXPECT_TRUE(input.ok());
  return read_page_request(*input, listing);
}

TEST(EcrPaging, DefaultsToAHundred) {
  auto page = page_of(nlohmann::json::object());
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->limit, 100u);
  EXPECT_EQ(page->position, "");
  EXPECT_EQ(page_of({{"maxResults", 1000}})->limit, 1000u);
  EXPECT_FALSE(page_of({{"maxResults", 1001}}).ok());
  EXPECT_FALSE(page_of({{"maxResults", 0}}).ok());
}

TEST(EcrPaging, TokensCarryTheirListingAndPosition) {
  const std::string token = encode_next_token("ListImages", "sha256:ab v1");
  EXPECT_EQ(token.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
            std::string::npos);
  auto page = page_of({{"nextToken", token}});
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->position, "sha256:ab v1");
  auto elsewhere = page_of({{"nextToken", token}}, "DescribeImages");
  ASSERT_FALSE(elsewhere.ok());
  EXPECT_EQ(elsewhere.error().code, ErrorCode::aws_validation_error);
  for (std::string bad :
       {std::string(), std::string("!!"), std::string("TGlzdEltYWdlcw"), encode_next_token("ListImages", "")}) {
    EXPECT_FALSE(page_of({{"nextToken", bad}}).ok()) << bad;
  }
}

TEST(EcrPaging, ExplicitListsAndPagingExcludeEachOther) {
  auto input = EcrJsonInput::parse(R"({"imageIds":[],"nextToken":"x"})", {"imageIds", "nextToken"});
  ASSERT_TRUE(input.ok());
  EXPECT_FALSE(check_not_paged(*input, "imageIds").ok());
  auto alone = EcrJsonInput::parse(R"({"nextToken":"x"})", {"imageIds", "nextToken"});
  EXPECT_TRUE(check_not_paged(*alone, "imageIds").ok());
}

TEST(EcrPaging, ABuilderSignalsAFollowingPageOnlyWhenAnItemWasRefused) {
  PageBuilder full("L", 2);
  EXPECT_TRUE(full.add(1, "a"));
  EXPECT_TRUE(full.add(2, "b"));
  nlohmann::json exact = nlohmann::json::object();
  std::move(full).finish(exact, "items");
  EXPECT_EQ(exact, nlohmann::json::parse(R"({"items":[1,2]})"));

  PageBuilder more("L", 2);
  more.add(1, "a");
  more.add(2, "b");
  EXPECT_FALSE(more.add(3, "c"));
  nlohmann::json output = nlohmann::json::object();
  std::move(more).finish(output, "items");
  EXPECT_EQ(output["items"], nlohmann::json::parse("[1,2]"));
  EXPECT_EQ(output["nextToken"], encode_next_token("L", "b"));
}

TEST(EcrPaging, WalksAListingInBatches) {
  std::vector<std::string> names;
  for (int i = 0; i < 600; ++i) names.push_back(fmt::format("{:04}", i));
  int calls = 0;
  auto source = [&](std::string_view after, std::size_t limit) -> Result<std::vector<std::string>> {
    ++calls;
    std::vector<std::string> batch;
    for (const auto& name : names) {
      if (name > after && batch.size() < limit) batch.push_back(name);
    }
    return batch;
  };
  auto key = [](const std::string& name) { return name; };

  std::vector<std::string> seen;
  ASSERT_TRUE(walk_listing("0099", source, key, [&](std::string& name) {
                seen.push_back(std::move(name));
                return true;
              }).ok());
  EXPECT_EQ(seen, std::vector<std::string>(names.begin() + 100, names.end()));
  EXPECT_EQ(calls, 2);  // 256, then 244 ends the listing

  seen.clear();
  ASSERT_TRUE(walk_listing("", source, key, [&](std::string& name) {
                seen.push_back(name);
                return seen.size() < 300;
              }).ok());
  EXPECT_EQ(seen.size(), 300u);

  Status failed = walk_listing(
      "", source, key, [](std::string&) -> Result<bool> { return make_error(ErrorCode::internal, "store failed"); });
  EXPECT_FALSE(failed.ok());
}

}  // namespace
}  // namespace berth::aws

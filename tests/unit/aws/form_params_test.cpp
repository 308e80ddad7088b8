#include "aws/form_params.hpp"

#include <gtest/gtest.h>

namespace berth::aws {
namespace {

TEST(FormParams, DecodesPlusAsSpaceAndPercentEscapes) {
  Result<FormParams> params = FormParams::parse("Action=Get+It&Policy=%7B%22a%22%3A+1%7D&Name%2B=x%2By");
  ASSERT_TRUE(params.ok()) << params.error().message;
  EXPECT_EQ(params->get("Action"), "Get It");
  EXPECT_EQ(params->get("Policy"), R"({"a": 1})");
  EXPECT_EQ(params->get("Name+"), "x+y");
}

TEST(FormParams, FirstValueWinsAndEmptyPairsAreSkipped) {
  Result<FormParams> params = FormParams::parse("&a=1&&a=2&b&c=");
  ASSERT_TRUE(params.ok());
  EXPECT_EQ(params->get("a"), "1");
  EXPECT_EQ(params->get("b"), "");
  EXPECT_EQ(params->get("c"), "");
  EXPECT_FALSE(params->has("d"));
  EXPECT_EQ(params->all().size(), 4u);
}

TEST(FormParams, NamesAreCaseSensitive) {
  Result<FormParams> params = FormParams::parse("action=x");
  ASSERT_TRUE(params.ok());
  EXPECT_FALSE(params->has("Action"));
}

TEST(FormParams, FindsListMembersByPrefix) {
  Result<FormParams> params = FormParams::parse("PolicyArns.member.1.arn=arn%3Aaws%3Aiam%3A%3Aaws%3Apolicy%2Fx");
  ASSERT_TRUE(params.ok());
  EXPECT_TRUE(params->has_prefix("PolicyArns."));
  EXPECT_FALSE(params->has_prefix("Tags."));
}

TEST(FormParams, RefusesMalformedEscapes) {
  for (const char* bad : {"a=%", "a=%4", "a=%zz", "%g1=b"}) {
    Result<FormParams> params = FormParams::parse(bad);
    ASSERT_FALSE(params.ok()) << bad;
    EXPECT_EQ(params.error().code, ErrorCode::invalid_argument);
  }
}

}  // namespace
}  // namespace berth::aws

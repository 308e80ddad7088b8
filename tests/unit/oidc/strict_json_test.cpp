#include "oidc/strict_json.hpp"

#include <gtest/gtest.h>

namespace berth::oidc {
namespace {

TEST(StrictJson, ParsesObjects) {
  auto value = parse_json_object(R"({"a": {"b": [ {"b": 1}, {"b": 2} ]}, "b": "x"})");
  ASSERT_TRUE(value.ok()) << value.error().message;
  EXPECT_EQ((*value)["a"]["b"][1]["b"], 2);  // equal names in different objects are fine
}

TEST(StrictJson, RefusesDuplicateMemberNamesAtAnyDepth) {
  for (std::string_view text : {R"({"a": 1, "a": 1})", R"({"a": {"b": 1, "b": 2}})", R"({"a": [{"c": 1, "c": 1}]})",
                                R"({"a": 1, "\u0061": 2})"}) {
    auto value = parse_json_object(text);
    ASSERT_FALSE(value.ok()) << text;
    EXPECT_EQ(value.error().code, ErrorCode::invalid_argument);
    EXPECT_NE(value.error().message.find("duplicate"), std::string::npos);
  }
}

TEST(StrictJson, RefusesNonObjectsAndMalformedText) {
  for (std::string_view text : {"[]", "\"x\"", "1", "null", "", "{", "{\"a\":1,}", "{} {}", "{\"a\": \"\xff\"}"}) {
    auto value = parse_json_object(text);
    ASSERT_FALSE(value.ok()) << text;
    EXPECT_EQ(value.error().code, ErrorCode::invalid_argument);
  }
}

}  // namespace
}  // namespace berth::oidc

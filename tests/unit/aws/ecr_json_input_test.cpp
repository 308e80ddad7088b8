// Strict reading of ECR JSON request bodies.
#include "aws/ecr_json_input.hpp"

#include <gtest/gtest.h>

namespace berth::aws {
namespace {

std::string refusal_of(const Error& error) {
  EXPECT_EQ(error.code, ErrorCode::aws_validation_error);
  return error.message;
}

TEST(EcrJsonInput, ReadsDeclaredMembers) {
  auto input = EcrJsonInput::parse(R"({"name":"a","count":5,"list":["x","y"],"object":{"inner":"z"},
      "objects":[{"inner":"1"},{"inner":null}],"nothing":null})",
                                   {"name", "count", "list", "object", "objects", "nothing", "absent"});
  ASSERT_TRUE(input.ok()) << input.error().message;
  EXPECT_EQ(*input->required_string("name"), "a");
  EXPECT_EQ(*input->integer("count", 1, 10), std::optional<std::int64_t>(5));
  EXPECT_EQ(**input->strings("list", 1, 2), (std::vector<std::string>{"x", "y"}));
  auto object = input->object("object", {"inner"});
  ASSERT_TRUE(object.ok());
  EXPECT_EQ(*(*object)->string("inner"), std::optional<std::string>("z"));
  auto objects = input->objects("objects", {"inner"}, 1, 2);
  ASSERT_TRUE(objects.ok());
  ASSERT_EQ((*objects)->size(), 2u);
  EXPECT_EQ(*(**objects)[0].string("inner"), std::optional<std::string>("1"));
  EXPECT_FALSE((**objects)[1].string("inner")->has_value());
  EXPECT_FALSE(input->has("nothing"));
  EXPECT_FALSE(input->string("absent")->has_value());
  EXPECT_FALSE(input->integer("absent", 0, 1)->has_value());
  EXPECT_FALSE(input->strings("absent", 1, 1)->has_value());
  EXPECT_FALSE(input->object("absent", {})->has_value());
  EXPECT_FALSE(input->objects("absent", {}, 1, 1)->has_value());
}

TEST(EcrJsonInput, AnEmptyBodyIsAnEmptyObject) {
  auto input = EcrJsonInput::parse("", {"registryIds"});
  ASSERT_TRUE(input.ok());
  EXPECT_FALSE(input->has("registryIds"));
}

TEST(EcrJsonInput, RefusesWhatIsNotAnObjectOfDeclaredMembers) {
  for (std::string_view body : {"[]", "\"text\"", "{", R"({"a":1,"a":2})", R"({"b":1})", R"({"a":{"x":1,"x":1}})"}) {
    auto input = EcrJsonInput::parse(body, {"a"});
    ASSERT_FALSE(input.ok()) << body;
    EXPECT_EQ(input.error().code, ErrorCode::aws_validation_error);
  }
  EXPECT_EQ(refusal_of(EcrJsonInput::parse(R"({"b":1})", {"a"}).error()),
            "Invalid parameter at 'b' failed to satisfy constraint: 'Member is not supported by this operation'");
}

TEST(EcrJsonInput, RefusesWrongTypesAndSizesWithTheMembersPath) {
  auto input = EcrJsonInput::parse(R"({"s":1,"i":"1","f":1.5,"big":18446744073709551615,"l":["a",2],"o":[],
      "os":[{"inner":1},{"bad":1}],"n":-1})",
                                   {"s", "i", "f", "big", "l", "o", "os", "n"});
  ASSERT_TRUE(input.ok());
  EXPECT_EQ(refusal_of(input->string("s").error()),
            "Invalid parameter at 's' failed to satisfy constraint: 'Member must be a string'");
  EXPECT_FALSE(input->integer("i", 0, 10).ok());
  EXPECT_FALSE(input->integer("f", 0, 10).ok());
  EXPECT_EQ(
      refusal_of(input->integer("big", 0, 10).error()),
      "Invalid parameter at 'big' failed to satisfy constraint: 'Member must have value less than or equal to 10'");
  EXPECT_EQ(
      refusal_of(input->integer("n", 0, 10).error()),
      "Invalid parameter at 'n' failed to satisfy constraint: 'Member must have value greater than or equal to 0'");
  EXPECT_FALSE(input->strings("l", 1, 5).ok());
  EXPECT_FALSE(input->strings("l", 3, 5).ok());
  EXPECT_FALSE(input->strings("l", 0, 1).ok());
  EXPECT_FALSE(input->object("o", {}).ok());
  EXPECT_FALSE(input->required_string("missing").ok());
  auto objects = input->objects("os", {"inner"}, 1, 5);
  ASSERT_FALSE(objects.ok());
  EXPECT_EQ(
      refusal_of(objects.error()),
      "Invalid parameter at 'os[1].bad' failed to satisfy constraint: 'Member is not supported by this operation'");
  auto typed = input->objects("os", {"inner", "bad"}, 1, 5);
  ASSERT_TRUE(typed.ok());
  EXPECT_EQ(refusal_of((**typed)[0].string("inner").error()),
            "Invalid parameter at 'os[0].inner' failed to satisfy constraint: 'Member must be a string'");
}

}  // namespace
}  // namespace berth::aws

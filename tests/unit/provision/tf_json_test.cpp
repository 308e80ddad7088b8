#include "provision/tf_json.hpp"

#include <gtest/gtest.h>

#include "hcl/evaluator.hpp"

namespace berth::provision {
namespace {

TEST(ProvisionTfJson, TemplatesKeepEscapesAndPositionsCountCodePoints) {
  const std::string text =
      "{\"module\": {\"ecr\": {\n\"é\": 1, \"a\": \"say \\\"${var.x}\\\"\\n\", \"b\": \"$${literal}\"}}}";
  auto body = parse_tf_json(text, "m.tf.json");
  ASSERT_TRUE(body.ok()) << body.error().message;
  ASSERT_EQ(body->blocks.size(), 1u);
  const hcl::Body& module = body->blocks[0].body;
  ASSERT_EQ(module.attributes.size(), 3u);
  hcl::Scope scope;
  scope.variables["x"] = "hi";
  const hcl::Attribute& a = module.attributes[1];
  EXPECT_EQ(hcl::to_string(a.position), "m.tf.json:2:9");  // "é" is one column
  EXPECT_EQ(hcl::to_string(a.expression.position), "m.tf.json:2:14");
  auto value = hcl::evaluate(a.expression, scope);
  ASSERT_TRUE(value.ok()) << value.error().message;
  EXPECT_EQ(*value, "say \"hi\"\n");
  auto literal = hcl::evaluate(module.attributes[2].expression, scope);
  ASSERT_TRUE(literal.ok()) << literal.error().message;
  EXPECT_EQ(*literal, "${literal}");
}

TEST(ProvisionTfJson, NumbersDoNotShiftLaterPositions) {
  auto body = parse_tf_json("{\"locals\": {\"n\": 10,\n  \"s\": [1.5, \"${var.y}\"]}}", "l.tf.json");
  ASSERT_TRUE(body.ok()) << body.error().message;
  const hcl::Attribute& s = body->blocks.at(0).body.attributes.at(1);
  EXPECT_EQ(hcl::to_string(s.position), "l.tf.json:2:3");
  const auto& list = std::get<hcl::List>(s.expression.node);
  EXPECT_EQ(hcl::to_string(list.elements.at(0).position), "l.tf.json:2:9");
  EXPECT_EQ(hcl::to_string(list.elements.at(1).position), "l.tf.json:2:14");
}

TEST(ProvisionTfJson, UnsupportedTemplateExpressionsFailWhenEvaluated) {
  auto body = parse_tf_json(R"({"module": {"m": {"a": "${upper(var.x)}"}}})", "f.tf.json");
  ASSERT_TRUE(body.ok()) << body.error().message;
  auto value = hcl::evaluate(body->blocks.at(0).body.attributes.at(0).expression, hcl::Scope{});
  ASSERT_FALSE(value.ok());
  EXPECT_TRUE(value.error().message.starts_with("f.tf.json:1:24: ")) << value.error().message;
}

TEST(ProvisionTfJson, RefusesANumberTooLargeForADouble) {  // found by fuzz/tf_json_fuzzer
  auto body = parse_tf_json("3333e666333333333333333333333", "x.tf.json");
  ASSERT_FALSE(body.ok());
  EXPECT_EQ(body.error().code, ErrorCode::invalid_argument);
  EXPECT_TRUE(body.error().message.starts_with("x.tf.json: invalid JSON: number overflow")) << body.error().message;
}

TEST(ProvisionTfJson, RefusesWhatIsNotTerraformJson) {
  EXPECT_EQ(parse_tf_json("[]", "x.tf.json").error().message, "x.tf.json:1:1: a .tf.json file holds one JSON object");
  EXPECT_EQ(parse_tf_json("{\"variable\": {\"v\": 1}}", "x.tf.json").error().message,
            "x.tf.json:1:20: variable \"v\" must be an object");
}

}  // namespace
}  // namespace berth::provision

#include "hcl/evaluator.hpp"

#include <gtest/gtest.h>

#include "hcl/parser.hpp"

namespace berth::hcl {
namespace {

Scope test_scope() {
  Scope scope;
  scope.variables["name"] = "repo";
  scope.variables["count"] = 3;
  scope.variables["enabled"] = true;
  scope.variables["list"] = Value::parse(R"(["a", "b"])");
  scope.variables["map"] = Value::parse(R"({"k": {"inner": [10, 20]}, "with-dash": 1})");
  scope.variables["nothing"] = nullptr;
  scope.locals["team"] = "platform";
  return scope;
}

Result<Value> eval(std::string_view expression) {
  auto body = parse("x = " + std::string(expression), "e.tf");
  if (!body) return std::move(body).error();
  return evaluate(body->attributes.front().expression, test_scope());
}

Value ok(std::string_view expression) {
  auto value = eval(expression);
  EXPECT_TRUE(value.ok()) << value.error().message;
  return value.ok() ? *value : Value();
}

std::string failure(std::string_view expression) {
  auto value = eval(expression);
  EXPECT_FALSE(value.ok()) << expression;
  return value.ok() ? std::string() : value.error().message;
}

TEST(HclEvaluator, References) {
  EXPECT_EQ(ok("var.name"), "repo");
  EXPECT_EQ(ok("local.team"), "platform");
  EXPECT_EQ(ok("var.list[1]"), "b");
  EXPECT_EQ(ok("var.list.0"), "a");
  EXPECT_EQ(ok("var.map.k.inner[1]"), 20);
  EXPECT_EQ(ok("var.map[\"k\"][\"inner\"][0]"), 10);
  EXPECT_EQ(ok("var.map[ \"with-dash\" ]"), 1);
  EXPECT_EQ(ok("var.map.k"), Value::parse(R"({"inner": [10, 20]})"));
}

TEST(HclEvaluator, Templates) {
  EXPECT_EQ(ok("\"${local.team}/${var.name}\""), "platform/repo");
  EXPECT_EQ(ok("\"n=${var.count} on=${var.enabled} ${ var.list[0] }\""), "n=3 on=true a");
  // A lone interpolation keeps its type.
  EXPECT_EQ(ok("\"${var.list}\""), Value::parse(R"(["a", "b"])"));
  EXPECT_EQ(ok("\"${var.count}\""), 3);
  EXPECT_EQ(ok("\"${\"nested ${var.name}\"}!\""), "nested repo!");
  EXPECT_EQ(ok("[var.name, { owner = local.team }]"), Value::parse(R"(["repo", {"owner": "platform"}])"));
}

TEST(HclEvaluator, ErrorsCarryThePositionOfTheFault) {
  EXPECT_EQ(failure("var.missing"),
            "e.tf:1:5: unknown variable \"missing\" (declare it with variable \"missing\" { default = ... })");
  EXPECT_EQ(failure("local.missing"), "e.tf:1:5: unknown local value \"missing\"");
  EXPECT_EQ(failure("var.map.nope"), "e.tf:1:12: var.map has no key \"nope\"");
  EXPECT_EQ(failure("var.list[2]"), "e.tf:1:13: index 2 is out of range: var.list has 2 elements");
  EXPECT_EQ(failure("var.list.x"), "e.tf:1:13: var.list is a list, not an object");
  EXPECT_EQ(failure("var.name[0]"), "e.tf:1:13: var.name is a string, not a list");
  EXPECT_EQ(failure("var.map.k.inner.x"), "e.tf:1:20: var.map[\"k\"][\"inner\"] is a list, not an object");
  EXPECT_EQ(failure("\"a ${var.list} b\""), "e.tf:1:10: cannot interpolate a list into a string");
  EXPECT_EQ(failure("\"a ${var.nothing}\""), "e.tf:1:10: cannot interpolate null into a string");
  EXPECT_EQ(failure("[1, {a = var.nope}]"),
            "e.tf:1:14: unknown variable \"nope\" (declare it with variable \"nope\" { default = ... })");
}

}  // namespace
}  // namespace berth::hcl

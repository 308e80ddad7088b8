#include "hcl/scope.hpp"

#include <gtest/gtest.h>

#include "hcl/parser.hpp"

namespace berth::hcl {
namespace {

Result<Scope> scope_of(std::string_view text, const Value& values = Value::object()) {
  auto body = parse(text, "s.tf");
  if (!body) return std::move(body).error();
  return build_scope(*body, values);
}

TEST(HclScope, VariablesAndLocalsInAnyOrder) {
  auto scope = scope_of(R"(
locals {
  repository = "${local.team}/${var.repo_name}"
}
variable "repo_name" {
  type    = string
  default = "example-repository"
}
variable "namespace" {}
locals {
  team  = var.team
  names = [local.repository, "x"]
}
variable "team" { default = "example-team" }
other "ignored" { a = f(1) }
)");
  ASSERT_TRUE(scope.ok()) << scope.error().message;
  EXPECT_EQ(scope->variables, Value::parse(R"({"repo_name": "example-repository", "team": "example-team"})"));
  EXPECT_EQ(scope->locals["repository"], "example-team/example-repository");
  EXPECT_EQ(scope->locals["names"], Value::parse(R"(["example-team/example-repository", "x"])"));
}

TEST(HclScope, GivenValuesOverrideDefaults) {
  auto scope = scope_of("variable \"a\" { default = 1 }\nvariable \"b\" {}\nlocals { c = var.b }\n",
                        Value::parse(R"({"b": "given"})"));
  ASSERT_TRUE(scope.ok()) << scope.error().message;
  EXPECT_EQ(scope->variables["a"], 1);
  EXPECT_EQ(scope->locals["c"], "given");
}

TEST(HclScope, Errors) {
  EXPECT_EQ(scope_of("locals {\n  a = local.b\n  b = local.a\n}").error().message,
            "s.tf:2:3: local value \"a\" refers to itself");
  EXPECT_EQ(scope_of("locals { a = 1 }\nlocals { a = 2 }").error().message,
            "s.tf:2:10: local value \"a\" is already defined at line 1");
  EXPECT_EQ(scope_of("variable \"a\" { default = var.b }").error().message,
            "s.tf:1:26: a variable default must be a constant, without references");
  EXPECT_EQ(scope_of("variable {}").error().message,
            "s.tf:1:1: a variable block needs one label: variable \"name\" {}");
  EXPECT_EQ(scope_of("variable \"a\" {}\nvariable \"a\" {}").error().message,
            "s.tf:2:1: variable \"a\" is declared twice");
  EXPECT_EQ(scope_of("locals {\n  a = var.missing\n}").error().message,
            "s.tf:2:7: unknown variable \"missing\" (declare it with variable \"missing\" { default = ... })");
  EXPECT_EQ(scope_of("locals {\n  a = upper(\"x\")\n}").error().message,
            "s.tf:2:7: function calls are not supported (berth evaluates only literals, var.* and local.*)");
}

}  // namespace
}  // namespace berth::hcl

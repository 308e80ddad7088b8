#include "provision/declarations.hpp"

#include <gtest/gtest.h>

#include "provision/declaration_dir.hpp"

namespace berth::provision {
namespace {

using testing::DeclarationDir;

const ModuleInput* find_input(const ModuleBlock& module, std::string_view name) {
  for (const auto& input : module.inputs) {
    if (input.name == name) return &input;
  }
  return nullptr;
}

TEST(ProvisionDeclarations, ReadsModulesOfAllFilesInNameOrderWithOneScope) {
  DeclarationDir dir;
  dir.write("b_ecr.tf", R"(module "ecr" {
  source    = "github.com/ministryofjustice/cloud-platform-terraform-ecr-credentials?ref=7.1.1"
  team_name = local.team
  repo_name = "${var.prefix}-repository"
  providers = { aws = aws.london }
  version   = "7.1.1"
  github_repositories = [var.prefix, "other"]
}
)")
      .write("a_variables.tf", R"(variable "prefix" { default = "example" }
locals { team = "example-team" }
)")
      .write("c_other.tf", R"(module "rds" {
  source = "github.com/ministryofjustice/cloud-platform-terraform-rds-instance?ref=8.0.0"
  db_name = lower(var.prefix)
}
module "local" {
  repo_name = "x"
}
)")
      .write("notes.txt", "module \"ignored\" {}");
  auto declarations = read_declarations(dir.path(), {});
  ASSERT_TRUE(declarations.ok()) << declarations.error().message;
  ASSERT_EQ(declarations->files.size(), 3u);
  EXPECT_EQ(declarations->files[0].filename(), "a_variables.tf");
  ASSERT_EQ(declarations->modules.size(), 3u);

  const ModuleBlock& ecr = declarations->modules[0];
  EXPECT_EQ(ecr.label, "ecr");
  EXPECT_TRUE(ecr.berth);
  EXPECT_EQ(hcl::to_string(ecr.position), dir.file("b_ecr.tf") + ":1:1");
  ASSERT_EQ(ecr.inputs.size(), 3u);  // source, providers and version are not inputs
  EXPECT_EQ(ecr.inputs[0].name, "team_name");
  EXPECT_EQ(ecr.inputs[0].value, "example-team");
  EXPECT_EQ(hcl::to_string(ecr.inputs[0].position), dir.file("b_ecr.tf") + ":3:3");
  EXPECT_EQ(find_input(ecr, "repo_name")->value, "example-repository");
  const ModuleInput* repositories = find_input(ecr, "github_repositories");
  EXPECT_EQ(repositories->value, hcl::Value::parse(R"(["example", "other"])"));
  ASSERT_EQ(repositories->element_positions.size(), 2u);
  EXPECT_EQ(hcl::to_string(repositories->element_positions[1]), dir.file("b_ecr.tf") + ":7:38");

  const ModuleBlock& rds = declarations->modules[1];
  EXPECT_FALSE(rds.berth);
  EXPECT_EQ(rds.source, "github.com/ministryofjustice/cloud-platform-terraform-rds-instance?ref=8.0.0");
  EXPECT_TRUE(rds.inputs.empty());  // lower() is not evaluated: the module is not berth's

  EXPECT_TRUE(declarations->modules[2].berth);  // no source
  EXPECT_FALSE(declarations->modules[2].source.has_value());
}

TEST(ProvisionDeclarations, VariableValuesFollowTerraformPrecedence) {
  DeclarationDir dir;
  dir.write("main.tf", R"(
variable "a" { default = "default" }
variable "b" { default = "default" }
variable "c" { default = "default" }
variable "d" { default = "default" }
variable "e" { default = "default" }
variable "f" { default = "default" }
variable "list" { default = [] }
module "m" {
  values = [var.a, var.b, var.c, var.d, var.e, var.f]
  list   = var.list
}
)")
      .write("terraform.tfvars", "b = \"tfvars\"\nc = \"tfvars\"\nd = \"tfvars\"\ne = \"tfvars\"\nf = \"tfvars\"\n")
      .write("z.auto.tfvars", "d = \"auto-z\"\ne = \"auto-z\"\nf = \"auto-z\"\n")
      .write("a.auto.tfvars", "c = \"auto-a\"\nd = \"auto-a\"\ne = \"auto-a\"\nf = \"auto-a\"\n")
      .write("first.tfvars", "e = \"file-1\"\nf = \"file-1\"\n")
      .write("second.tfvars", "e = \"file-2\"\nf = \"file-2\"\n");
  ReadOptions options{{{"f", "cli-1"}, {"f", "cli-2"}, {"list", R"(["x", "y"])"}},
                      {dir.file("first.tfvars"), dir.file("second.tfvars")}};
  auto declarations = read_declarations(dir.path(), options);
  ASSERT_TRUE(declarations.ok()) << declarations.error().message;
  const ModuleBlock& module = declarations->modules.at(0);
  EXPECT_EQ(find_input(module, "values")->value,
            hcl::Value::parse(R"(["default", "tfvars", "auto-a", "auto-z", "file-2", "cli-2"])"));
  EXPECT_EQ(find_input(module, "list")->value, hcl::Value::parse(R"(["x", "y"])"));
}

TEST(ProvisionDeclarations, CommandLineValuesAreStringsUnlessListOrObjectSyntax) {
  DeclarationDir dir;
  dir.write("main.tf", "variable \"n\" {}\nvariable \"o\" {}\nmodule \"m\" {\n  n = var.n\n  o = var.o\n}\n");
  auto declarations = read_declarations(dir.path(), {{{"n", "12"}, {"o", "{ type = \"days\", count = 3 }"}}, {}});
  ASSERT_TRUE(declarations.ok()) << declarations.error().message;
  EXPECT_EQ(find_input(declarations->modules[0], "n")->value, "12");
  EXPECT_EQ(find_input(declarations->modules[0], "o")->value, hcl::Value::parse(R"({"type": "days", "count": 3})"));
}

void expect_error(const Result<Declarations>& result, const std::string& message) {
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::invalid_argument);
  EXPECT_EQ(result.error().message, message);
}

TEST(ProvisionDeclarations, VariableWithoutValueIsAnErrorAtItsDeclaration) {
  DeclarationDir dir;
  dir.write("main.tf", "\nvariable \"namespace\" {\n  type = string\n}\n");
  expect_error(read_declarations(dir.path(), {}),
               dir.file("main.tf") +
                   ":2:1: variable \"namespace\" has no default and no value: set it in terraform.tfvars, a "
                   "-var-file or with -var namespace=VALUE");
  EXPECT_TRUE(read_declarations(dir.path(), {{{"namespace", "team-dev"}}, {}}).ok());
}

TEST(ProvisionDeclarations, UndeclaredVariablesAreErrors) {
  DeclarationDir dir;
  dir.write("main.tf", "variable \"namespace\" {}\n");
  expect_error(read_declarations(dir.path(), {{{"namespac", "x"}}, {}}),
               "-var namespac: variable \"namespac\" is not declared (did you mean \"namespace\"?)");
  dir.write("terraform.tfvars", "namespace = \"a\"\n\n  other = 1\n");
  expect_error(read_declarations(dir.path(), {}),
               dir.file("terraform.tfvars") + ":3:3: variable \"other\" is not declared");
}

TEST(ProvisionDeclarations, TfvarsMayNotReferToVariables) {
  DeclarationDir dir;
  dir.write("main.tf", "variable \"a\" {}\n").write("terraform.tfvars", "a = var.a\n");
  auto result = read_declarations(dir.path(), {});
  ASSERT_FALSE(result.ok());
  EXPECT_TRUE(result.error().message.starts_with(dir.file("terraform.tfvars") + ":1:5: unknown variable \"a\""))
      << result.error().message;
}

TEST(ProvisionDeclarations, DuplicateModuleNamesNameBothPlaces) {
  DeclarationDir dir;
  dir.write("a.tf", "module \"ecr\" {}\n").write("b.tf", "\n\nmodule \"ecr\" {}\n");
  expect_error(read_declarations(dir.path(), {}),
               dir.file("b.tf") + ":3:1: module \"ecr\" is already declared at " + dir.file("a.tf") + ":1:1");
}

TEST(ProvisionDeclarations, WhatBerthCannotEvaluateInItsModulesIsAnError) {
  DeclarationDir dir;
  dir.write("main.tf", "module \"ecr\" {\n  repo_name = lower(\"X\")\n}\n");
  auto result = read_declarations(dir.path(), {});
  ASSERT_FALSE(result.ok());
  EXPECT_TRUE(result.error().message.starts_with(dir.file("main.tf") + ":2:15: ")) << result.error().message;
}

TEST(ProvisionDeclarations, SourceMustBeAString) {
  DeclarationDir dir;
  dir.write("main.tf", "module \"ecr\" {\n  source = 3\n}\n");
  expect_error(read_declarations(dir.path(), {}), dir.file("main.tf") + ":2:12: source must be a string");
}

TEST(ProvisionDeclarations, TopLevelAttributesAndSyntaxErrorsAreRefused) {
  DeclarationDir dir;
  dir.write("main.tf", "x = 1\n");
  expect_error(read_declarations(dir.path(), {}),
               dir.file("main.tf") + ":1:1: unexpected attribute \"x\" at top level: declarations hold only blocks");
  dir.write("main.tf", "module \"ecr\" {\n  repo_name = \"x\n}\n");
  auto result = read_declarations(dir.path(), {});
  ASSERT_FALSE(result.ok());
  EXPECT_TRUE(result.error().message.starts_with(dir.file("main.tf") + ":2:")) << result.error().message;
}

TEST(ProvisionDeclarations, ReadsTfJsonFilesIntoTheSameModel) {
  DeclarationDir dir;
  dir.write("main.tf.json", R"({
  "//": "generated",
  "variable": {"team": {"default": "example-team"}, "literal": {"default": "${not.evaluated}"}},
  "locals": {"repo": "${var.team}-repository"},
  "module": {
    "ecr": {
      "source": "github.com/ministryofjustice/cloud-platform-terraform-ecr-credentials?ref=7.1.1",
      "team_name": "${var.team}",
      "repo_name": "${local.repo}",
      "github_repositories": ["a", "${var.literal}"],
      "canned_lifecycle_policy": {"type": "days", "count": 7},
      "providers": {"aws": "aws.london"}
    }
  },
  "provider": {"aws": {"region": "eu-west-2"}}
})");
  auto declarations = read_declarations(dir.path(), {});
  ASSERT_TRUE(declarations.ok()) << declarations.error().message;
  ASSERT_EQ(declarations->modules.size(), 1u);
  const ModuleBlock& module = declarations->modules[0];
  EXPECT_TRUE(module.berth);
  EXPECT_EQ(hcl::to_string(module.position), dir.file("main.tf.json") + ":6:5");
  EXPECT_EQ(find_input(module, "team_name")->value, "example-team");
  EXPECT_EQ(hcl::to_string(find_input(module, "team_name")->position), dir.file("main.tf.json") + ":8:7");
  EXPECT_EQ(find_input(module, "repo_name")->value, "example-team-repository");
  const ModuleInput* repositories = find_input(module, "github_repositories");
  EXPECT_EQ(repositories->value, hcl::Value::parse(R"(["a", "${not.evaluated}"])"));
  ASSERT_EQ(repositories->element_positions.size(), 2u);
  EXPECT_EQ(hcl::to_string(repositories->element_positions[1]), dir.file("main.tf.json") + ":10:36");
  EXPECT_EQ(find_input(module, "canned_lifecycle_policy")->value, hcl::Value::parse(R"({"type": "days", "count": 7})"));
  EXPECT_EQ(find_input(module, "providers"), nullptr);
}

TEST(ProvisionDeclarations, TfJsonAndTfShareVariables) {
  DeclarationDir dir;
  dir.write("variables.tf.json", R"({"variable": {"namespace": {}}})")
      .write("main.tf", "module \"ecr\" {\n  namespace = var.namespace\n}\n");
  expect_error(read_declarations(dir.path(), {}),
               dir.file("variables.tf.json") +
                   ":1:15: variable \"namespace\" has no default and no value: set it in terraform.tfvars, a "
                   "-var-file or with -var namespace=VALUE");
  auto declarations = read_declarations(dir.path(), {{{"namespace", "team-prod"}}, {}});
  ASSERT_TRUE(declarations.ok()) << declarations.error().message;
  EXPECT_EQ(find_input(declarations->modules[0], "namespace")->value, "team-prod");
}

TEST(ProvisionDeclarations, TfJsonErrorsHavePositions) {
  DeclarationDir dir;
  dir.write("main.tf.json", "{\"module\": {\"ecr\": {\n  \"repo_name\": \"${var.missing}\"}}}");
  auto result = read_declarations(dir.path(), {});
  ASSERT_FALSE(result.ok());
  EXPECT_TRUE(result.error().message.starts_with(dir.file("main.tf.json") + ":2:16: unknown variable \"missing\""))
      << result.error().message;
  dir.write("main.tf.json", "{\"module\": [1]}");
  expect_error(read_declarations(dir.path(), {}), dir.file("main.tf.json") + ":1:12: \"module\" must be an object");
  dir.write("main.tf.json", "{\"module\": ");
  result = read_declarations(dir.path(), {});
  ASSERT_FALSE(result.ok());
  EXPECT_TRUE(result.error().message.starts_with(dir.file("main.tf.json") + ": invalid JSON: "))
      << result.error().message;
}

TEST(ProvisionDeclarations, MissingDirectoryIsNotFound) {
  DeclarationDir dir;
  auto result = read_declarations(dir.path() / "absent", {});
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::not_found);
}

}  // namespace
}  // namespace berth::provision

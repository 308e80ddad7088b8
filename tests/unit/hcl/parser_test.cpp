#include "hcl/parser.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "hcl/evaluator.hpp"

namespace berth::hcl {
namespace {

// Parses `text` and evaluates its attribute `x`.
Result<Value> value_of(std::string_view text, const Scope& scope = {}) {
  auto body = parse(text, "t.tf");
  if (!body) return std::move(body).error();
  const Attribute* x = body->find_attribute("x");
  if (x == nullptr) return make_error(ErrorCode::not_found, "no attribute x");
  return evaluate(x->expression, scope);
}

Value ok_value(std::string_view text, const Scope& scope = {}) {
  auto value = value_of(text, scope);
  EXPECT_TRUE(value.ok()) << value.error().message;
  return value.ok() ? *value : Value();
}

std::string parse_error(std::string_view text) {
  auto body = parse(text, "t.tf");
  EXPECT_FALSE(body.ok()) << text;
  if (body.ok()) return {};
  EXPECT_EQ(body.error().code, ErrorCode::invalid_argument);
  return body.error().message;
}

std::string evaluation_error(std::string_view text, const Scope& scope = {}) {
  auto value = value_of(text, scope);
  EXPECT_FALSE(value.ok()) << text;
  return value.ok() ? std::string() : value.error().message;
}

TEST(HclParser, AttributesAndBlocksWithLabels) {
  auto body = parse(R"(
name = "berth"
module "ecr" {
  team_name = "t"
}
resource "aws_iam_role" github {
  nested {
    deep = 1
  }
}
empty {}
)",
                    "main.tf");
  ASSERT_TRUE(body.ok()) << body.error().message;
  ASSERT_EQ(body->attributes.size(), 1u);
  EXPECT_EQ(body->attributes[0].name, "name");
  EXPECT_EQ(body->attributes[0].position.line, 2);
  EXPECT_EQ(body->attributes[0].position.column, 1);
  EXPECT_EQ(body->attributes[0].position.file, "main.tf");
  ASSERT_EQ(body->blocks.size(), 3u);
  EXPECT_EQ(body->blocks[0].type, "module");
  EXPECT_EQ(body->blocks[0].labels, std::vector<std::string>{"ecr"});
  EXPECT_EQ(body->blocks[0].position.line, 3);
  ASSERT_NE(body->blocks[0].body.find_attribute("team_name"), nullptr);
  EXPECT_EQ(body->blocks[1].labels, (std::vector<std::string>{"aws_iam_role", "github"}));
  ASSERT_EQ(body->blocks[1].body.blocks.size(), 1u);
  EXPECT_EQ(body->blocks[1].body.blocks[0].type, "nested");
  EXPECT_EQ(body->blocks[1].body.blocks[0].position.line, 7);
  EXPECT_EQ(body->blocks[1].body.blocks[0].position.column, 3);
  EXPECT_TRUE(body->blocks[2].body.attributes.empty());
}

TEST(HclParser, OneLineBlocks) {
  auto body = parse("a { b = 1 }\nlog { format = \"json\"  level = \"info\" }\n", "t.tf");
  ASSERT_TRUE(body.ok()) << body.error().message;
  ASSERT_EQ(body->blocks.size(), 2u);
  EXPECT_EQ(body->blocks[0].body.attributes.size(), 1u);
  ASSERT_EQ(body->blocks[1].body.attributes.size(), 2u);
  EXPECT_EQ(body->blocks[1].body.attributes[1].name, "level");
  EXPECT_EQ(body->blocks[1].body.attributes[1].position.column, 24);
}

TEST(HclParser, Comments) {
  auto body = parse("# hash\n// slashes\n/* block\n comment */ a = 1 # trailing\nb = /* inline */ 2 // end\n", "t.tf");
  ASSERT_TRUE(body.ok()) << body.error().message;
  ASSERT_EQ(body->attributes.size(), 2u);
  EXPECT_EQ(body->attributes[0].position.line, 4);
  EXPECT_EQ(body->attributes[0].position.column, 13);
  EXPECT_EQ(evaluate(body->attributes[1].expression, {}).value(), 2);
}

TEST(HclParser, EmptyInputAndWindowsLineEndings) {
  auto empty = parse("", "t.tf");
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->attributes.empty());
  EXPECT_EQ(ok_value("a = 1\r\nx = \"y\"\r\n"), "y");
}

TEST(HclParser, StringEscapes) {
  EXPECT_EQ(ok_value(R"(x = "a\nb\tc\"d\\e\r")"), "a\nb\tc\"d\\e\r");
  EXPECT_EQ(ok_value(R"(x = "caf\u00e9 \U0001F600")"), "caf\u00e9 \U0001F600");
  EXPECT_EQ(ok_value(R"(x = "$${literal} %%{literal} $ % $x")"), "${literal} %{literal} $ % $x");
  EXPECT_EQ(ok_value(R"(x = "")"), "");
  EXPECT_EQ(ok_value("x = \"h\xC3\xA9llo\""), "h\xC3\xA9llo");
}

TEST(HclParser, Heredocs) {
  EXPECT_EQ(ok_value("x = <<EOF\nline one\n  line \\n two\nEOF\n"), "line one\n  line \\n two\n");
  EXPECT_EQ(ok_value("x = <<-EOT\n    {\n      \"a\": 1\n    }\n    EOT\ny = 2\n"), "{\n  \"a\": 1\n}\n");
  EXPECT_EQ(ok_value("x = <<EOF\nEOF\n"), "");
  Scope scope;
  scope.variables["name"] = "repo";
  EXPECT_EQ(ok_value("x = <<EOF\nname: ${var.name}\n$${kept}\nEOF", scope), "name: repo\n${kept}\n");
}

TEST(HclParser, Numbers) {
  EXPECT_EQ(ok_value("x = 42"), 42);
  EXPECT_TRUE(ok_value("x = 42").is_number_integer());
  EXPECT_EQ(ok_value("x = -7"), -7);
  EXPECT_DOUBLE_EQ(ok_value("x = 1.5").get<double>(), 1.5);
  EXPECT_DOUBLE_EQ(ok_value("x = 2e3").get<double>(), 2000.0);
  EXPECT_DOUBLE_EQ(ok_value("x = 2.5E-1").get<double>(), 0.25);
  EXPECT_DOUBLE_EQ(ok_value("x = 1e+2").get<double>(), 100.0);
  EXPECT_EQ(parse_error("x = 99999999999999999999"), "t.tf:1:5: integer 99999999999999999999 is out of range");
}

TEST(HclParser, BoolsAndNull) {
  EXPECT_EQ(ok_value("x = true"), true);
  EXPECT_EQ(ok_value("x = false"), false);
  EXPECT_TRUE(ok_value("x = null").is_null());
}

TEST(HclParser, Lists) {
  EXPECT_EQ(ok_value(R"(x = ["a", 1, true])"), Value::parse(R"(["a", 1, true])"));
  EXPECT_EQ(ok_value("x = [\n  \"a\",\n  \"b\",\n]\n"), Value::parse(R"(["a", "b"])"));
  EXPECT_EQ(ok_value("x = []"), Value::array());
  EXPECT_EQ(ok_value("x = [[1], [], [[2]]]"), Value::parse("[[1], [], [[2]]]"));
}

TEST(HclParser, Objects) {
  const Value expected = Value::parse(R"({"a": 1, "b": 2, "c": 3})");
  EXPECT_EQ(ok_value(R"(x = { a = 1, "b" = 2, c: 3 })"), expected);
  EXPECT_EQ(ok_value("x = {\n  a = 1\n  \"b\" = 2,\n  c: 3\n}\n"), expected);
  EXPECT_EQ(ok_value("x = {}"), Value::object());
  EXPECT_EQ(ok_value("x = { for = 1, nested = { list = [1, { y = null }] } }"),
            Value::parse(R"({"for": 1, "nested": {"list": [1, {"y": null}]}})"));
  // Source order is kept.
  EXPECT_EQ(ok_value("x = { z = 1, a = 2 }").begin().key(), "z");
}

TEST(HclParser, TheSeedModuleBlockVerbatim) {
  // From "Creating a container repository" (the CircleCI variant, closing brace added).
  const std::string seed = R"(module "ecr" {
  # REQUIRED: OIDC providers to configure, either "github", "circleci", or both
  oidc_providers = ["circleci"]

  # REQUIRED: GitHub repositories that push to this container repository
  github_repositories = ["example-repository"]

  # This is the namespace to create a ConfigMap
  # of credentials you need in CircleCI
  namespace = var.namespace
}

module "ecr_github" {
  source                = "github.com/ministryofjustice/cloud-platform-terraform-ecr-credentials?ref=7.1.1"
  team_name             = "example-team"
  repo_name             = "example-repository"
  oidc_providers        = ["github", "circleci"]
  github_repositories   = ["example-repository"]
  github_environments   = ["production"]   # optional
  github_actions_prefix = "production"     # optional
  namespace             = var.namespace    # ConfigMap namespace, needed for circleci
  canned_lifecycle_policy = { type = "days", count = 30 }
}
)";
  auto body = parse(seed, "ecr.tf");
  ASSERT_TRUE(body.ok()) << body.error().message;
  ASSERT_EQ(body->blocks.size(), 2u);
  Scope scope;
  scope.variables["namespace"] = "example-namespace";
  Value inputs = Value::object();
  for (const auto& attribute : body->blocks[0].body.attributes) {
    inputs[attribute.name] = evaluate(attribute.expression, scope).value();
  }
  EXPECT_EQ(inputs, Value::parse(R"({"oidc_providers": ["circleci"], "github_repositories": ["example-repository"],
                                     "namespace": "example-namespace"})"));
  const Block& second = body->blocks[1];
  EXPECT_EQ(evaluate(second.body.find_attribute("source")->expression, scope).value(),
            "github.com/ministryofjustice/cloud-platform-terraform-ecr-credentials?ref=7.1.1");
  EXPECT_EQ(evaluate(second.body.find_attribute("canned_lifecycle_policy")->expression, scope).value(),
            Value::parse(R"({"type": "days", "count": 30})"));
  EXPECT_EQ(second.body.find_attribute("namespace")->position.line, 21);
}

TEST(HclParser, SyntaxErrorsHavePositions) {
  EXPECT_EQ(parse_error("a = \"open\nb = 1"), "t.tf:1:5: unterminated string: missing '\"'");
  EXPECT_EQ(parse_error("a = \"bad \\q\""),
            "t.tf:1:10: invalid escape sequence: use \\n, \\r, \\t, \\\", \\\\, \\uXXXX or \\UXXXXXXXX");
  EXPECT_EQ(parse_error("a = \"\\u12\""), "t.tf:1:6: \\u must be followed by 4 hexadecimal digits");
  EXPECT_EQ(parse_error("a = \"\\uD800\""), "t.tf:1:6: escape is not a valid Unicode code point");
  EXPECT_EQ(parse_error("a = 1\na = 2\n"), "t.tf:2:1: attribute \"a\" is already defined at line 1");
  EXPECT_EQ(parse_error("a = [1, 2"), "t.tf:1:10: missing ']' to close the list opened at line 1");
  EXPECT_EQ(parse_error("a = [1 2]"), "t.tf:1:8: expected ',' or ']' in list, found '2'");
  EXPECT_EQ(parse_error("a = { b = 1 c = 2 }"), "t.tf:1:13: expected ',' or a newline between object items");
  EXPECT_EQ(parse_error("a = { b = 1, b = 2 }"), "t.tf:1:14: duplicate object key \"b\"");
  EXPECT_EQ(parse_error("a = { b }"), "t.tf:1:9: expected '=' or ':' after object key, found '}'");
  EXPECT_EQ(parse_error("block {\n  a = 1\n"), "t.tf:3:1: missing '}' to close the block opened at line 1");
  EXPECT_EQ(parse_error("}"), "t.tf:1:1: unexpected '}'");
  EXPECT_EQ(parse_error("a = 1 2"), "t.tf:1:7: expected a newline, found '2'");
  EXPECT_EQ(parse_error("a =\n"), "t.tf:1:4: expected an expression, found a newline");
  EXPECT_EQ(parse_error("a = @"), "t.tf:1:5: expected an expression, found '@'");
  EXPECT_EQ(parse_error("a b c = 1"), "t.tf:1:7: expected a block label or '{', found '='");
  EXPECT_EQ(parse_error("= 1"), "t.tf:1:1: expected an attribute or block name, found '='");
  EXPECT_EQ(parse_error("a = <<EOF\nnever closed\n"), "t.tf:1:5: heredoc is not closed: missing a line with EOF");
  EXPECT_EQ(parse_error("a = <<EOF x\nEOF\n"), "t.tf:1:10: expected a newline after the heredoc marker, found ' '");
  EXPECT_EQ(parse_error("/* never closed"), "t.tf:1:1: unterminated comment: missing '*/'");
  EXPECT_EQ(parse_error("block \"${var.x}\" {}"),
            "t.tf:1:7: block labels must be plain strings, without interpolation");
  EXPECT_EQ(parse_error("a = var"), "t.tf:1:8: expected a name after \"var.\"");
  EXPECT_EQ(parse_error("a = \"${var.x\""),
            "t.tf:1:13: expected '}' to close the interpolation at column 6, found '\"'");
  EXPECT_EQ(parse_error("a = \"${~var.x}\""), "t.tf:1:8: template strip markers (~) are not supported");
  EXPECT_EQ(parse_error("a = \"\xC3\xA9\" b = \"\xFF\""), "t.tf:1:14: invalid UTF-8");
  EXPECT_EQ(parse_error("a = \"\xC0\xAF\""), "t.tf:1:6: invalid UTF-8");          // overlong '/'
  EXPECT_EQ(parse_error("a = \"\xED\xA0\x80\""), "t.tf:1:6: invalid UTF-8");      // surrogate
  // Columns count code points, not bytes.
  EXPECT_EQ(parse_error("a = \"\xC3\xA9\xC3\xA9\" @"), "t.tf:1:10: expected a newline, found '@'");
}

TEST(HclParser, UnsupportedExpressionsParseButFailToEvaluateWithAHint) {
  const std::string hint = " (berth evaluates only literals, var.* and local.*)";
  EXPECT_EQ(evaluation_error("a = 1\n\nx = file(\"policy.json\")"),
            "t.tf:3:5: function calls are not supported" + hint);
  EXPECT_EQ(evaluation_error("x = aws_iam_role.github.arn"),
            "t.tf:1:5: references to \"aws_iam_role.github.arn\" are not supported" + hint);
  EXPECT_EQ(evaluation_error("x = var.a ? 1 : 2"),
            "t.tf:1:11: conditional expressions (a ? b : c) are not supported" + hint);
  EXPECT_EQ(evaluation_error("x = 1 + 2"), "t.tf:1:7: operators are not supported" + hint);
  EXPECT_EQ(evaluation_error("x = !true"), "t.tf:1:5: operators are not supported" + hint);
  EXPECT_EQ(evaluation_error("x = -var.n"), "t.tf:1:5: operators are not supported" + hint);
  EXPECT_EQ(evaluation_error("x = var.a == \"b\""), "t.tf:1:11: operators are not supported" + hint);
  EXPECT_EQ(evaluation_error("x = [for s in var.list : upper(s)]"),
            "t.tf:1:6: for expressions are not supported" + hint);
  EXPECT_EQ(evaluation_error("x = { for k, v in var.map : k => v }"),
            "t.tf:1:7: for expressions are not supported" + hint);
  EXPECT_EQ(evaluation_error("x = var.list[*].id"), "t.tf:1:13: splat expressions are not supported" + hint);
  EXPECT_EQ(evaluation_error("x = var.list.*.id"), "t.tf:1:13: splat expressions are not supported" + hint);
  EXPECT_EQ(evaluation_error("x = var.map[local.key]"),
            "t.tf:1:12: indexes must be whole numbers or quoted strings" + hint);
  EXPECT_EQ(evaluation_error("x = \"a%{ if var.b }yes%{ endif }\""),
            "t.tf:1:7: template directives (%{ ... }) are not supported" + hint);
  EXPECT_EQ(evaluation_error("x = (1)"), "t.tf:1:5: parenthesized expressions are not supported" + hint);
  EXPECT_EQ(evaluation_error("x = [1][0]"), "t.tf:1:8: only var.* and local.* references can be indexed" + hint);
  EXPECT_EQ(evaluation_error("x = [\"ok\", \"${upper(\"a\")}\"]"),
            "t.tf:1:15: function calls are not supported" + hint);
}

TEST(HclParser, UnsupportedExpressionsDoNotHideTheRestOfTheFile) {
  auto body = parse(R"(
variable "repos" {
  type        = list(object({ name = string, tags = map(string) }))
  description = "Repositories"
  validation {
    condition     = alltrue([for r in var.repos : length(r.name) > 0])
    error_message = "Names cannot be empty, see ${path.module}/README."
  }
}
module "x" {
  providers = { aws = aws.london }
  value     = length(var.repos) > 0 ? "some" : "none"
  policy    = jsonencode({
    Version = "2012-10-17"
  })
  after     = 1
}
)",
                    "vars.tf");
  ASSERT_TRUE(body.ok()) << body.error().message;
  ASSERT_EQ(body->blocks.size(), 2u);
  const Body& module = body->blocks[1].body;
  ASSERT_EQ(module.attributes.size(), 4u);
  EXPECT_EQ(evaluate(module.find_attribute("after")->expression, {}).value(), 1);
  EXPECT_EQ(evaluate(module.find_attribute("providers")->expression, {}).error().message,
            "vars.tf:11:23: references to \"aws.london\" are not supported (berth evaluates only literals, var.* and "
            "local.*)");
  ASSERT_EQ(body->blocks[0].body.blocks.size(), 1u);
  EXPECT_EQ(body->blocks[0].body.blocks[0].body.attributes.size(), 2u);
}

TEST(HclParser, ParseFileReadsAndReportsMissingFiles) {
  const auto dir = std::filesystem::temp_directory_path() / ("berth-hcl-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto path = dir / "main.tf";
  std::ofstream(path) << "x = \"from file\"\ny = [\n";
  auto body = parse_file(path);
  ASSERT_FALSE(body.ok());
  EXPECT_EQ(body.error().message, path.string() + ":3:1: missing ']' to close the list opened at line 2");
  EXPECT_EQ(parse_file(dir / "absent.tf").error().code, ErrorCode::not_found);
  EXPECT_FALSE(parse_file(dir).ok());
  std::filesystem::remove_all(dir);
}

TEST(HclParser, NeverCrashesOnRandomOrHostileInput) {
  std::mt19937 random(12345);
  const std::string alphabet = "ab_=\"{}[](),.:?*$%#/\\-<>\n \t0123456789e~!+varlocal\xC3\xA9";
  for (int round = 0; round < 20000; ++round) {
    std::string text(random() % 64, ' ');
    for (auto& c : text) {
      c = round % 2 == 0 ? alphabet[random() % alphabet.size()] : static_cast<char>(random() % 256);
    }
    auto body = parse(text, "fuzz.tf");
    if (!body.ok()) {
      EXPECT_TRUE(body.error().message.starts_with("fuzz.tf:")) << body.error().message;
      continue;
    }
    for (const auto& attribute : body->attributes) (void)evaluate(attribute.expression, {});
  }
  // Mutations of a file that uses every construct reach deeper than random bytes do.
  const std::string sample =
      "variable \"v\" { default = { a = [1, 2.5e3, \"s\\n\\u00e9\"], b: null } }\n"
      "locals { l = \"${var.v.a[0]}-$${x}\" }\n/* c */ m \"x\" y { z = <<-EOF\n  ${local.l}\n  EOF\n}\n"
      "f = [for s in f(1) : s ? 1 : -2] # c\n";
  for (int round = 0; round < 20000; ++round) {
    std::string text = sample;
    for (int edits = 1 + random() % 4; edits > 0; --edits) {
      const std::size_t at = random() % (text.size() + 1);
      const char c = alphabet[random() % alphabet.size()];
      switch (random() % 3) {
        case 0:
          text.insert(at, 1, c);
          break;
        case 1:
          if (at < text.size()) text.erase(at, 1);
          break;
        default:
          if (at < text.size()) text[at] = c;
      }
    }
    auto body = parse(text, "fuzz.tf");
    if (!body.ok()) continue;
    auto scope = build_scope(*body);
    for (const auto& attribute : body->attributes) (void)evaluate(attribute.expression, scope.ok() ? *scope : Scope{});
  }
  EXPECT_FALSE(parse("x = " + std::string(100000, '['), "deep.tf").ok());
  EXPECT_FALSE(parse("x = " + std::string(100000, '{'), "deep.tf").ok());
  std::string nested_blocks;
  for (int i = 0; i < 50000; ++i) nested_blocks += "a {";
  EXPECT_FALSE(parse(nested_blocks, "deep.tf").ok());
  EXPECT_FALSE(parse("x = f" + std::string(100000, '('), "deep.tf").ok());
  std::string nested_strings = "x = ";
  for (int i = 0; i < 5000; ++i) nested_strings += "\"${";
  EXPECT_FALSE(parse(nested_strings, "deep.tf").ok());
}

}  // namespace
}  // namespace berth::hcl

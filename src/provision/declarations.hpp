// Reads a directory of declarations — Terraform-style `*.tf` and `*.tf.json` files — into the
// module blocks berth acts on, with every input evaluated and positioned for messages.
//
//   auto declarations = read_declarations("envs/live", {.vars = {{"namespace", "team-prod"}}});
//   if (!declarations) return declarations.error();   // "main.tf:12:3: unknown variable ..."
//
// Files are read in name order and share one scope: `variable` blocks (with values from tfvars
// files and -var, see variable_values.hpp) and `locals`, as hcl::build_scope resolves them. A
// module is evaluated only when it is berth's (is_berth_source); others are kept unevaluated, so
// what berth cannot evaluate in them (functions, resource attributes) is no error. The meta-
// arguments `version`, `providers` and `depends_on` are not evaluated and not listed as inputs.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.hpp"
#include "hcl/ast.hpp"

namespace berth::provision {

struct ReadOptions {
  std::vector<std::pair<std::string, std::string>> vars;  // -var NAME=VALUE, in order
  std::vector<std::string> var_files;                     // -var-file, in order
};

struct ModuleInput {
  std::string name;
  hcl::Position position;  // of the attribute name
  hcl::Value value;
  // When the value was written as a list or object: where each element (or item) was written.
  std::vector<hcl::Position> element_positions;
};

struct ModuleBlock {
  std::string label;
  hcl::Position position;
  std::optional<std::string> source;
  bool berth = false;               // is_berth_source(source)
  std::vector<ModuleInput> inputs;  // evaluated for berth's modules only, in source order
};

struct Declarations {
  std::vector<std::filesystem::path> files;  // read, in order
  std::vector<ModuleBlock> modules;          // in file order
};

// A module is berth's when its source names the MoJ module it mirrors, or when it has none.
bool is_berth_source(const std::optional<std::string>& source);

// invalid_argument "file:line:col: message" for syntax, evaluation and variable errors (a
// variable with neither default nor value, an undeclared -var, a duplicate module name);
// not_found when `dir` is not a directory.
Result<Declarations> read_declarations(const std::filesystem::path& dir, const ReadOptions& options);

}  // namespace berth::provision

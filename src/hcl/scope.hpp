// What var.* and local.* resolve to, and how a module body's `variable` and `locals` blocks
// produce it.
#pragma once

#include "common/result.hpp"
#include "hcl/ast.hpp"

namespace berth::hcl {

struct Scope {
  Value variables = Value::object();  // var.<name>
  Value locals = Value::object();     // local.<name>
};

// Collects `variable "name" { default = ... }` blocks and `locals { ... }` attributes of a
// top-level body; other blocks and attributes are the caller's. `values` overrides variable
// defaults by name. Defaults must be constants; locals may refer to variables and to each other
// in any order (a cycle is an error). A variable with neither default nor value is left out, so
// using it fails as an unknown variable.
Result<Scope> build_scope(const Body& body, const Value& values = Value::object());

}  // namespace berth::hcl

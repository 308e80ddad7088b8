// Turns expressions into values, resolving var.* and local.* against a Scope.
#pragma once

#include "common/result.hpp"
#include "hcl/ast.hpp"
#include "hcl/scope.hpp"

namespace berth::hcl {

// Errors (unknown variable, missing key, index out of range, unsupported expression, a list
// interpolated into a string) carry the position of the offending expression.
Result<Value> evaluate(const Expression& expression, const Scope& scope);

}  // namespace berth::hcl

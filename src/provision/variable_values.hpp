// Values for the declared input variables of a directory, from the places Terraform reads them,
// later sources winning: `terraform.tfvars`, then `*.auto.tfvars` (by name), then each
// `-var-file` in order, then each `-var NAME=VALUE` in order.
//
// A -var value is a string unless it starts with `[` or `{`, in which case it is read as an HCL
// list or object literal (`-var 'repos=["a","b"]'`). Values in .tfvars files are constants.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "common/result.hpp"
#include "hcl/ast.hpp"

namespace berth::provision {

// Declared variable names, with where each was declared.
using DeclaredVariables = std::map<std::string, hcl::Position, std::less<>>;

// An object of name → value for the variables given a value. Setting an undeclared variable is
// an error (with a "did you mean"), in a file as on the command line.
Result<hcl::Value> read_variable_values(const std::filesystem::path& dir, const std::vector<std::string>& var_files,
                                        const std::vector<std::pair<std::string, std::string>>& vars,
                                        const DeclaredVariables& declared);

}  // namespace berth::provision

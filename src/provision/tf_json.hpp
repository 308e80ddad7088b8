// Terraform's JSON configuration syntax (`*.tf.json`), read into the same hcl::Body the native
// syntax produces, with file:line:col positions, so declarations in either form go through one
// path. Only what declarations use is converted: `module`, `variable` and `locals`; other
// top-level keys (resource, provider, terraform, output, ...) are ignored, and `"//"` keys are
// comments, as in Terraform.
//
// As in Terraform, strings in module arguments and locals are templates (`"${var.x}"`), while a
// variable's `default` is taken literally.
#pragma once

#include <string>
#include <string_view>

#include "common/result.hpp"
#include "hcl/ast.hpp"

namespace berth::provision {

Result<hcl::Body> parse_tf_json(std::string_view text, const std::string& file_name);

}  // namespace berth::provision

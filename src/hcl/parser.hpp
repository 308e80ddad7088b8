// Reads HCL native syntax (the subset Terraform `.tf` files and berth's config use) into a Body.
//
//   auto body = hcl::parse_file("server.hcl");
//   if (!body) return body.error();          // "server.hcl:3:14: unterminated string"
//   for (const auto& block : body->blocks) ...
//
// Syntax errors (unbalanced brackets, bad escapes, unterminated strings or heredocs, duplicate
// attributes, invalid UTF-8) fail the parse. Valid HCL that berth cannot evaluate becomes an
// Unsupported expression (see ast.hpp). Any input, however malformed, yields a Body or an Error.
// The grammar accepted is described in docs/configuration.md.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "common/result.hpp"
#include "hcl/ast.hpp"

namespace berth::hcl {

// `file_name` appears in positions and error messages.
Result<Body> parse(std::string_view text, std::string file_name);

// Reads and parses a file; I/O failures are not_found (missing file) or internal.
Result<Body> parse_file(const std::filesystem::path& path);

}  // namespace berth::hcl

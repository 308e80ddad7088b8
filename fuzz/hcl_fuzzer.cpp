// HCL native syntax (hcl/): `.tf` declarations, tfvars and `-var` values, and the server's config
// file (app/settings). Input: a byte choosing declarations or config, then the file's text.
#include "app/settings.hpp"
#include "fuzz_input.hpp"
#include "hcl/evaluator.hpp"
#include "hcl/parser.hpp"
#include "hcl/scope.hpp"

using berth::fuzz::check;
namespace hcl = berth::hcl;

namespace {

constexpr std::string_view kFileName = "fuzz.tf";

// Every refusal points at the file (file:line:col), as the parser and evaluator promise.
void check_positioned(const berth::Error& error) {
  check(error.message.starts_with(kFileName), "an error without file:line:col");
}

void evaluate_body(const hcl::Body& body, const hcl::Scope& scope) {
  for (const auto& attribute : body.attributes) {
    if (const auto value = hcl::evaluate(attribute.expression, scope); !value) check_positioned(value.error());
  }
  for (const auto& block : body.blocks) evaluate_body(block.body, scope);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  berth::fuzz::Input input(data, size);
  if (input.byte() % 2 == 1) {
    const auto settings = berth::app::parse_settings(input.rest(), std::string(kFileName));
    if (!settings) check_positioned(settings.error());
    return 0;
  }
  const auto body = hcl::parse(input.rest(), std::string(kFileName));
  if (!body) {
    check_positioned(body.error());
    return 0;
  }
  const auto scope = hcl::build_scope(*body);
  if (!scope) {
    check_positioned(scope.error());
    return 0;
  }
  evaluate_body(*body, *scope);
  return 0;
}

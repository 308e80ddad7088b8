// Terraform JSON declarations (`*.tf.json`, provision/tf_json), read into the HCL tree and
// evaluated as the native syntax is.
#include "fuzz_input.hpp"
#include "hcl/evaluator.hpp"
#include "hcl/scope.hpp"
#include "provision/tf_json.hpp"

using berth::fuzz::check;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto body = berth::provision::parse_tf_json(std::string_view(reinterpret_cast<const char*>(data), size),
                                                    "fuzz.tf.json");
  if (!body) {
    check(body.error().message.starts_with("fuzz.tf.json"), "an error without file:line:col");
    return 0;
  }
  const auto scope = berth::hcl::build_scope(*body);
  if (!scope) return 0;
  for (const auto& block : body->blocks) {
    for (const auto& attribute : block.body.attributes) (void)berth::hcl::evaluate(attribute.expression, *scope);
  }
  return 0;
}

// STS query-protocol requests (aws/form_params, aws/sts_request): the form body of
// AssumeRoleWithWebIdentity, sent before any credential is checked.
#include <algorithm>
#include <cctype>

#include "aws/form_params.hpp"
#include "aws/sts_request.hpp"
#include "fuzz_input.hpp"

using berth::fuzz::check;
namespace aws = berth::aws;

namespace {

bool is_compact_jws(std::string_view token) {
  return token.size() >= 8 && std::count(token.begin(), token.end(), '.') == 2 &&
         std::all_of(token.begin(), token.end(), [](char c) {
           return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
         });
}

// The token is a credential: refusals must never quote it. Only token-shaped values are checked, since
// the fuzzer otherwise crafts a "token" out of the refusal's own wording or another parameter's value.
void check_token_not_quoted(const aws::FormParams& params, const berth::Error& error) {
  const auto token = params.get("WebIdentityToken");
  if (!token || !is_compact_jws(*token)) return;
  for (const auto& [name, value] : params.all()) {
    if (name != "WebIdentityToken" && (value.find(*token) != std::string::npos || name.find(*token) != std::string::npos)) {
      return;
    }
  }
  check(error.message.find(*token) == std::string::npos, "a refusal quotes the web identity token");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto params = aws::FormParams::parse(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!params) return 0;
  for (const auto& [name, value] : params->all()) {
    check(params->get(name).has_value(), "a parsed name that get() cannot find");
    check(params->has_prefix(name), "a name that is not its own prefix");
  }
  const auto request = aws::parse_assume_role_with_web_identity(*params, std::chrono::seconds(3600));
  if (!request) {
    check(request.error().code == berth::ErrorCode::aws_validation_error, "refusal other than a validation error");
    check_token_not_quoted(*params, request.error());
    return 0;
  }
  check(request->duration >= std::chrono::seconds(900) && request->duration <= std::chrono::seconds(43200),
        "accepted a duration outside 900..43200 s");
  check(request->role_session_name.size() >= 2 && request->role_session_name.size() <= 64,
        "accepted a session name outside 2..64 characters");
  check(!request->web_identity_token.empty(), "accepted without a web identity token");
  return 0;
}

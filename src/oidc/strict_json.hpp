// JSON from identity providers and tokens, parsed strictly: RFC 7515 §5.2 and RFC 7519 §7.2 let a
// verifier refuse duplicate member names, and we do, because two parsers that pick different
// duplicates disagree about what a token says.
#pragma once

#include <nlohmann/json.hpp>

#include <string_view>

#include "common/result.hpp"

namespace berth::oidc {

// invalid_argument for malformed JSON (including invalid UTF-8), a duplicate member name in any
// object, or a top-level value that is not an object. Callers map the code to their protocol.
Result<nlohmann::json> parse_json_object(std::string_view text);

}  // namespace berth::oidc

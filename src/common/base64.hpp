// Base64 (RFC 4648 §4, padded) and base64url (RFC 4648 §5, unpadded as JOSE uses it, RFC 7515 §2).
// Decoding is strict because the input is untrusted (JWTs, ECR passwords, session tokens): one
// accepted spelling per byte string, so no whitespace, no mixed alphabets, exact padding, and the
// unused low bits of the last character must be zero. Pure functions, thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "common/result.hpp"

namespace berth::base64 {

// "+/" alphabet with "=" padding.
std::string encode(std::string_view bytes);
// "-_" alphabet, no padding.
std::string encode_url(std::string_view bytes);

// invalid_argument unless `text` is exactly what encode() produces for some byte string.
Result<std::string> decode(std::string_view text);
// invalid_argument unless `text` is exactly what encode_url() produces for some byte string.
Result<std::string> decode_url(std::string_view text);

}  // namespace berth::base64

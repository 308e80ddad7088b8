// GitHub's secret encryption (interfaces.md §9.4): the value sealed with libsodium's
// crypto_box_seal for the repository's or environment's Curve25519 public key, both key and result
// in standard padded base64 (sodium's ORIGINAL variant). Thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "common/result.hpp"

namespace berth::provision {

// invalid_argument when `public_key_base64` is not base64 of a 32-byte key.
Result<std::string> seal_secret(std::string_view public_key_base64, std::string_view plaintext);

}  // namespace berth::provision

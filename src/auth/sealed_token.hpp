// Authenticated encryption of server-issued credentials under the key ring (AES-256-GCM, OpenSSL
// EVP). The layer below session tokens and registry passwords: it knows bytes and purposes, not
// claims.
//
// Token text: base64url (unpadded) of
//   version (1 byte, 1) | purpose (1 byte) | key id (4 bytes) | nonce (12 random bytes)
//   | ciphertext | GCM tag (16 bytes)
// The first six bytes travel in the clear and are the associated data, so flipping any bit of the
// version, purpose or key id fails authentication like a flip anywhere else. The purpose keeps one
// kind of credential from being accepted as another. Random 96-bit nonces are safe for 2^32 seals
// per key; rotate keys well before that.
//
// Pure functions over a const KeyRing; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "auth/key_ring.hpp"
#include "common/result.hpp"

namespace berth::auth {

enum class TokenPurpose : std::uint8_t { session = 1, registry_password = 2, blob_download = 3, access_key_secret = 4 };

inline constexpr std::uint8_t kSealedTokenVersion = 1;
// Longer text is refused before decoding: honest tokens stay far below (a full session policy is
// 2 KiB), and the limit bounds the work an attacker can cause.
inline constexpr std::size_t kMaxSealedTokenLength = 8192;

// Seals `plaintext` under the ring's active key. internal only if the CSPRNG or OpenSSL fails.
Result<std::string> seal_token(const KeyRing& ring, TokenPurpose purpose, std::string_view plaintext);

// The plaintext of a token sealed for `purpose` by a key in `ring`. invalid_argument, with a message
// for logs (never for clients), when the text is too long, not base64url, truncated, of another
// version or purpose, sealed by an unknown key, or fails authentication.
Result<std::string> open_token(const KeyRing& ring, TokenPurpose purpose, std::string_view token);

}  // namespace berth::auth

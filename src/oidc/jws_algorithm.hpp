// The JWS signature algorithms berth accepts (RFC 7518 §3) and their verification with OpenSSL.
// Only asymmetric algorithms exist here on purpose: `none` and the HS* family have no enumerator,
// so no code path can ever verify an HMAC with a public key as the secret.
#pragma once

#include <openssl/types.h>

#include <optional>
#include <string_view>

namespace berth::oidc {

enum class JwsAlgorithm { rs256, rs384, rs512, ps256, es256, es384 };

// The registered name ("RS256"); nullopt for every other name, including "none" and "HS256".
std::optional<JwsAlgorithm> parse_jws_algorithm(std::string_view name);
std::string_view jws_algorithm_name(JwsAlgorithm algorithm);

// True when `signature` (as carried in the JWS: RSA octets, or ECDSA raw R||S per RFC 7518 §3.4)
// is valid for `signing_input` under `key`. The caller has already checked that the key's type and
// curve allow `algorithm` (Jwk::allows); a mismatch here simply fails. Thread-safe.
bool verify_jws_signature(JwsAlgorithm algorithm, EVP_PKEY* key, std::string_view signing_input,
                          std::string_view signature);

}  // namespace berth::oidc

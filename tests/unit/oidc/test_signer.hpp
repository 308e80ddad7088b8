// Test-only JWT issuer: generates keys, publishes them as JWKs, and signs tokens the way GitHub
// Actions and CircleCI do (and the way attackers would, for the refusal tests).
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>

#include "oidc/jwks.hpp"

namespace berth::oidc::testing {

UniqueEvpPkey generate_rsa_key(unsigned bits);
UniqueEvpPkey generate_ec_key(const char* curve);  // "P-256", "P-384"

// The public half as a JWK object; `alg` is added when given.
nlohmann::json public_jwk(EVP_PKEY* key, std::string_view kid, std::optional<std::string_view> alg = std::nullopt);
std::string jwks_document(const nlohmann::json& jwk_array);

// The signature `alg` ("RS256", ..., "ES384") over `signing_input`, in JWS form (ECDSA as raw R||S).
std::string jws_signature(EVP_PKEY* key, std::string_view alg, std::string_view signing_input);
std::string hmac_sha256(std::string_view secret, std::string_view signing_input);

// base64url(header_text) "." base64url(payload_text): the bytes a JWS signature covers.
std::string signing_input(std::string_view header_text, std::string_view payload_text);

// A compact JWS signed with `key`; the header gets `alg` and `kid` added.
std::string sign_jwt(EVP_PKEY* key, std::string_view alg, std::string_view kid, const nlohmann::json& claims);

}  // namespace berth::oidc::testing

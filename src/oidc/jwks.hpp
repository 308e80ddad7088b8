// JSON Web Keys (RFC 7517) from an identity provider's JWKS document, turned into OpenSSL public
// keys once, when the document is parsed, so that verifying a token does no key parsing.
//
// The key decides which algorithms may be verified with it (Jwk::allows): RSA keys (>= 2048 bits)
// allow RS256/RS384/RS512/PS256, EC P-256 only ES256, EC P-384 only ES384; a JWK `alg` narrows this
// to exactly that algorithm. Immutable after parse; safe to share between threads.
#pragma once

#include <openssl/types.h>

#include <nlohmann/json.hpp>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "oidc/jws_algorithm.hpp"

namespace berth::oidc {

enum class KeyType { rsa, ec };

struct EvpPkeyFree {
  void operator()(EVP_PKEY* key) const;
};
using UniqueEvpPkey = std::unique_ptr<EVP_PKEY, EvpPkeyFree>;

// RSA moduli below this are refused (NIST SP 800-131A).
inline constexpr int kMinimumRsaBits = 2048;

class Jwk {
 public:
  // One member of a JWKS `keys` array. invalid_argument, with the reason, for a key berth cannot
  // use: see Jwks::parse.
  static Result<Jwk> parse(const nlohmann::json& jwk);

  const std::string& kid() const { return kid_; }
  KeyType kty() const { return kty_; }
  // The JWK's `alg` member when present (always one of JwsAlgorithm: other values make the key unusable).
  std::optional<JwsAlgorithm> alg() const { return alg_; }
  // `use` as published; empty when absent (only "sig" or absent keys are kept).
  const std::string& use() const { return use_; }
  // "P-256" or "P-384" for EC keys, empty for RSA.
  const std::string& crv() const { return crv_; }
  // Borrowed; lives as long as this Jwk.
  EVP_PKEY* public_key() const { return key_.get(); }

  bool allows(JwsAlgorithm algorithm) const;

 private:
  std::string kid_;
  KeyType kty_ = KeyType::rsa;
  std::optional<JwsAlgorithm> alg_;
  std::string use_;
  std::string crv_;
  UniqueEvpPkey key_;
};

class Jwks {
 public:
  // A key left out of the set, and why (for the fetcher's log: an issuer that publishes only
  // unusable keys shows up as "unknown kid" at verification time).
  struct SkippedKey {
    std::string kid;  // empty when the key had none
    std::string reason;
  };

  // Parses `{"keys": [...]}`. Keys berth cannot use are skipped, not fatal, so that one exotic key
  // does not take down an issuer: unknown kty or crv, `use` other than "sig", an `alg` that is not
  // an accepted JWS algorithm for the key, missing kid, bad or weak key material, a repeated kid
  // (the first wins). aws_idp_communication_error when the document itself is malformed: not
  // strict JSON (see strict_json.hpp), no `keys` array, or an entry that is not an object.
  static Result<Jwks> parse(std::string_view json);

  // nullptr when no usable key has this kid.
  const Jwk* find(std::string_view kid) const;
  const std::vector<Jwk>& keys() const { return keys_; }
  const std::vector<SkippedKey>& skipped() const { return skipped_; }

 private:
  std::vector<Jwk> keys_;
  std::vector<SkippedKey> skipped_;
};

}  // namespace berth::oidc

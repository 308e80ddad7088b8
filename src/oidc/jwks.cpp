#include "oidc/jwks.hpp"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include <set>

#include "common/base64.hpp"
#include "oidc/strict_json.hpp"

namespace berth::oidc {
namespace {

struct PkeyCtxFree {
  void operator()(EVP_PKEY_CTX* ctx) const { EVP_PKEY_CTX_free(ctx); }
};
struct ParamBuildFree {
  void operator()(OSSL_PARAM_BLD* build) const { OSSL_PARAM_BLD_free(build); }
};
struct ParamFree {
  void operator()(OSSL_PARAM* params) const { OSSL_PARAM_free(params); }
};
struct BignumFree {
  void operator()(BIGNUM* bn) const { BN_free(bn); }
};
using UniqueBignum = std::unique_ptr<BIGNUM, BignumFree>;
using UniqueParamBuild = std::unique_ptr<OSSL_PARAM_BLD, ParamBuildFree>;

Error unusable(std::string reason) { return make_error(ErrorCode::invalid_argument, std::move(reason)); }

// A JWK string member: nullopt when absent, an error when present but not a string.
Result<std::optional<std::string>> optional_string(const nlohmann::json& jwk, const char* name) {
  auto member = jwk.find(name);
  if (member == jwk.end()) return std::optional<std::string>{};
  if (!member->is_string()) return unusable(std::string(name) + " is not a string");
  return std::optional<std::string>(member->get<std::string>());
}

// A required base64url member, decoded.
Result<std::string> required_bytes(const nlohmann::json& jwk, const char* name) {
  auto member = jwk.find(name);
  if (member == jwk.end() || !member->is_string()) return unusable(std::string(name) + " is missing or not a string");
  auto bytes = base64::decode_url(member->get_ref<const std::string&>());
  if (!bytes.ok() || bytes->empty()) return unusable(std::string(name) + " is not base64url");
  return std::move(bytes).value();
}

UniqueBignum to_bignum(std::string_view big_endian) {
  return UniqueBignum(BN_bin2bn(reinterpret_cast<const unsigned char*>(big_endian.data()),
                                static_cast<int>(big_endian.size()), nullptr));
}

// Builds a public key of `type` ("RSA", "EC") from parameters, then lets OpenSSL check it (RSA
// sanity, EC point on the curve), so a malformed key is refused here, not at every verification.
Result<UniqueEvpPkey> key_from_params(const char* type, OSSL_PARAM_BLD* build) {
  std::unique_ptr<OSSL_PARAM, ParamFree> params(OSSL_PARAM_BLD_to_param(build));
  std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree> ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  EVP_PKEY* raw = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params.get()) != 1) {
    ERR_clear_error();
    return unusable("key material rejected by OpenSSL");
  }
  UniqueEvpPkey key(raw);
  std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree> check(EVP_PKEY_CTX_new_from_pkey(nullptr, key.get(), nullptr));
  if (!check || EVP_PKEY_public_check(check.get()) != 1) {
    ERR_clear_error();
    return unusable("public key check failed");
  }
  return key;
}

Result<UniqueEvpPkey> rsa_key(const nlohmann::json& jwk) {
  auto n = required_bytes(jwk, "n");
  if (!n.ok()) return std::move(n).error();
  auto e = required_bytes(jwk, "e");
  if (!e.ok()) return std::move(e).error();
  UniqueBignum modulus = to_bignum(*n);
  UniqueBignum exponent = to_bignum(*e);
  UniqueParamBuild build(OSSL_PARAM_BLD_new());
  if (!modulus || !exponent || !build ||
      OSSL_PARAM_BLD_push_BN(build.get(), OSSL_PKEY_PARAM_RSA_N, modulus.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(build.get(), OSSL_PKEY_PARAM_RSA_E, exponent.get()) != 1) {
    return unusable("cannot build RSA parameters");
  }
  auto key = key_from_params("RSA", build.get());
  if (!key.ok()) return key;
  if (EVP_PKEY_get_bits(key->get()) < kMinimumRsaBits) {
    return unusable("RSA key of " + std::to_string(EVP_PKEY_get_bits(key->get())) + " bits is too small");
  }
  return key;
}

// RFC 7518 §6.2.1: x and y are exactly the field size.
Result<UniqueEvpPkey> ec_key(const nlohmann::json& jwk, const std::string& crv) {
  const std::size_t field_size = crv == "P-256" ? 32 : 48;
  auto x = required_bytes(jwk, "x");
  if (!x.ok()) return std::move(x).error();
  auto y = required_bytes(jwk, "y");
  if (!y.ok()) return std::move(y).error();
  if (x->size() != field_size || y->size() != field_size) return unusable("EC coordinates have the wrong length");
  std::string point = "\x04" + *x + *y;  // SEC 1 uncompressed point
  UniqueParamBuild build(OSSL_PARAM_BLD_new());
  if (!build || OSSL_PARAM_BLD_push_utf8_string(build.get(), OSSL_PKEY_PARAM_GROUP_NAME, crv.c_str(), 0) != 1 ||
      OSSL_PARAM_BLD_push_octet_string(build.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size()) != 1) {
    return unusable("cannot build EC parameters");
  }
  return key_from_params("EC", build.get());
}

bool is_rsa_algorithm(JwsAlgorithm algorithm) {
  return algorithm == JwsAlgorithm::rs256 || algorithm == JwsAlgorithm::rs384 || algorithm == JwsAlgorithm::rs512 ||
         algorithm == JwsAlgorithm::ps256;
}

JwsAlgorithm curve_algorithm(const std::string& crv) {
  return crv == "P-256" ? JwsAlgorithm::es256 : JwsAlgorithm::es384;
}

}  // namespace

void EvpPkeyFree::operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }

bool Jwk::allows(JwsAlgorithm algorithm) const {
  if (alg_ && *alg_ != algorithm) return false;
  if (kty_ == KeyType::rsa) return is_rsa_algorithm(algorithm);
  return algorithm == curve_algorithm(crv_);
}

Result<Jwk> Jwk::parse(const nlohmann::json& jwk) {
  if (!jwk.is_object()) return unusable("key is not a JSON object");
  Jwk result;
  auto kid = optional_string(jwk, "kid");
  if (!kid.ok()) return std::move(kid).error();
  if (!*kid || (*kid)->empty()) return unusable("no kid");
  result.kid_ = std::move(**kid);

  auto use = optional_string(jwk, "use");
  if (!use.ok()) return std::move(use).error();
  if (*use && **use != "sig") return unusable("use is not sig");
  result.use_ = use->value_or("");

  auto alg = optional_string(jwk, "alg");
  if (!alg.ok()) return std::move(alg).error();
  if (*alg) {
    result.alg_ = parse_jws_algorithm(**alg);
    if (!result.alg_) return unusable("unsupported alg " + **alg);
  }

  auto kty = optional_string(jwk, "kty");
  if (!kty.ok()) return std::move(kty).error();
  Result<UniqueEvpPkey> key = unusable("unsupported kty");
  if (*kty == "RSA") {
    result.kty_ = KeyType::rsa;
    if (result.alg_ && !is_rsa_algorithm(*result.alg_)) return unusable("alg does not fit an RSA key");
    key = rsa_key(jwk);
  } else if (*kty == "EC") {
    result.kty_ = KeyType::ec;
    auto crv = optional_string(jwk, "crv");
    if (!crv.ok()) return std::move(crv).error();
    if (*crv != "P-256" && *crv != "P-384") return unusable("unsupported crv");
    result.crv_ = std::move(**crv);
    if (result.alg_ && *result.alg_ != curve_algorithm(result.crv_)) return unusable("alg does not fit the curve");
    key = ec_key(jwk, result.crv_);
  }
  if (!key.ok()) return std::move(key).error();
  result.key_ = std::move(key).value();
  return result;
}

Result<Jwks> Jwks::parse(std::string_view json) {
  auto document = parse_json_object(json);
  if (!document.ok()) {
    return make_error(ErrorCode::aws_idp_communication_error, "JWKS document: " + document.error().message);
  }
  auto keys = document->find("keys");
  if (keys == document->end() || !keys->is_array()) {
    return make_error(ErrorCode::aws_idp_communication_error, "JWKS document has no keys array");
  }
  Jwks result;
  std::set<std::string, std::less<>> seen;
  for (const auto& entry : *keys) {
    if (!entry.is_object()) {
      return make_error(ErrorCode::aws_idp_communication_error, "JWKS keys entry is not an object");
    }
    auto jwk = Jwk::parse(entry);
    if (!jwk.ok()) {
      auto kid = entry.find("kid");
      result.skipped_.push_back(
          {kid != entry.end() && kid->is_string() ? kid->get<std::string>() : std::string(), jwk.error().message});
    } else if (!seen.insert(jwk->kid()).second) {
      result.skipped_.push_back({jwk->kid(), "repeated kid"});
    } else {
      result.keys_.push_back(std::move(jwk).value());
    }
  }
  return result;
}

const Jwk* Jwks::find(std::string_view kid) const {
  for (const auto& key : keys_) {
    if (key.kid() == kid) return &key;
  }
  return nullptr;
}

}  // namespace berth::oidc

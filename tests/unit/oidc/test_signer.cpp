#include "oidc/test_signer.hpp"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rsa.h>

#include <memory>
#include <stdexcept>

#include "common/base64.hpp"

namespace berth::oidc::testing {
namespace {

struct BignumFree {
  void operator()(BIGNUM* bn) const { BN_free(bn); }
};
using UniqueBignum = std::unique_ptr<BIGNUM, BignumFree>;

void require(bool ok, const char* what) {
  if (!ok) throw std::runtime_error(std::string("test signer: ") + what);
}

UniqueBignum bn_param(EVP_PKEY* key, const char* name) {
  BIGNUM* bn = nullptr;
  require(EVP_PKEY_get_bn_param(key, name, &bn) == 1, name);
  return UniqueBignum(bn);
}

std::string bn_bytes(const BIGNUM* bn, int size) {
  std::string out(static_cast<std::size_t>(size), '\0');
  require(BN_bn2binpad(bn, reinterpret_cast<unsigned char*>(out.data()), size) == size, "BN_bn2binpad");
  return out;
}

int ec_field_size(std::string_view alg) { return alg == "ES256" ? 32 : 48; }

const EVP_MD* digest_for(std::string_view alg) {
  if (alg.ends_with("384")) return EVP_sha384();
  if (alg.ends_with("512")) return EVP_sha512();
  return EVP_sha256();
}

}  // namespace

UniqueEvpPkey generate_rsa_key(unsigned bits) {
  UniqueEvpPkey key(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(bits)));
  require(key != nullptr, "RSA keygen");
  return key;
}

UniqueEvpPkey generate_ec_key(const char* curve) {
  UniqueEvpPkey key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", curve));
  require(key != nullptr, "EC keygen");
  return key;
}

nlohmann::json public_jwk(EVP_PKEY* key, std::string_view kid, std::optional<std::string_view> alg) {
  nlohmann::json jwk{{"kid", kid}, {"use", "sig"}};
  if (EVP_PKEY_is_a(key, "RSA")) {
    auto n = bn_param(key, OSSL_PKEY_PARAM_RSA_N);
    auto e = bn_param(key, OSSL_PKEY_PARAM_RSA_E);
    jwk["kty"] = "RSA";
    jwk["n"] = base64::encode_url(bn_bytes(n.get(), BN_num_bytes(n.get())));
    jwk["e"] = base64::encode_url(bn_bytes(e.get(), BN_num_bytes(e.get())));
  } else {
    const int field_size = EVP_PKEY_get_bits(key) == 256 ? 32 : 48;
    jwk["kty"] = "EC";
    jwk["crv"] = field_size == 32 ? "P-256" : "P-384";
    jwk["x"] = base64::encode_url(bn_bytes(bn_param(key, OSSL_PKEY_PARAM_EC_PUB_X).get(), field_size));
    jwk["y"] = base64::encode_url(bn_bytes(bn_param(key, OSSL_PKEY_PARAM_EC_PUB_Y).get(), field_size));
  }
  if (alg) jwk["alg"] = *alg;
  return jwk;
}

std::string jwks_document(const nlohmann::json& jwk_array) { return nlohmann::json{{"keys", jwk_array}}.dump(); }

std::string jws_signature(EVP_PKEY* key, std::string_view alg, std::string_view input) {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  EVP_PKEY_CTX* key_ctx = nullptr;
  require(EVP_DigestSignInit(ctx.get(), &key_ctx, digest_for(alg), nullptr, key) == 1, "DigestSignInit");
  if (alg.starts_with("PS")) {
    require(EVP_PKEY_CTX_set_rsa_padding(key_ctx, RSA_PKCS1_PSS_PADDING) == 1, "PSS padding");
    require(EVP_PKEY_CTX_set_rsa_pss_saltlen(key_ctx, RSA_PSS_SALTLEN_DIGEST) == 1, "PSS salt");
  }
  std::size_t length = 0;
  const auto* data = reinterpret_cast<const unsigned char*>(input.data());
  require(EVP_DigestSign(ctx.get(), nullptr, &length, data, input.size()) == 1, "DigestSign size");
  std::string signature(length, '\0');
  require(
      EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &length, data, input.size()) == 1,
      "DigestSign");
  signature.resize(length);
  if (!alg.starts_with("ES")) return signature;

  // DER SEQUENCE{r, s} -> raw R||S (RFC 7518 §3.4).
  const auto* der = reinterpret_cast<const unsigned char*>(signature.data());
  std::unique_ptr<ECDSA_SIG, decltype(&ECDSA_SIG_free)> sig(
      d2i_ECDSA_SIG(nullptr, &der, static_cast<long>(signature.size())), ECDSA_SIG_free);
  require(sig != nullptr, "d2i_ECDSA_SIG");
  return bn_bytes(ECDSA_SIG_get0_r(sig.get()), ec_field_size(alg)) +
         bn_bytes(ECDSA_SIG_get0_s(sig.get()), ec_field_size(alg));
}

std::string hmac_sha256(std::string_view secret, std::string_view input) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  require(HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
               reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac, &length) != nullptr,
          "HMAC");
  return std::string(reinterpret_cast<const char*>(mac), length);
}

std::string signing_input(std::string_view header_text, std::string_view payload_text) {
  return base64::encode_url(header_text) + "." + base64::encode_url(payload_text);
}

std::string sign_jwt(EVP_PKEY* key, std::string_view alg, std::string_view kid, const nlohmann::json& claims) {
  nlohmann::json header{{"alg", alg}, {"kid", kid}, {"typ", "JWT"}};
  std::string input = signing_input(header.dump(), claims.dump());
  return input + "." + base64::encode_url(jws_signature(key, alg, input));
}

}  // namespace berth::oidc::testing

#include "oidc/jws_algorithm.hpp"

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include <array>
#include <memory>
#include <string>

namespace berth::oidc {
namespace {

struct AlgorithmInfo {
  JwsAlgorithm algorithm;
  std::string_view name;
  const EVP_MD* (*digest)();
};

constexpr std::array<AlgorithmInfo, 6> kAlgorithms{{
    {JwsAlgorithm::rs256, "RS256", EVP_sha256},
    {JwsAlgorithm::rs384, "RS384", EVP_sha384},
    {JwsAlgorithm::rs512, "RS512", EVP_sha512},
    {JwsAlgorithm::ps256, "PS256", EVP_sha256},
    {JwsAlgorithm::es256, "ES256", EVP_sha256},
    {JwsAlgorithm::es384, "ES384", EVP_sha384},
}};

// kAlgorithms lists the enumerators in declaration order.
const AlgorithmInfo& info(JwsAlgorithm algorithm) { return kAlgorithms[static_cast<std::size_t>(algorithm)]; }

bool is_ecdsa(JwsAlgorithm algorithm) { return algorithm == JwsAlgorithm::es256 || algorithm == JwsAlgorithm::es384; }

// RFC 7518 §3.4: R and S are each exactly the curve's field size, big-endian.
std::size_t ecdsa_component_size(JwsAlgorithm algorithm) { return algorithm == JwsAlgorithm::es256 ? 32 : 48; }

struct MdCtxFree {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};
struct EcdsaSigFree {
  void operator()(ECDSA_SIG* sig) const { ECDSA_SIG_free(sig); }
};
struct BignumFree {
  void operator()(BIGNUM* bn) const { BN_free(bn); }
};

// OpenSSL verifies ECDSA signatures in DER (SEQUENCE of two INTEGERs); empty on malformed input.
std::string ecdsa_raw_to_der(std::string_view raw, std::size_t component_size) {
  if (raw.size() != 2 * component_size) return {};
  const auto* bytes = reinterpret_cast<const unsigned char*>(raw.data());
  std::unique_ptr<BIGNUM, BignumFree> r(BN_bin2bn(bytes, static_cast<int>(component_size), nullptr));
  std::unique_ptr<BIGNUM, BignumFree> s(BN_bin2bn(bytes + component_size, static_cast<int>(component_size), nullptr));
  std::unique_ptr<ECDSA_SIG, EcdsaSigFree> sig(ECDSA_SIG_new());
  if (!r || !s || !sig || ECDSA_SIG_set0(sig.get(), r.get(), s.get()) != 1) return {};
  r.release();  // now owned by sig
  s.release();
  int length = i2d_ECDSA_SIG(sig.get(), nullptr);
  if (length <= 0) return {};
  std::string der(static_cast<std::size_t>(length), '\0');
  auto* out = reinterpret_cast<unsigned char*>(der.data());
  if (i2d_ECDSA_SIG(sig.get(), &out) != length) return {};
  return der;
}

}  // namespace

std::optional<JwsAlgorithm> parse_jws_algorithm(std::string_view name) {
  for (const auto& entry : kAlgorithms) {
    if (entry.name == name) return entry.algorithm;
  }
  return std::nullopt;
}

std::string_view jws_algorithm_name(JwsAlgorithm algorithm) { return info(algorithm).name; }

namespace {

bool digest_verify(JwsAlgorithm algorithm, EVP_PKEY* key, std::string_view signing_input, std::string_view signature) {
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  EVP_PKEY_CTX* key_ctx = nullptr;  // owned by ctx
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), &key_ctx, info(algorithm).digest(), nullptr, key) != 1) return false;
  if (algorithm == JwsAlgorithm::ps256) {
    // RFC 7518 §3.5: MGF1 with the same hash, salt as long as the hash.
    if (EVP_PKEY_CTX_set_rsa_padding(key_ctx, RSA_PKCS1_PSS_PADDING) != 1 ||
        EVP_PKEY_CTX_set_rsa_pss_saltlen(key_ctx, RSA_PSS_SALTLEN_DIGEST) != 1 ||
        EVP_PKEY_CTX_set_rsa_mgf1_md(key_ctx, EVP_sha256()) != 1) {
      return false;
    }
  }
  return EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
                          reinterpret_cast<const unsigned char*>(signing_input.data()), signing_input.size()) == 1;
}

}  // namespace

bool verify_jws_signature(JwsAlgorithm algorithm, EVP_PKEY* key, std::string_view signing_input,
                          std::string_view signature) {
  std::string der;
  if (is_ecdsa(algorithm)) {
    der = ecdsa_raw_to_der(signature, ecdsa_component_size(algorithm));
    if (der.empty()) return false;
    signature = der;
  } else if (signature.size() != static_cast<std::size_t>(EVP_PKEY_get_size(key))) {
    return false;  // RFC 7518 §3.3: the signature is exactly as long as the modulus
  }
  bool valid = digest_verify(algorithm, key, signing_input, signature);
  // A refused signature leaves reasons on this thread's OpenSSL error queue, where a later TLS call
  // on the same thread would misread them as its own.
  if (!valid) ERR_clear_error();
  return valid;
}

}  // namespace berth::oidc

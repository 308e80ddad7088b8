#include "common/digest.hpp"

#include <openssl/evp.h>

#include <stdexcept>

namespace berth {
namespace {

std::size_t hex_length(DigestAlgorithm algorithm) {
  return algorithm == DigestAlgorithm::sha256 ? 64 : 128;
}

const EVP_MD* evp_md(DigestAlgorithm algorithm) {
  return algorithm == DigestAlgorithm::sha256 ? EVP_sha256() : EVP_sha512();
}

bool is_lower_hex(std::string_view text) {
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace

Result<Digest> Digest::parse(std::string_view text) {
  auto colon = text.find(':');
  if (colon == std::string_view::npos) {
    return make_error(ErrorCode::digest_invalid, "digest has no algorithm: " + std::string(text));
  }
  std::string_view algorithm_text = text.substr(0, colon);
  std::string_view hex = text.substr(colon + 1);
  DigestAlgorithm algorithm;
  if (algorithm_text == "sha256") {
    algorithm = DigestAlgorithm::sha256;
  } else if (algorithm_text == "sha512") {
    algorithm = DigestAlgorithm::sha512;
  } else {
    return make_error(ErrorCode::digest_invalid,
                      "unsupported digest algorithm: " + std::string(algorithm_text));
  }
  if (hex.size() != hex_length(algorithm) || !is_lower_hex(hex)) {
    return make_error(ErrorCode::digest_invalid, "malformed digest: " + std::string(text));
  }
  return Digest(algorithm, std::string(hex));
}

std::string_view Digest::algorithm_name() const {
  return algorithm_ == DigestAlgorithm::sha256 ? "sha256" : "sha512";
}

std::string Digest::str() const {
  std::string out(algorithm_name());
  out += ':';
  out += hex_;
  return out;
}

struct Hasher::Impl {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  ~Impl() { EVP_MD_CTX_free(ctx); }
};

Hasher::Hasher(DigestAlgorithm algorithm) : algorithm_(algorithm), impl_(std::make_unique<Impl>()) {
  if (impl_->ctx == nullptr || EVP_DigestInit_ex(impl_->ctx, evp_md(algorithm), nullptr) != 1) {
    throw std::runtime_error("EVP_DigestInit_ex failed");
  }
}

Hasher::~Hasher() = default;
Hasher::Hasher(Hasher&&) noexcept = default;
Hasher& Hasher::operator=(Hasher&&) noexcept = default;

void Hasher::update(const void* data, std::size_t size) {
  EVP_DigestUpdate(impl_->ctx, data, size);
}

Digest Hasher::digest() const {
  EVP_MD_CTX* copy = EVP_MD_CTX_new();
  EVP_MD_CTX_copy_ex(copy, impl_->ctx);
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_DigestFinal_ex(copy, out, &length);
  EVP_MD_CTX_free(copy);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(length * 2);
  for (unsigned int i = 0; i < length; ++i) {
    hex += kHex[out[i] >> 4];
    hex += kHex[out[i] & 0xf];
  }
  return Digest(algorithm_, std::move(hex));
}

Digest Hasher::of(std::string_view bytes, DigestAlgorithm algorithm) {
  Hasher hasher(algorithm);
  hasher.update(bytes);
  return hasher.digest();
}

}  // namespace berth

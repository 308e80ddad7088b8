#include "auth/sealed_token.hpp"

#include <fmt/format.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <array>
#include <memory>

#include "common/base64.hpp"

namespace berth::auth {
namespace {

constexpr std::size_t kKeyIdBytes = 4;
constexpr std::size_t kHeaderBytes = 2 + kKeyIdBytes;
constexpr std::size_t kNonceBytes = 12;
constexpr std::size_t kTagBytes = 16;

using CipherContext = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

Error invalid(std::string message) {
  return make_error(ErrorCode::invalid_argument, "sealed token: " + std::move(message));
}
Error crypto_failure(std::string_view step) {
  return make_error(ErrorCode::internal, fmt::format("sealed token: OpenSSL {} failed", step));
}

const unsigned char* bytes(std::string_view text) { return reinterpret_cast<const unsigned char*>(text.data()); }
unsigned char* bytes(std::string& text) { return reinterpret_cast<unsigned char*>(text.data()); }

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// Key ids are 8 lower-case hex characters (key_ring.hpp); on the wire they are 4 bytes.
std::string key_id_bytes(std::string_view id) {
  std::string raw(kKeyIdBytes, '\0');
  for (std::size_t i = 0; i < kKeyIdBytes; ++i) {
    raw[i] = static_cast<char>(hex_value(id[2 * i]) << 4 | hex_value(id[2 * i + 1]));
  }
  return raw;
}

std::string key_id_text(std::string_view raw) {
  std::string id;
  for (unsigned char c : raw) id += fmt::format("{:02x}", c);
  return id;
}

// Fetched once: OpenSSL 3's implicit fetch behind EVP_aes_256_gcm() costs a lookup per call.
const EVP_CIPHER* aes_256_gcm() {
  static EVP_CIPHER* const cipher = EVP_CIPHER_fetch(nullptr, "AES-256-GCM", nullptr);
  return cipher;
}

}  // namespace

Result<std::string> seal_token(const KeyRing& ring, TokenPurpose purpose, std::string_view plaintext) {
  const RingKey& key = ring.active();
  std::string sealed;
  sealed.reserve(kHeaderBytes + kNonceBytes + plaintext.size() + kTagBytes);
  sealed += static_cast<char>(kSealedTokenVersion);
  sealed += static_cast<char>(purpose);
  sealed += key_id_bytes(key.id());
  std::array<unsigned char, kNonceBytes> nonce{};
  if (RAND_bytes(nonce.data(), static_cast<int>(nonce.size())) != 1) return crypto_failure("RAND_bytes");
  sealed.append(reinterpret_cast<const char*>(nonce.data()), nonce.size());

  CipherContext context(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
  int length = 0;
  if (!context || EVP_EncryptInit_ex(context.get(), aes_256_gcm(), nullptr, key.material().data(), nonce.data()) != 1) {
    return crypto_failure("encrypt init");
  }
  if (EVP_EncryptUpdate(context.get(), nullptr, &length, bytes(sealed), static_cast<int>(kHeaderBytes)) != 1) {
    return crypto_failure("associated data");
  }
  std::size_t offset = sealed.size();
  sealed.resize(offset + plaintext.size() + kTagBytes);
  if (EVP_EncryptUpdate(context.get(), bytes(sealed) + offset, &length, bytes(plaintext),
                        static_cast<int>(plaintext.size())) != 1) {
    return crypto_failure("encrypt");
  }
  offset += static_cast<std::size_t>(length);
  if (EVP_EncryptFinal_ex(context.get(), bytes(sealed) + offset, &length) != 1) return crypto_failure("encrypt final");
  offset += static_cast<std::size_t>(length);
  if (EVP_CIPHER_CTX_ctrl(context.get(), EVP_CTRL_GCM_GET_TAG, static_cast<int>(kTagBytes), bytes(sealed) + offset) !=
      1) {
    return crypto_failure("tag");
  }
  sealed.resize(offset + kTagBytes);
  return base64::encode_url(sealed);
}

Result<std::string> open_token(const KeyRing& ring, TokenPurpose purpose, std::string_view token) {
  if (token.size() > kMaxSealedTokenLength) return invalid(fmt::format("{} characters is too long", token.size()));
  Result<std::string> decoded = base64::decode_url(token);
  if (!decoded) return invalid("not base64url");
  std::string_view sealed = *decoded;
  if (sealed.size() < kHeaderBytes + kNonceBytes + kTagBytes) return invalid("truncated");
  if (static_cast<std::uint8_t>(sealed[0]) != kSealedTokenVersion) {
    return invalid(fmt::format("unsupported version {}", static_cast<unsigned>(static_cast<std::uint8_t>(sealed[0]))));
  }
  if (static_cast<std::uint8_t>(sealed[1]) != static_cast<std::uint8_t>(purpose))
    return invalid("sealed for another purpose");
  std::string id = key_id_text(sealed.substr(2, kKeyIdBytes));
  const RingKey* key = ring.find(id);
  if (key == nullptr) return invalid(fmt::format("unknown key id {}", id));

  std::string_view nonce = sealed.substr(kHeaderBytes, kNonceBytes);
  std::string_view ciphertext =
      sealed.substr(kHeaderBytes + kNonceBytes, sealed.size() - kHeaderBytes - kNonceBytes - kTagBytes);
  std::string tag(sealed.substr(sealed.size() - kTagBytes));

  CipherContext context(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
  int length = 0;
  if (!context ||
      EVP_DecryptInit_ex(context.get(), aes_256_gcm(), nullptr, key->material().data(), bytes(nonce)) != 1) {
    return crypto_failure("decrypt init");
  }
  if (EVP_DecryptUpdate(context.get(), nullptr, &length, bytes(sealed), static_cast<int>(kHeaderBytes)) != 1) {
    return crypto_failure("associated data");
  }
  std::string plaintext(ciphertext.size(), '\0');
  if (EVP_DecryptUpdate(context.get(), bytes(plaintext), &length, bytes(ciphertext),
                        static_cast<int>(ciphertext.size())) != 1) {
    return crypto_failure("decrypt");
  }
  std::size_t produced = static_cast<std::size_t>(length);
  if (EVP_CIPHER_CTX_ctrl(context.get(), EVP_CTRL_GCM_SET_TAG, static_cast<int>(kTagBytes), bytes(tag)) != 1) {
    return crypto_failure("tag");
  }
  if (EVP_DecryptFinal_ex(context.get(), bytes(plaintext) + produced, &length) != 1) {
    return invalid("authentication failed");
  }
  plaintext.resize(produced + static_cast<std::size_t>(length));
  return plaintext;
}

}  // namespace berth::auth

#include "provision/sealed_box.hpp"

#include <sodium.h>

#include <vector>

namespace berth::provision {

Result<std::string> seal_secret(std::string_view public_key_base64, std::string_view plaintext) {
  if (sodium_init() < 0) return make_error(ErrorCode::internal, "libsodium failed to initialise");

  unsigned char public_key[crypto_box_PUBLICKEYBYTES];
  std::size_t key_length = 0;
  if (sodium_base642bin(public_key, sizeof public_key, public_key_base64.data(), public_key_base64.size(), nullptr,
                        &key_length, nullptr, sodium_base64_VARIANT_ORIGINAL) != 0 ||
      key_length != sizeof public_key) {
    return make_error(ErrorCode::invalid_argument, "the public key is not base64 of a 32-byte Curve25519 key");
  }

  std::vector<unsigned char> sealed(crypto_box_SEALBYTES + plaintext.size());
  crypto_box_seal(sealed.data(), reinterpret_cast<const unsigned char*>(plaintext.data()), plaintext.size(),
                  public_key);

  std::string encoded(sodium_base64_encoded_len(sealed.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(encoded.data(), encoded.size(), sealed.data(), sealed.size(), sodium_base64_VARIANT_ORIGINAL);
  encoded.resize(encoded.size() - 1);  // sodium counts the terminating NUL
  return encoded;
}

}  // namespace berth::provision

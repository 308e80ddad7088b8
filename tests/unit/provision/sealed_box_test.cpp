#include "provision/sealed_box.hpp"

#include <gtest/gtest.h>
#include <sodium.h>

#include <string>
#include <vector>

namespace berth::provision {
namespace {

struct KeyPair {
  unsigned char public_key[crypto_box_PUBLICKEYBYTES];
  unsigned char secret_key[crypto_box_SECRETKEYBYTES];
  std::string public_base64;
};

KeyPair make_key_pair() {
  EXPECT_GE(sodium_init(), 0);
  KeyPair pair{};
  crypto_box_keypair(pair.public_key, pair.secret_key);
  std::string encoded(sodium_base64_encoded_len(sizeof pair.public_key, sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(encoded.data(), encoded.size(), pair.public_key, sizeof pair.public_key,
                    sodium_base64_VARIANT_ORIGINAL);
  encoded.pop_back();
  pair.public_base64 = encoded;
  return pair;
}

std::string open_sealed(const KeyPair& pair, const std::string& sealed_base64) {
  std::vector<unsigned char> sealed(sealed_base64.size());
  std::size_t length = 0;
  EXPECT_EQ(sodium_base642bin(sealed.data(), sealed.size(), sealed_base64.data(), sealed_base64.size(), nullptr,
                              &length, nullptr, sodium_base64_VARIANT_ORIGINAL),
            0);
  EXPECT_GE(length, crypto_box_SEALBYTES);
  std::string plain(length - crypto_box_SEALBYTES, '\0');
  EXPECT_EQ(crypto_box_seal_open(reinterpret_cast<unsigned char*>(plain.data()), sealed.data(), length, pair.public_key,
                                 pair.secret_key),
            0);
  return plain;
}

TEST(SealedBox, OpensWithTheMatchingSecretKey) {
  const KeyPair pair = make_key_pair();
  const std::string value = "arn:aws:iam::123456789012:role/berth-ecr-0123456789abcdef-github";
  Result<std::string> sealed = seal_secret(pair.public_base64, value);
  ASSERT_TRUE(sealed.ok()) << sealed.error().message;
  EXPECT_EQ(sealed->find(value), std::string::npos);
  EXPECT_EQ(open_sealed(pair, *sealed), value);
}

TEST(SealedBox, UsesTheStandardPaddedAlphabet) {
  const KeyPair pair = make_key_pair();
  Result<std::string> sealed = seal_secret(pair.public_base64, "x");  // 49 bytes: needs padding
  ASSERT_TRUE(sealed.ok());
  EXPECT_EQ(sealed->size(), 68u);
  EXPECT_EQ(sealed->back(), '=');
  EXPECT_EQ(sealed->find_first_of("-_"), std::string::npos);
}

TEST(SealedBox, EachSealIsFresh) {
  const KeyPair pair = make_key_pair();
  Result<std::string> first = seal_secret(pair.public_base64, "same");
  Result<std::string> second = seal_secret(pair.public_base64, "same");
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_NE(*first, *second);
  EXPECT_EQ(open_sealed(pair, *second), "same");
}

TEST(SealedBox, EmptyValueRoundTrips) {
  const KeyPair pair = make_key_pair();
  Result<std::string> sealed = seal_secret(pair.public_base64, "");
  ASSERT_TRUE(sealed.ok());
  EXPECT_EQ(open_sealed(pair, *sealed), "");
}

TEST(SealedBox, RejectsKeysThatAreNotThirtyTwoBytesOfBase64) {
  for (const std::string key : {"", "not base64!", "AAAA", "hqO3fGeWf_Qd7f9qsKTuvAPOWDYTs2h-l4OjH9JH_HM="}) {
    Result<std::string> sealed = seal_secret(key, "value");
    ASSERT_FALSE(sealed.ok()) << key;
    EXPECT_EQ(sealed.error().code, ErrorCode::invalid_argument);
    EXPECT_EQ(sealed.error().message.find("value"), std::string::npos);
  }
}

}  // namespace
}  // namespace berth::provision

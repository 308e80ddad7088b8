#include "auth/sealed_token.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <string>

#include "common/base64.hpp"

namespace berth::auth {
namespace {

RingKey key_of(char fill) { return *RingKey::from_bytes(std::string(kKeySize, fill)); }

std::string seal(const KeyRing& ring, std::string_view plaintext, TokenPurpose purpose = TokenPurpose::session) {
  Result<std::string> token = seal_token(ring, purpose, plaintext);
  EXPECT_TRUE(token.ok());
  return token.ok() ? *token : std::string();
}

std::string refusal(const KeyRing& ring, std::string_view token, TokenPurpose purpose = TokenPurpose::session) {
  Result<std::string> opened = open_token(ring, purpose, token);
  if (opened.ok()) return "opened";
  EXPECT_EQ(opened.error().code, ErrorCode::invalid_argument);
  return opened.error().message;
}

// Decodes, edits the raw bytes, re-encodes.
std::string edited(std::string_view token, const std::function<void(std::string&)>& edit) {
  std::string raw = *base64::decode_url(token);
  edit(raw);
  return base64::encode_url(raw);
}

TEST(SealedToken, RoundTripsWithAFreshNonceEachTime) {
  KeyRing ring(key_of('a'));
  constexpr std::string_view kPayload("payload bytes \x00\x01", 16);
  std::string one = seal(ring, kPayload, TokenPurpose::registry_password);
  std::string two = seal(ring, kPayload, TokenPurpose::registry_password);
  EXPECT_NE(one, two);
  EXPECT_EQ(*open_token(ring, TokenPurpose::registry_password, one), kPayload);
  EXPECT_EQ(*open_token(ring, TokenPurpose::registry_password, two), kPayload);
  EXPECT_EQ(one.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
            std::string::npos);
  // 6 header + 12 nonce + 16 plaintext + 16 tag bytes.
  EXPECT_EQ(base64::decode_url(one)->size(), 50u);
  EXPECT_EQ(*open_token(ring, TokenPurpose::session, seal(ring, "")), "");
}

TEST(SealedToken, AnyBitFlipIsRefused) {
  KeyRing ring(key_of('a'));
  std::string token = seal(ring, "role and secret");
  std::size_t bytes = base64::decode_url(token)->size();
  for (std::size_t bit = 0; bit < bytes * 8; ++bit) {
    std::string flipped =
        edited(token, [bit](std::string& raw) { raw[bit / 8] = static_cast<char>(raw[bit / 8] ^ (1 << (bit % 8))); });
    EXPECT_NE(refusal(ring, flipped), "opened") << "bit " << bit;
  }
}

TEST(SealedToken, TamperedCiphertextFailsAuthentication) {
  KeyRing ring(key_of('a'));
  std::string token = edited(seal(ring, "role and secret"), [](std::string& raw) { raw[20] ^= 0x01; });
  EXPECT_EQ(refusal(ring, token), "sealed token: authentication failed");
}

TEST(SealedToken, RefusesTruncatedInput) {
  KeyRing ring(key_of('a'));
  std::string token = seal(ring, "role and secret");
  EXPECT_EQ(refusal(ring, edited(token, [](std::string& raw) { raw.pop_back(); })),
            "sealed token: authentication failed");
  EXPECT_EQ(refusal(ring, edited(token, [](std::string& raw) { raw.resize(33); })), "sealed token: truncated");
  EXPECT_EQ(refusal(ring, ""), "sealed token: truncated");
}

TEST(SealedToken, RefusesAnotherVersion) {
  KeyRing ring(key_of('a'));
  std::string token = edited(seal(ring, "x"), [](std::string& raw) { raw[0] = 2; });
  EXPECT_EQ(refusal(ring, token), "sealed token: unsupported version 2");
}

TEST(SealedToken, RefusesAnotherPurpose) {
  KeyRing ring(key_of('a'));
  std::string session = seal(ring, "x", TokenPurpose::session);
  std::string password = seal(ring, "x", TokenPurpose::registry_password);
  EXPECT_EQ(refusal(ring, session, TokenPurpose::registry_password), "sealed token: sealed for another purpose");
  EXPECT_EQ(refusal(ring, password, TokenPurpose::session), "sealed token: sealed for another purpose");
  // Relabelling the purpose byte is caught by authentication.
  std::string relabelled =
      edited(session, [](std::string& raw) { raw[1] = static_cast<char>(TokenPurpose::registry_password); });
  EXPECT_EQ(refusal(ring, relabelled, TokenPurpose::registry_password), "sealed token: authentication failed");
}

TEST(SealedToken, OpensWithAnyRingKeyAndRefusesUnknownKeys) {
  KeyRing old_ring(key_of('a'));
  std::string token = seal(old_ring, "before rotation");
  KeyRing rotated(key_of('a'));
  ASSERT_TRUE(rotated.rotate(key_of('b')).ok());
  EXPECT_EQ(*open_token(rotated, TokenPurpose::session, token), "before rotation");
  std::string after = seal(rotated, "after rotation");
  EXPECT_EQ(refusal(old_ring, after), "sealed token: unknown key id " + key_of('b').id());
  KeyRing other(key_of('c'));
  EXPECT_EQ(refusal(other, token), "sealed token: unknown key id " + key_of('a').id());
}

TEST(SealedToken, RefusesTextThatIsNotBase64UrlOrTooLong) {
  KeyRing ring(key_of('a'));
  std::string token = seal(ring, "x");
  EXPECT_EQ(refusal(ring, token + "="), "sealed token: not base64url");
  EXPECT_EQ(refusal(ring, "+" + token.substr(1)), "sealed token: not base64url");
  EXPECT_EQ(refusal(ring, std::string(kMaxSealedTokenLength + 1, 'A')), "sealed token: 8193 characters is too long");
}

}  // namespace
}  // namespace berth::auth

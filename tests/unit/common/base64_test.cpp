#include "common/base64.hpp"

#include <gtest/gtest.h>

#include <string>

namespace berth {
namespace {

// RFC 4648 §10 test vectors.
struct Vector {
  std::string_view bytes;
  std::string_view encoded;
};
constexpr Vector kRfc4648Vectors[] = {{"", ""},
                                      {"f", "Zg=="},
                                      {"fo", "Zm8="},
                                      {"foo", "Zm9v"},
                                      {"foob", "Zm9vYg=="},
                                      {"fooba", "Zm9vYmE="},
                                      {"foobar", "Zm9vYmFy"}};

TEST(Base64, EncodesAndDecodesRfc4648Vectors) {
  for (const auto& vector : kRfc4648Vectors) {
    EXPECT_EQ(base64::encode(vector.bytes), vector.encoded);
    auto decoded = base64::decode(vector.encoded);
    ASSERT_TRUE(decoded.ok()) << vector.encoded;
    EXPECT_EQ(*decoded, vector.bytes);
  }
}

TEST(Base64Url, EncodesWithoutPaddingAndDecodes) {
  for (const auto& vector : kRfc4648Vectors) {
    std::string unpadded(vector.encoded.substr(0, vector.encoded.find('=')));
    EXPECT_EQ(base64::encode_url(vector.bytes), unpadded);
    auto decoded = base64::decode_url(unpadded);
    ASSERT_TRUE(decoded.ok()) << unpadded;
    EXPECT_EQ(*decoded, vector.bytes);
  }
}

TEST(Base64Url, UsesTheUrlAlphabet) {
  const std::string bytes("\xfb\xff\xbf", 3);
  EXPECT_EQ(base64::encode(bytes), "+/+/");
  EXPECT_EQ(base64::encode_url(bytes), "-_-_");
  EXPECT_EQ(*base64::decode_url("-_-_"), bytes);
  EXPECT_EQ(*base64::decode("+/+/"), bytes);
}

TEST(Base64Url, RoundTripsEveryByteValue) {
  std::string bytes;
  for (int i = 0; i < 256; ++i) bytes.push_back(static_cast<char>(i));
  for (std::size_t length = 0; length <= bytes.size(); length += 37) {
    std::string slice = bytes.substr(0, length);
    EXPECT_EQ(*base64::decode_url(base64::encode_url(slice)), slice);
    EXPECT_EQ(*base64::decode(base64::encode(slice)), slice);
  }
}

TEST(Base64, RefusesLooseSpellings) {
  for (std::string_view text :
       {"Zg", "Zg=", "Zg===", "Z===", "Zm9v\n", " Zm9v", "Zm-v", "Zm_v", "Zh==", "Zm9=", "Zg==Zg==", "=Zg="}) {
    auto decoded = base64::decode(text);
    ASSERT_FALSE(decoded.ok()) << text;
    EXPECT_EQ(decoded.error().code, ErrorCode::invalid_argument);
  }
}

TEST(Base64Url, RefusesLooseSpellings) {
  // Padding, the standard alphabet, impossible lengths, whitespace and non-zero trailing bits.
  for (std::string_view text : {"Zg==", "Zm8=", "+/+/", "Z", "Zm9vY", "Zm9v ", "Zm\n9v", "Zh", "Zm9", "Zm.v"}) {
    auto decoded = base64::decode_url(text);
    ASSERT_FALSE(decoded.ok()) << text;
    EXPECT_EQ(decoded.error().code, ErrorCode::invalid_argument);
  }
  EXPECT_FALSE(base64::decode_url(std::string("Zm\0v", 4)).ok());
}

}  // namespace
}  // namespace berth

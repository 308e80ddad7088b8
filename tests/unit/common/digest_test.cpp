#include "common/digest.hpp"

#include <gtest/gtest.h>

namespace berth {
namespace {

TEST(Digest, ParsesSha256) {
  auto digest = Digest::parse("sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a");
  ASSERT_TRUE(digest.ok());
  EXPECT_EQ(digest->algorithm(), DigestAlgorithm::sha256);
  EXPECT_EQ(digest->str(), "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a");
}

TEST(Digest, RefusesUpperCaseShortAndUnknownAlgorithms) {
  EXPECT_EQ(Digest::parse("sha256:44136FA355B3678A1146AD16F7E8649E94FB4FC21FE77E8310C060F61CAAFF8A").error().code,
            ErrorCode::digest_invalid);
  EXPECT_FALSE(Digest::parse("sha256:abc").ok());
  EXPECT_FALSE(Digest::parse("md5:d41d8cd98f00b204e9800998ecf8427e").ok());
  EXPECT_FALSE(Digest::parse("sha256").ok());
  EXPECT_FALSE(Digest::parse("").ok());
}

TEST(Hasher, MatchesKnownVectors) {
  EXPECT_EQ(Hasher::of("{}").str(), "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a");
  EXPECT_EQ(Hasher::of("", DigestAlgorithm::sha512).hex().substr(0, 16), "cf83e1357eefb8bd");
}

TEST(Hasher, IncrementalEqualsOneShot) {
  Hasher hasher;
  hasher.update("hello ");
  EXPECT_EQ(hasher.digest(), Hasher::of("hello "));  // digest() does not end the stream
  hasher.update("world");
  EXPECT_EQ(hasher.digest(), Hasher::of("hello world"));
}

}  // namespace
}  // namespace berth

// Download grants open one blob of one repository until they expire, and nothing else.
#include "auth/download_grant.hpp"

#include <gtest/gtest.h>

#include "auth/sealed_token.hpp"

namespace berth::auth {
namespace {

constexpr std::string_view kDigest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
constexpr std::int64_t kExpires = 1767225600;

KeyRing ring_of(char fill) { return KeyRing(*RingKey::from_bytes(std::string(kKeySize, fill))); }

TEST(DownloadGrant, OpensItsBlobUntilItExpires) {
  const KeyRing ring = ring_of('a');
  Result<std::string> grant = seal_download_grant(ring, "team/app", kDigest, kExpires);
  ASSERT_TRUE(grant.ok());
  EXPECT_TRUE(check_download_grant(ring, *grant, "team/app", kDigest, kExpires - 1).ok());
  EXPECT_EQ(check_download_grant(ring, *grant, "team/app", kDigest, kExpires).error().code, ErrorCode::unauthorized);
}

TEST(DownloadGrant, OpensNothingElse) {
  const KeyRing ring = ring_of('a');
  const std::string grant = *seal_download_grant(ring, "team/app", kDigest, kExpires);
  const std::string other_digest = "sha256:" + std::string(64, 'f');
  EXPECT_FALSE(check_download_grant(ring, grant, "team/app", other_digest, 0).ok());
  EXPECT_FALSE(check_download_grant(ring, grant, "team/other", kDigest, 0).ok());
  EXPECT_FALSE(check_download_grant(ring, grant, "team", kDigest, 0).ok());
  EXPECT_FALSE(check_download_grant(ring_of('b'), grant, "team/app", kDigest, 0).ok());
  std::string flipped = grant;
  flipped[flipped.size() / 2] = flipped[flipped.size() / 2] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(check_download_grant(ring, flipped, "team/app", kDigest, 0).ok());
  EXPECT_FALSE(check_download_grant(ring, "", "team/app", kDigest, 0).ok());
}

TEST(DownloadGrant, AnotherCredentialIsNoGrant) {
  const KeyRing ring = ring_of('a');
  const std::string password = *seal_token(ring, TokenPurpose::registry_password, "team/app\n" + std::string(kDigest) + "\n9999999999");
  EXPECT_FALSE(check_download_grant(ring, password, "team/app", kDigest, 0).ok());
}

}  // namespace
}  // namespace berth::auth

// Long-lived access keys: the secret leaves only once, the store keeps it sealed and bound to its
// key id, and a key acts as its role until it expires.
#include "auth/access_key.hpp"

#include <gtest/gtest.h>

namespace berth::auth {
namespace {

using namespace std::chrono_literals;

const std::chrono::sys_seconds kNow{std::chrono::sys_days{std::chrono::year{2026} / 12 / 1}};
const AccountSettings kAccount{"123456789012", "eu-west-2"};

KeyRing ring_of(char fill) { return KeyRing(*RingKey::from_bytes(std::string(kKeySize, fill))); }

TEST(AccessKey, IsIssuedSealedAndOpensAsItsRolesSession) {
  const KeyRing ring = ring_of('a');
  Result<IssuedAccessKey> key = issue_access_key(ring, "operator", kNow, 24h * 90);
  ASSERT_TRUE(key.ok());
  EXPECT_TRUE(key->record.id.starts_with("AKIA"));
  EXPECT_EQ(key->record.id.size(), 20u);
  EXPECT_EQ(key->secret_access_key.size(), 40u);
  EXPECT_EQ(key->record.sealed_secret.find(key->secret_access_key), std::string::npos);
  EXPECT_EQ(key->record.expires_unix - key->record.created_unix, 90 * 24 * 3600);

  Result<SessionClaims> session = access_key_session(ring, key->record, kAccount, kNow + 1h);
  ASSERT_TRUE(session.ok());
  EXPECT_EQ(session->secret_access_key, key->secret_access_key);
  EXPECT_EQ(session->role_arn, "arn:aws:iam::123456789012:role/operator");
  EXPECT_EQ(session->issued_at, kNow + 1h);
  EXPECT_EQ(session->expires_at.time_since_epoch().count(), key->record.expires_unix);
}

TEST(AccessKey, OpensNothingExpiredOrSealedElsewhere) {
  const KeyRing ring = ring_of('a');
  const IssuedAccessKey key = *issue_access_key(ring, "operator", kNow, 24h);
  EXPECT_EQ(access_key_session(ring, key.record, kAccount, kNow + 24h).error().code,
            ErrorCode::aws_invalid_client_token_id);
  EXPECT_FALSE(access_key_session(ring_of('b'), key.record, kAccount, kNow).ok());
  metadata::AccessKeyRecord renamed = key.record;
  renamed.id = "AKIAAAAAAAAAAAAAAAAA";
  EXPECT_FALSE(access_key_session(ring, renamed, kAccount, kNow).ok());
}

}  // namespace
}  // namespace berth::auth

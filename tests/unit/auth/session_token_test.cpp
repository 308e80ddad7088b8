#include "auth/session_token.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "auth/auth_fixtures.hpp"
#include "auth/sealed_token.hpp"
#include "common/base64.hpp"

namespace berth::auth {
namespace {

using namespace std::chrono_literals;
using std::chrono::sys_seconds;

const sys_seconds kIssued = std::chrono::sys_days{std::chrono::year{2026} / 1 / 1} + 10h;

RingKey key_of(char fill) { return *RingKey::from_bytes(std::string(kKeySize, fill)); }

SessionClaims github_session() { return fixtures::github_session(kIssued); }

std::string sealed_session(const KeyRing& ring, const SessionClaims& claims) {
  Result<std::string> token = seal_session(ring, claims);
  EXPECT_TRUE(token.ok()) << (token.ok() ? "" : token.error().message);
  return token.ok() ? *token : std::string();
}

std::string sealed_password(const KeyRing& ring, const RegistryPasswordClaims& claims) {
  Result<std::string> token = seal_registry_password(ring, claims);
  EXPECT_TRUE(token.ok()) << (token.ok() ? "" : token.error().message);
  return token.ok() ? *token : std::string();
}

ErrorCode session_refusal(const KeyRing& ring, std::string_view token, sys_seconds now = kIssued) {
  Result<SessionClaims> opened = open_session(ring, token, now);
  return opened.ok() ? ErrorCode::internal : opened.error().code;
}

ErrorCode password_refusal(const KeyRing& ring, std::string_view token, sys_seconds now = kIssued) {
  Result<RegistryPasswordClaims> opened = open_registry_password(ring, token, now);
  return opened.ok() ? ErrorCode::internal : opened.error().code;
}

std::string flip_byte(std::string_view token, std::size_t index) {
  std::string raw = *base64::decode_url(token);
  raw[index] = static_cast<char>(raw[index] ^ 0x40);
  return base64::encode_url(raw);
}

TEST(IssueCredentials, LookLikeAwsTemporaryCredentials) {
  std::set<std::string> seen;
  for (int i = 0; i < 20; ++i) {
    Result<SessionCredentials> credentials = issue_credentials();
    ASSERT_TRUE(credentials.ok());
    EXPECT_EQ(credentials->access_key_id.size(), 20u);
    EXPECT_TRUE(credentials->access_key_id.starts_with("ASIA"));
    EXPECT_EQ(credentials->access_key_id.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"), std::string::npos);
    EXPECT_EQ(credentials->secret_access_key.size(), 40u);
    EXPECT_EQ(credentials->secret_access_key.find_first_not_of(
                  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"),
              std::string::npos);
    seen.insert(credentials->access_key_id);
    seen.insert(credentials->secret_access_key);
  }
  EXPECT_EQ(seen.size(), 40u);
}

TEST(SessionToken, RoundTripsEveryClaim) {
  KeyRing ring(key_of('a'));
  SessionClaims claims = github_session();
  Result<SessionClaims> opened = open_session(ring, sealed_session(ring, claims), kIssued + 59min);
  ASSERT_TRUE(opened.ok()) << opened.error().message;
  EXPECT_EQ(*opened, claims);
  EXPECT_FALSE(opened->session_policy.has_value());

  claims.session_policy =
      R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"ecr:BatchGetImage","Resource":"*"}})";
  claims.source.claims = {{"oidc.circleci.com/project-id", "p"},
                          {"oidc.circleci.com/vcs-origin", "github.com/o/r"},
                          {"oidc.circleci.com/vcs-ref", "refs/heads/main"}};
  claims.source.audience = {"org-id", "second"};
  Result<SessionClaims> with_policy = open_session(ring, sealed_session(ring, claims), kIssued);
  ASSERT_TRUE(with_policy.ok());
  EXPECT_EQ(*with_policy, claims);
}

TEST(SessionToken, ExpiredSessionsGetTheirOwnError) {
  KeyRing ring(key_of('a'));
  std::string token = sealed_session(ring, github_session());
  EXPECT_TRUE(open_session(ring, token, kIssued + 1h - 1s).ok());
  Result<SessionClaims> expired = open_session(ring, token, kIssued + 1h);
  ASSERT_FALSE(expired.ok());
  EXPECT_EQ(expired.error().code, ErrorCode::aws_expired_token);
  EXPECT_EQ(expired.error().message, "The security token included in the request is expired");
}

TEST(SessionToken, RefusesTamperedTruncatedAndForeignTokens) {
  KeyRing ring(key_of('a'));
  std::string token = sealed_session(ring, github_session());
  std::size_t size = base64::decode_url(token)->size();
  for (std::size_t i = 0; i < size; ++i) {
    EXPECT_EQ(session_refusal(ring, flip_byte(token, i)), ErrorCode::aws_invalid_client_token_id) << "byte " << i;
  }
  EXPECT_EQ(session_refusal(ring, token.substr(0, token.size() - 4)), ErrorCode::aws_invalid_client_token_id);
  EXPECT_EQ(session_refusal(ring, ""), ErrorCode::aws_invalid_client_token_id);
  EXPECT_EQ(session_refusal(KeyRing(key_of('b')), token), ErrorCode::aws_invalid_client_token_id);
  Result<SessionClaims> refused = open_session(ring, "garbage!", kIssued);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().message, "The security token included in the request is invalid.");
}

TEST(SessionToken, RefusesWellSealedPayloadsOfTheWrongShape) {
  KeyRing ring(key_of('a'));
  EXPECT_EQ(session_refusal(ring, *seal_token(ring, TokenPurpose::session, "not cbor \xff")),
            ErrorCode::aws_invalid_client_token_id);
  // A registry password's payload lacks the secret: even relabelled it would not open as a session.
  std::string cbor_without_secret = "\xa1\x61\x61\x61x";  // {"a": "x"}
  EXPECT_EQ(session_refusal(ring, *seal_token(ring, TokenPurpose::session, cbor_without_secret)),
            ErrorCode::aws_invalid_client_token_id);
}

TEST(SessionToken, SealRefusesIncompleteClaims) {
  KeyRing ring(key_of('a'));
  auto refused = [&](auto edit) {
    SessionClaims claims = github_session();
    edit(claims);
    Result<std::string> token = seal_session(ring, claims);
    return token.ok() ? std::string("sealed") : token.error().message;
  };
  EXPECT_EQ(refused([](SessionClaims&) {}), "sealed");
  EXPECT_EQ(refused([](SessionClaims& c) { c.access_key_id.clear(); }), "seal: access key id is empty");
  EXPECT_EQ(refused([](SessionClaims& c) { c.secret_access_key.clear(); }), "seal: secret access key is empty");
  EXPECT_EQ(refused([](SessionClaims& c) { c.role_arn.clear(); }), "seal: role ARN is empty");
  EXPECT_EQ(refused([](SessionClaims& c) { c.role_session_name.clear(); }), "seal: role session name is empty");
  EXPECT_EQ(refused([](SessionClaims& c) { c.expires_at = c.issued_at; }), "seal: expiry is not after issue time");
  EXPECT_EQ(refused([](SessionClaims& c) { c.source.claims["email"] = "x"; }),
            "seal: claim 'email' is not one berth audits");
}

TEST(RegistryPassword, ExpiryIsCappedByTheRolesMaximumSessionDuration) {
  SessionClaims session = github_session();
  session.session_policy = "{}";
  RegistryPasswordClaims capped = registry_password_for(session, kIssued + 10min, 12h, 1h);
  EXPECT_EQ(capped.issued_at, kIssued + 10min);
  EXPECT_EQ(capped.expires_at, kIssued + 1h);
  RegistryPasswordClaims at_role_limit = registry_password_for(session, kIssued + 10min, 12h, 12h);
  EXPECT_EQ(at_role_limit.expires_at, kIssued + 12h);
  RegistryPasswordClaims full = registry_password_for(session, kIssued + 10min, 12h, 13h);
  EXPECT_EQ(full.expires_at, kIssued + 10min + 12h);
  RegistryPasswordClaims short_validity = registry_password_for(session, kIssued, 30min, 12h);
  EXPECT_EQ(short_validity.expires_at, kIssued + 30min);
  EXPECT_EQ(full.access_key_id, session.access_key_id);
  EXPECT_EQ(full.role_arn, session.role_arn);
  EXPECT_EQ(full.role_session_name, session.role_session_name);
  EXPECT_EQ(full.session_policy, session.session_policy);
  EXPECT_EQ(full.source, session.source);
}

TEST(RegistryPassword, RoundTripsAndExpires) {
  KeyRing ring(key_of('a'));
  RegistryPasswordClaims claims = registry_password_for(github_session(), kIssued, 12h, 12h);
  std::string password = sealed_password(ring, claims);
  Result<RegistryPasswordClaims> opened = open_registry_password(ring, password, kIssued + 12h - 1s);
  ASSERT_TRUE(opened.ok());
  EXPECT_EQ(*opened, claims);
  Result<RegistryPasswordClaims> expired = open_registry_password(ring, password, kIssued + 12h);
  ASSERT_FALSE(expired.ok());
  EXPECT_EQ(expired.error().code, ErrorCode::denied);
  EXPECT_EQ(expired.error().message, "Your authorization token has expired. Reauthenticate and try again.");
}

TEST(RegistryPassword, RefusesTamperedAndForeignPasswords) {
  KeyRing ring(key_of('a'));
  std::string password = sealed_password(ring, registry_password_for(github_session(), kIssued, 12h, 12h));
  EXPECT_EQ(password_refusal(ring, flip_byte(password, 30)), ErrorCode::unauthorized);
  EXPECT_EQ(password_refusal(ring, password.substr(0, 20)), ErrorCode::unauthorized);
  EXPECT_EQ(password_refusal(KeyRing(key_of('b')), password), ErrorCode::unauthorized);
  RegistryPasswordClaims incomplete = registry_password_for(github_session(), kIssued, 12h, 12h);
  incomplete.role_arn.clear();
  EXPECT_EQ(seal_registry_password(ring, incomplete).error().code, ErrorCode::invalid_argument);
}

TEST(RegistryPassword, NeverInterchangeableWithASessionToken) {
  KeyRing ring(key_of('a'));
  SessionClaims session = github_session();
  std::string token = sealed_session(ring, session);
  std::string password = sealed_password(ring, registry_password_for(session, kIssued, 12h, 12h));
  EXPECT_TRUE(open_session(ring, token, kIssued).ok());
  EXPECT_TRUE(open_registry_password(ring, password, kIssued).ok());
  EXPECT_EQ(password_refusal(ring, token), ErrorCode::unauthorized);
  EXPECT_EQ(session_refusal(ring, password), ErrorCode::aws_invalid_client_token_id);
}

}  // namespace
}  // namespace berth::auth

#include "auth/access_key.hpp"

#include <openssl/crypto.h>

#include "auth/sealed_token.hpp"

namespace berth::auth {
namespace {

constexpr std::string_view kInvalidKey = "The security token included in the request is invalid.";

// The key id travels with the secret inside the seal, so the seal opens for its own key alone.
std::string sealed_plaintext(std::string_view id, std::string_view secret) {
  std::string text(id);
  text.push_back('\n');
  text.append(secret);
  return text;
}

}  // namespace

Result<IssuedAccessKey> issue_access_key(const KeyRing& ring, std::string_view role_name,
                                         std::chrono::sys_seconds now, std::chrono::seconds lifetime) {
  Result<SessionCredentials> credentials = issue_credentials(kLongTermAccessKeyPrefix);
  if (!credentials) return std::move(credentials).error();
  std::string plaintext = sealed_plaintext(credentials->access_key_id, credentials->secret_access_key);
  Result<std::string> sealed = seal_token(ring, TokenPurpose::access_key_secret, plaintext);
  OPENSSL_cleanse(plaintext.data(), plaintext.size());
  if (!sealed) return std::move(sealed).error();
  metadata::AccessKeyRecord record{credentials->access_key_id,
                                   std::string(role_name),
                                   std::move(*sealed),
                                   now.time_since_epoch().count(),
                                   (now + lifetime).time_since_epoch().count(),
                                   0};
  return IssuedAccessKey{std::move(record), std::move(credentials->secret_access_key)};
}

Result<SessionClaims> access_key_session(const KeyRing& ring, const metadata::AccessKeyRecord& key,
                                         const AccountSettings& account, std::chrono::sys_seconds now) {
  const auto invalid = [] { return make_error(ErrorCode::aws_invalid_client_token_id, std::string(kInvalidKey)); };
  if (now.time_since_epoch().count() >= key.expires_unix) return invalid();
  Result<std::string> opened = open_token(ring, TokenPurpose::access_key_secret, key.sealed_secret);
  if (!opened) return invalid();
  const std::string prefix = key.id + "\n";
  if (!opened->starts_with(prefix)) {
    OPENSSL_cleanse(opened->data(), opened->size());
    return invalid();
  }
  SessionClaims session;
  session.access_key_id = key.id;
  session.secret_access_key = opened->substr(prefix.size());
  OPENSSL_cleanse(opened->data(), opened->size());
  session.role_arn = role_arn(key.role_name, account);
  session.role_session_name = key.id;
  session.issued_at = now;
  session.expires_at = std::chrono::sys_seconds(std::chrono::seconds(key.expires_unix));
  return session;
}

}  // namespace berth::auth

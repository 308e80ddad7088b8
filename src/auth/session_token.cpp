#include "auth/session_token.hpp"

#include <fmt/format.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <algorithm>
#include <cstdint>
#include <nlohmann/json.hpp>

#include "auth/sealed_token.hpp"

namespace berth::auth {
namespace {

using nlohmann::json;
using std::chrono::sys_seconds;

constexpr std::string_view kInvalidSession = "The security token included in the request is invalid.";
constexpr std::string_view kExpiredSession = "The security token included in the request is expired";
constexpr std::string_view kInvalidPassword = "Not Authorized";
constexpr std::string_view kExpiredPassword = "Your authorization token has expired. Reauthenticate and try again.";

constexpr std::size_t kAccessKeySuffixLength = 16;
constexpr std::size_t kSecretLength = 40;
// 32 and 64 symbols: a random byte masked to 5 or 6 bits picks each one without bias.
constexpr std::string_view kBase32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
constexpr std::string_view kBase64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// Reads the CBOR map back; any missing or mistyped field marks the whole payload bad.
class PayloadReader {
 public:
  explicit PayloadReader(const json& object) : object_(object), ok_(object.is_object()) {}
  bool ok() const { return ok_; }

  std::string text(const char* key) {
    const json* value = find(key);
    if (value == nullptr || !value->is_string()) return fail<std::string>();
    return value->get<std::string>();
  }
  std::optional<std::string> optional_text(const char* key) {
    if (!ok_ || !object_.contains(key)) return std::nullopt;
    return text(key);
  }
  sys_seconds time(const char* key) {
    const json* value = find(key);
    if (value == nullptr || !value->is_number_integer()) return fail<sys_seconds>();
    return sys_seconds(std::chrono::seconds(value->get<std::int64_t>()));
  }
  std::vector<std::string> texts(const char* key) {
    const json* value = find(key);
    if (value == nullptr || !value->is_array()) return fail<std::vector<std::string>>();
    std::vector<std::string> items;
    for (const json& item : *value) {
      if (!item.is_string()) return fail<std::vector<std::string>>();
      items.push_back(item.get<std::string>());
    }
    return items;
  }
  std::map<std::string, std::string> text_map(const char* key) {
    const json* value = find(key);
    if (value == nullptr || !value->is_object()) return fail<std::map<std::string, std::string>>();
    std::map<std::string, std::string> items;
    for (const auto& [name, item] : value->items()) {
      if (!item.is_string()) return fail<std::map<std::string, std::string>>();
      items.emplace(name, item.get<std::string>());
    }
    return items;
  }

 private:
  const json* find(const char* key) {
    if (!ok_) return nullptr;
    auto found = object_.find(key);
    return found == object_.end() ? nullptr : &*found;
  }
  template <typename T>
  T fail() {
    ok_ = false;
    return T{};
  }

  const json& object_;
  bool ok_;
};

// The fields SessionClaims and RegistryPasswordClaims share, under the same CBOR keys.
template <typename Claims>
json encode_common(const Claims& claims) {
  json payload{{"a", claims.access_key_id},
               {"r", claims.role_arn},
               {"n", claims.role_session_name},
               {"i", claims.issued_at.time_since_epoch().count()},
               {"e", claims.expires_at.time_since_epoch().count()},
               {"iss", claims.source.issuer},
               {"sub", claims.source.subject},
               {"aud", claims.source.audience},
               {"c", claims.source.claims}};
  if (claims.session_policy) payload["p"] = *claims.session_policy;
  return payload;
}

template <typename Claims>
void decode_common(PayloadReader& reader, Claims& claims) {
  claims.access_key_id = reader.text("a");
  claims.role_arn = reader.text("r");
  claims.role_session_name = reader.text("n");
  claims.issued_at = reader.time("i");
  claims.expires_at = reader.time("e");
  claims.session_policy = reader.optional_text("p");
  claims.source.issuer = reader.text("iss");
  claims.source.subject = reader.text("sub");
  claims.source.audience = reader.texts("aud");
  claims.source.claims = reader.text_map("c");
}

template <typename Claims>
Status validate_common(const Claims& claims) {
  auto invalid = [](std::string message) {
    return make_error(ErrorCode::invalid_argument, "seal: " + std::move(message));
  };
  if (claims.access_key_id.empty()) return invalid("access key id is empty");
  if (claims.role_arn.empty()) return invalid("role ARN is empty");
  if (claims.role_session_name.empty()) return invalid("role session name is empty");
  if (claims.expires_at <= claims.issued_at) return invalid("expiry is not after issue time");
  for (const auto& [name, value] : claims.source.claims) {
    if (std::find(kAuditedClaims.begin(), kAuditedClaims.end(), name) == kAuditedClaims.end()) {
      return invalid(fmt::format("claim '{}' is not one berth audits", name));
    }
  }
  return {};
}

Result<std::string> seal_payload(const KeyRing& ring, TokenPurpose purpose, const json& payload) {
  std::vector<std::uint8_t> cbor = json::to_cbor(payload);
  Result<std::string> token =
      seal_token(ring, purpose, std::string_view(reinterpret_cast<const char*>(cbor.data()), cbor.size()));
  OPENSSL_cleanse(cbor.data(), cbor.size());
  return token;
}

// The authenticated payload, or nullopt when the token does not open or does not decode.
std::optional<json> open_payload(const KeyRing& ring, TokenPurpose purpose, std::string_view token) {
  Result<std::string> plaintext = open_token(ring, purpose, token);
  if (!plaintext) return std::nullopt;
  json payload = json::from_cbor(*plaintext, /*strict=*/true, /*allow_exceptions=*/false);
  OPENSSL_cleanse(plaintext->data(), plaintext->size());
  if (payload.is_discarded()) return std::nullopt;
  return payload;
}

Result<std::string> random_text(std::string_view alphabet, std::size_t length) {
  std::string text(length, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(text.data()), static_cast<int>(length)) != 1) {
    return make_error(ErrorCode::internal, "credentials: RAND_bytes failed");
  }
  for (char& c : text) c = alphabet[static_cast<unsigned char>(c) % alphabet.size()];
  return text;
}

}  // namespace

Result<SessionCredentials> issue_credentials(std::string_view access_key_prefix) {
  Result<std::string> suffix = random_text(kBase32, kAccessKeySuffixLength);
  if (!suffix) return std::move(suffix).error();
  Result<std::string> secret = random_text(kBase64, kSecretLength);
  if (!secret) return std::move(secret).error();
  return SessionCredentials{std::string(access_key_prefix) + *suffix, std::move(*secret)};
}

Result<std::string> seal_session(const KeyRing& ring, const SessionClaims& claims) {
  BERTH_TRY(validate_common(claims));
  if (claims.secret_access_key.empty())
    return make_error(ErrorCode::invalid_argument, "seal: secret access key is empty");
  json payload = encode_common(claims);
  payload["s"] = claims.secret_access_key;
  return seal_payload(ring, TokenPurpose::session, payload);
}

Result<SessionClaims> open_session(const KeyRing& ring, std::string_view token,
                                   std::chrono::system_clock::time_point now) {
  std::optional<json> payload = open_payload(ring, TokenPurpose::session, token);
  if (!payload) return make_error(ErrorCode::aws_invalid_client_token_id, std::string(kInvalidSession));
  PayloadReader reader(*payload);
  SessionClaims claims;
  decode_common(reader, claims);
  claims.secret_access_key = reader.text("s");
  if (!reader.ok()) return make_error(ErrorCode::aws_invalid_client_token_id, std::string(kInvalidSession));
  if (now >= claims.expires_at) return make_error(ErrorCode::aws_expired_token, std::string(kExpiredSession));
  return claims;
}

RegistryPasswordClaims registry_password_for(const SessionClaims& session, sys_seconds now,
                                             std::chrono::seconds validity,
                                             std::chrono::seconds role_max_session_duration) {
  return RegistryPasswordClaims{session.access_key_id,
                                session.role_arn,
                                session.role_session_name,
                                now,
                                std::min(now + validity, session.issued_at + role_max_session_duration),
                                session.session_policy,
                                session.source};
}

Result<std::string> seal_registry_password(const KeyRing& ring, const RegistryPasswordClaims& claims) {
  BERTH_TRY(validate_common(claims));
  return seal_payload(ring, TokenPurpose::registry_password, encode_common(claims));
}

Result<RegistryPasswordClaims> open_registry_password(const KeyRing& ring, std::string_view password,
                                                      std::chrono::system_clock::time_point now) {
  std::optional<json> payload = open_payload(ring, TokenPurpose::registry_password, password);
  if (!payload) return make_error(ErrorCode::unauthorized, std::string(kInvalidPassword));
  PayloadReader reader(*payload);
  RegistryPasswordClaims claims;
  decode_common(reader, claims);
  if (!reader.ok()) return make_error(ErrorCode::unauthorized, std::string(kInvalidPassword));
  if (now >= claims.expires_at) return make_error(ErrorCode::denied, std::string(kExpiredPassword));
  return claims;
}

}  // namespace berth::auth

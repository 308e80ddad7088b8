#include "aws/signed_request.hpp"

#include "auth/access_key.hpp"
#include "auth/sigv4.hpp"
#include "common/digest.hpp"
#include "common/log.hpp"

namespace berth::aws {

namespace {

constexpr std::string_view kInvalidToken = "The security token included in the request is invalid.";

auth::SignedRequest signed_request_of(const http::Request& request, std::string_view body) {
  auth::SignedRequest signed_request;
  signed_request.method =
      request.method == http::Method::other ? request.method_text : std::string(http::method_name(request.method));
  const std::string_view target = request.target;
  signed_request.path = std::string(target.substr(0, target.find('?')));
  signed_request.raw_query = request.raw_query;
  signed_request.headers = request.headers.all();
  signed_request.payload_sha256_hex = Hasher::of(body).hex();
  return signed_request;
}

// How often a long-lived key's last use is written: often enough to tell a dormant key, rarely
// enough that a busy key costs no write per request.
constexpr std::chrono::seconds kLastUseResolution{60};

// The session a long-lived access key acts as, from the store; a key that is unknown (or revoked)
// is refused as AWS refuses one.
Result<auth::SessionClaims> long_term_session(metadata::MetadataStore& access_keys, const auth::KeyRing& keys,
                                              const AwsOptions& options, std::string_view access_key_id,
                                              std::chrono::sys_seconds now) {
  if (!access_key_id.starts_with(auth::kLongTermAccessKeyPrefix)) {
    return make_error(ErrorCode::aws_invalid_client_token_id, std::string(kInvalidToken));
  }
  Result<std::optional<metadata::AccessKeyRecord>> key = access_keys.get_access_key(access_key_id);
  if (!key) return std::move(key).error();
  if (!*key) return make_error(ErrorCode::aws_invalid_client_token_id, std::string(kInvalidToken));
  return auth::access_key_session(keys, **key, options.account, now);
}

void record_use(metadata::MetadataStore& access_keys, std::string_view access_key_id, std::chrono::sys_seconds now) {
  Status recorded = access_keys.record_access_key_use(access_key_id, now.time_since_epoch().count(), kLastUseResolution);
  // The request is authentic either way; a failed bookkeeping write must not refuse it.
  if (!recorded) log::warn("cannot record access key use", {{"access_key_id", std::string(access_key_id)},
                                                            {"error", recorded.error().message}});
}

}  // namespace

Result<auth::SessionClaims> authenticate_signed_request(const http::Request& request, std::string_view body,
                                                        std::string_view service, const auth::KeyRing& keys,
                                                        metadata::MetadataStore& access_keys,
                                                        const AwsOptions& options,
                                                        std::chrono::system_clock::time_point now) {
  const auth::SignedRequest signed_request = signed_request_of(request, body);
  Result<auth::ParsedAuthorization> parsed = auth::parse_authorization(signed_request);
  if (!parsed) return std::move(parsed).error();
  const auto now_seconds = std::chrono::floor<std::chrono::seconds>(now);
  Result<auth::SessionClaims> session =
      parsed->security_token
          ? auth::open_session(keys, *parsed->security_token, now)
          : long_term_session(access_keys, keys, options, parsed->credential.access_key_id, now_seconds);
  if (!session) return std::move(session).error();
  if (session->access_key_id != parsed->credential.access_key_id) {
    return make_error(ErrorCode::aws_invalid_client_token_id, std::string(kInvalidToken));
  }
  BERTH_TRY(auth::check_scope(parsed->credential, options.account.region, service));
  BERTH_TRY(
      auth::verify_signature(signed_request, *parsed, session->secret_access_key, now, options.allowed_clock_skew));
  if (!parsed->security_token) record_use(access_keys, session->access_key_id, now_seconds);
  return session;
}

}  // namespace berth::aws

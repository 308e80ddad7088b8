#include "aws/signed_request.hpp"

#include "auth/sigv4.hpp"
#include "common/digest.hpp"

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

}  // namespace

Result<auth::SessionClaims> authenticate_signed_request(const http::Request& request, std::string_view body,
                                                        std::string_view service, const auth::KeyRing& keys,
                                                        const AwsOptions& options,
                                                        std::chrono::system_clock::time_point now) {
  const auth::SignedRequest signed_request = signed_request_of(request, body);
  Result<auth::ParsedAuthorization> parsed = auth::parse_authorization(signed_request);
  if (!parsed) return std::move(parsed).error();
  // Berth has no long-term keys: every caller holds session credentials, which live in the token.
  if (!parsed->security_token) return make_error(ErrorCode::aws_invalid_client_token_id, std::string(kInvalidToken));
  Result<auth::SessionClaims> session = auth::open_session(keys, *parsed->security_token, now);
  if (!session) return std::move(session).error();
  if (session->access_key_id != parsed->credential.access_key_id) {
    return make_error(ErrorCode::aws_invalid_client_token_id, std::string(kInvalidToken));
  }
  BERTH_TRY(auth::check_scope(parsed->credential, options.account.region, service));
  BERTH_TRY(
      auth::verify_signature(signed_request, *parsed, session->secret_access_key, now, options.allowed_clock_skew));
  return session;
}

}  // namespace berth::aws

#include "auth/sigv4_signer.hpp"

#include <algorithm>
#include <utility>

#include "auth/sigv4_canonical.hpp"

namespace berth::auth {
namespace {

std::string lower_case(std::string_view text) {
  std::string lower(text);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) {
    return static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  });
  return lower;
}

ParsedAuthorization authorization_for(const AwsCredentials& credentials, std::string_view region,
                                      std::string_view service, std::chrono::sys_seconds now) {
  ParsedAuthorization authorization;
  authorization.amz_date = format_amz_date(now);
  authorization.credential = {credentials.access_key_id, authorization.amz_date.substr(0, 8), std::string(region),
                              std::string(service)};
  return authorization;
}

std::string scope_of(const SigV4Credential& credential) {
  return credential.access_key_id + "/" + credential.date + "/" + credential.region + "/" + credential.service + "/" +
         std::string(kSigV4Terminator);
}

std::string signature_for(const SignedRequest& request, const ParsedAuthorization& authorization,
                          const AwsCredentials& credentials) {
  const SigV4Credential& scope = authorization.credential;
  return signature_of(signing_key(credentials.secret_access_key, scope.date, scope.region, scope.service),
                      string_to_sign(authorization, canonical_request(request, authorization)));
}

}  // namespace

void sign(SignedRequest& request, const AwsCredentials& credentials, std::string_view region,
          std::string_view service, std::chrono::sys_seconds now) {
  ParsedAuthorization authorization = authorization_for(credentials, region, service, now);
  request.headers.emplace_back("X-Amz-Date", authorization.amz_date);
  if (credentials.session_token) request.headers.emplace_back("X-Amz-Security-Token", *credentials.session_token);
  for (const auto& [name, value] : request.headers) authorization.signed_headers.push_back(lower_case(name));
  std::sort(authorization.signed_headers.begin(), authorization.signed_headers.end());
  authorization.signed_headers.erase(
      std::unique(authorization.signed_headers.begin(), authorization.signed_headers.end()),
      authorization.signed_headers.end());

  std::string signed_headers;
  for (const std::string& name : authorization.signed_headers) {
    if (!signed_headers.empty()) signed_headers += ';';
    signed_headers += name;
  }
  const std::string signature = signature_for(request, authorization, credentials);
  request.headers.emplace_back("Authorization", std::string(kSigV4Algorithm) +
                                                    " Credential=" + scope_of(authorization.credential) +
                                                    ", SignedHeaders=" + signed_headers + ", Signature=" + signature);
}

void presign(SignedRequest& request, const AwsCredentials& credentials, std::string_view region,
             std::string_view service, std::chrono::sys_seconds now, std::chrono::seconds expires) {
  ParsedAuthorization authorization = authorization_for(credentials, region, service, now);
  authorization.signed_headers = {"host"};
  authorization.presigned_expires = expires;
  request.payload_sha256_hex = std::string(kUnsignedPayload);

  std::string& query = request.raw_query;
  auto add = [&query](std::string_view name, std::string_view value) {
    if (!query.empty()) query += '&';
    query += name;
    query += '=';
    query += uri_encode(value, /*keep_slash=*/false);
  };
  add("X-Amz-Algorithm", kSigV4Algorithm);
  add("X-Amz-Credential", scope_of(authorization.credential));
  add("X-Amz-Date", authorization.amz_date);
  add("X-Amz-Expires", std::to_string(expires.count()));
  add("X-Amz-SignedHeaders", "host");
  if (credentials.session_token) add("X-Amz-Security-Token", *credentials.session_token);
  add("X-Amz-Signature", signature_for(request, authorization, credentials));
}

}  // namespace berth::auth

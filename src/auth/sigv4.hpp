// AWS Signature Version 4 verification, server side (interfaces.md §7; AWS IAM user guide
// "create-signed-request", botocore `auth.py`). Pure library: no HTTP types, no I/O, thread-safe.
//
// The ECR and STS front doors use it in two steps, because only the caller can map an access key
// to its secret (long-term key, or a session unsealed from X-Amz-Security-Token):
//
//   SignedRequest signed_request{method, path, raw_query, headers, payload_sha256_hex};
//   Result<ParsedAuthorization> parsed = parse_authorization(signed_request);  // who claims to sign
//   if (!parsed) return parsed.error();
//   BERTH_TRY(check_scope(parsed->credential, region, "ecr"));                // for this server?
//   ... look up the secret for parsed->credential.access_key_id, check the session token ...
//   BERTH_TRY(verify_signature(signed_request, *parsed, secret, now, kDefaultAllowedSkew));
//
// Failures are Errors with the aws_* ErrorCodes and the messages AWS sends, which SDKs show users.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.hpp"

namespace berth::auth {

inline constexpr std::string_view kSigV4Algorithm = "AWS4-HMAC-SHA256";
// The last element of every credential scope.
inline constexpr std::string_view kSigV4Terminator = "aws4_request";

// STS has been observed rejecting at ±15 min and JSON services at ±5 or ±15 min (§7.4); 15 keeps
// every client AWS itself accepts.
inline constexpr std::chrono::seconds kDefaultAllowedSkew = std::chrono::minutes(15);

// What the verifier needs, as received.
struct SignedRequest {
  std::string method;                                        // "POST"
  std::string path;                                          // raw (undecoded) path, e.g. "/"
  std::string raw_query;                                     // undecoded query string without '?'
  std::vector<std::pair<std::string, std::string>> headers;  // as received: names any case, duplicates kept in order
  std::string payload_sha256_hex;  // lower-case hex SHA-256 of the body, computed by the caller while reading it
};

// The credential scope `<access key>/<YYYYMMDD>/<region>/<service>/aws4_request`.
struct SigV4Credential {
  std::string access_key_id;
  std::string date;  // YYYYMMDD
  std::string region;
  std::string service;
};

struct ParsedAuthorization {
  SigV4Credential credential;
  std::vector<std::string> signed_headers;    // lower-case names in the client's order
  std::string signature;                      // as sent: lower-case hex
  std::string amz_date;                       // request time, ISO 8601 basic `YYYYMMDDTHHMMSSZ`
  std::optional<std::string> security_token;  // X-Amz-Security-Token (header or query), signed or not
  // Set for the presigned (query-string) form: X-Amz-Expires, how long the URL stays valid.
  std::optional<std::chrono::seconds> presigned_expires;
};

// Reads the `Authorization: AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...`
// header, or the presigned query form (X-Amz-Algorithm, X-Amz-Credential, ...), and the request
// time (X-Amz-Date, else Date). aws_missing_authentication_token when neither form is present;
// aws_incomplete_signature when malformed or both forms are used.
Result<ParsedAuthorization> parse_authorization(const SignedRequest& request);

// aws_signature_does_not_match unless the scope names `region` and `service`.
Status check_scope(const SigV4Credential& credential, std::string_view region, std::string_view service);

// The six-line canonical request (§7.2). Signed headers absent from the request contribute `name:`;
// verify_signature refuses such requests before getting here.
std::string canonical_request(const SignedRequest& request, const ParsedAuthorization& authorization);

// `AWS4-HMAC-SHA256\n<amz_date>\n<scope>\n<hex sha256 of canonical request>` (§7.3).
std::string string_to_sign(const ParsedAuthorization& authorization, std::string_view canonical_request);

// kSigning (32 raw bytes) = HMAC chain over "AWS4"+secret, date, region, service, "aws4_request".
std::string signing_key(std::string_view secret_access_key, std::string_view date, std::string_view region,
                        std::string_view service);

// The signature: lower-case hex HMAC-SHA256 of the string to sign under kSigning (§7.3).
std::string signature_of(std::string_view signing_key, std::string_view string_to_sign);

// `YYYYMMDDTHHMMSSZ`, the X-Amz-Date form.
std::string format_amz_date(std::chrono::sys_seconds time);

// Checks, in order: the scope date is the request day; the request time (and a presigned URL's
// expiry) against `now` ± `allowed_skew`; `host` (and `x-amz-date` when sent) is signed and every
// signed header is present; a sent x-amz-content-sha256 equals the payload hash; and finally the
// signature, compared in constant time. Every refusal is aws_signature_does_not_match.
Status verify_signature(const SignedRequest& request, const ParsedAuthorization& authorization,
                        std::string_view secret_access_key, std::chrono::system_clock::time_point now,
                        std::chrono::seconds allowed_skew);

}  // namespace berth::auth

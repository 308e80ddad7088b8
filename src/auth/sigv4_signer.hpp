// AWS Signature Version 4, client side: signs the requests berth itself sends (S3, for the blob
// store of issue 10) with the canonicalisation its verifier uses (sigv4.hpp), so that both halves
// agree by construction, and presigns URLs (S3 GET redirects).
//
//   SignedRequest request{"PUT", "/bucket/blobs/sha256/ab/ab12...", "", {{"Host", "s3.local:7480"}}, hex};
//   sign(request, credentials, "us-east-1", "s3", now);   // request.headers gains Authorization
//
// Paths are used as given: berth's object keys are unreserved characters and '/', for which S3's
// rule (each segment encoded once, no normalisation) and the other services' agree.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "auth/sigv4.hpp"

namespace berth::auth {

struct AwsCredentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::optional<std::string> session_token;  // for temporary credentials
};

// Payload hash for requests whose body is not hashed (S3: streamed parts, presigned URLs).
inline constexpr std::string_view kUnsignedPayload = "UNSIGNED-PAYLOAD";

// Adds X-Amz-Date, X-Amz-Security-Token (with a session token) and Authorization to
// request.headers, signing every header the request carries (Host among them). The payload hash is
// request.payload_sha256_hex: the body's SHA-256 in lower-case hex, or kUnsignedPayload.
void sign(SignedRequest& request, const AwsCredentials& credentials, std::string_view region,
          std::string_view service, std::chrono::sys_seconds now);

// Turns `request` (method, path, Host header) into a presigned URL's request: request.raw_query
// gains X-Amz-Algorithm, X-Amz-Credential, X-Amz-Date, X-Amz-Expires, X-Amz-SignedHeaders (host),
// X-Amz-Security-Token (with a session token) and X-Amz-Signature. The payload is unsigned.
void presign(SignedRequest& request, const AwsCredentials& credentials, std::string_view region,
             std::string_view service, std::chrono::sys_seconds now, std::chrono::seconds expires);

}  // namespace berth::auth

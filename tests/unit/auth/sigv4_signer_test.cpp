// The client-side signer against AWS's published SigV4 test suite (interfaces.md §7.5), and
// against berth's own verifier.
#include "auth/sigv4_signer.hpp"

#include <gtest/gtest.h>

#include "common/digest.hpp"

namespace berth::auth {
namespace {

using std::chrono::sys_days;
using namespace std::chrono_literals;

const AwsCredentials kExample{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", std::nullopt};
// 20150830T123600Z, the suite's timestamp.
const std::chrono::sys_seconds kSuiteTime =
    sys_days(std::chrono::year(2015) / 8 / 30) + 12h + 36min;
const std::string kEmptyHash = Hasher::of("").hex();

std::string header(const SignedRequest& request, std::string_view name) {
  for (const auto& [header_name, value] : request.headers) {
    if (header_name == name) return value;
  }
  return "<absent>";
}

// The signed headers and signature the Authorization header ends with.
::testing::AssertionResult signed_as(const SignedRequest& request, std::string_view signed_headers,
                                     std::string_view signature) {
  const std::string authorization = header(request, "Authorization");
  const std::string expected = "SignedHeaders=" + std::string(signed_headers) + ", Signature=" + std::string(signature);
  if (authorization.ends_with(expected)) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << authorization << " does not end with " << expected;
}

SignedRequest vanilla() { return SignedRequest{"GET", "/", "", {{"Host", "example.amazonaws.com"}}, kEmptyHash}; }

TEST(SigV4Signer, SignsTheSuitesGetVanilla) {
  SignedRequest request = vanilla();
  sign(request, kExample, "us-east-1", "service", kSuiteTime);
  EXPECT_EQ(header(request, "X-Amz-Date"), "20150830T123600Z");
  EXPECT_EQ(header(request, "Authorization"),
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
            "SignedHeaders=host;x-amz-date, "
            "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
}

TEST(SigV4Signer, SignsTheSessionTokenWhenThereIsOne) {
  SignedRequest request = vanilla();
  AwsCredentials temporary = kExample;
  temporary.session_token = "6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267";
  sign(request, temporary, "us-east-1", "service", kSuiteTime);
  EXPECT_EQ(header(request, "X-Amz-Security-Token"), *temporary.session_token);
  EXPECT_TRUE(signed_as(request, "host;x-amz-date;x-amz-security-token",
                        "07ec1639c89043aa0e3e2de82b96708f198cceab042d4a97044c66dd9f74e7f8"));
}

TEST(SigV4Signer, SignsTheSuitesFormPost) {
  SignedRequest request{"POST", "/", "",
                        {{"Content-Type", "application/x-www-form-urlencoded"}, {"Host", "example.amazonaws.com"}},
                        Hasher::of("Param1=value1").hex()};
  sign(request, kExample, "us-east-1", "service", kSuiteTime);
  EXPECT_TRUE(signed_as(request, "content-type;host;x-amz-date",
                        "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a"));
}

TEST(SigV4Signer, WhatItSignsTheVerifierAcceptsAndATamperedCopyItRefuses) {
  SignedRequest request{"PUT", "/bucket/blobs/sha256/ab/ab01", "partNumber=2&uploadId=x-1",
                        {{"Host", "127.0.0.1:7480"}, {"X-Amz-Content-Sha256", std::string(kUnsignedPayload)}},
                        std::string(kUnsignedPayload)};
  const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  sign(request, kExample, "eu-west-2", "s3", now);
  auto parsed = parse_authorization(request);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_TRUE(verify_signature(request, *parsed, kExample.secret_access_key, now, 5min).ok());

  SignedRequest tampered = request;
  tampered.raw_query = "partNumber=3&uploadId=x-1";
  EXPECT_EQ(verify_signature(tampered, *parsed, kExample.secret_access_key, now, 5min).error().code,
            ErrorCode::aws_signature_does_not_match);
}

TEST(SigV4Signer, APresignedUrlVerifiesUntilItExpires) {
  SignedRequest request{"GET", "/bucket/blobs/sha256/cd/cd02", "", {{"Host", "127.0.0.1:7480"}}, ""};
  AwsCredentials temporary = kExample;
  temporary.session_token = "token/with+odd=chars";
  const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  presign(request, temporary, "eu-west-2", "s3", now, 300s);
  EXPECT_NE(request.raw_query.find("X-Amz-Security-Token=token%2Fwith%2Bodd%3Dchars"), std::string::npos)
      << request.raw_query;
  auto parsed = parse_authorization(request);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  ASSERT_TRUE(parsed->presigned_expires.has_value());
  EXPECT_EQ(*parsed->presigned_expires, 300s);
  EXPECT_EQ(parsed->security_token, temporary.session_token);
  EXPECT_TRUE(verify_signature(request, *parsed, kExample.secret_access_key, now + 299s, 5min).ok());
  EXPECT_FALSE(verify_signature(request, *parsed, kExample.secret_access_key, now + 301s, 0s).ok());
  SignedRequest other_object = request;
  other_object.path = "/bucket/blobs/sha256/cd/cd03";
  EXPECT_FALSE(verify_signature(other_object, *parsed, kExample.secret_access_key, now, 5min).ok());
}

}  // namespace
}  // namespace berth::auth

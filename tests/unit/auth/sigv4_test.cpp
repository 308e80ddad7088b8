// SigV4 verification against the published AWS test suite (interfaces.md §7.5), the project vectors
// (§7.6), requests signed by botocore 1.29 (Date header, presigned URL, encoded path), and one test
// per refusal.
#include "auth/sigv4.hpp"

#include <gtest/gtest.h>

#include "common/digest.hpp"

namespace berth::auth {
namespace {

using namespace std::chrono_literals;
using Headers = std::vector<std::pair<std::string, std::string>>;

constexpr std::string_view kSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
constexpr std::string_view kSuiteScope = "AKIDEXAMPLE/20150830/us-east-1/service/aws4_request";
constexpr std::string_view kSuiteDate = "20150830T123600Z";
constexpr std::string_view kEmptyHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
constexpr std::string_view kSuiteSessionToken =
    "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8Y"
    "UuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8"
    "YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICC"
    "R/oLxBA==";

const std::chrono::system_clock::time_point kSuiteTime =
    std::chrono::sys_days{std::chrono::year{2015} / 8 / 30} + 12h + 36min;
const std::chrono::system_clock::time_point kProjectTime = std::chrono::sys_days{std::chrono::year{2026} / 1 / 1};

std::string authorization(std::string_view scope, std::string_view signed_headers, std::string_view signature) {
  return std::string(kSigV4Algorithm) + " Credential=" + std::string(scope) +
         ", SignedHeaders=" + std::string(signed_headers) + ", Signature=" + std::string(signature);
}

// A test-suite request: Host and X-Amz-Date as in every `*.req`, then `extra` headers, then Authorization.
SignedRequest suite_request(std::string method, std::string path, std::string query, Headers extra,
                            std::string_view body, std::string_view signed_headers, std::string_view signature) {
  Headers headers = {{"Host", "example.amazonaws.com"}, {"X-Amz-Date", std::string(kSuiteDate)}};
  headers.insert(headers.end(), extra.begin(), extra.end());
  headers.emplace_back("Authorization", authorization(kSuiteScope, signed_headers, signature));
  return SignedRequest{std::move(method), std::move(path), std::move(query), std::move(headers),
                       Hasher::of(body).hex()};
}

SignedRequest get_vanilla() {
  return suite_request("GET", "/", "", {}, "", "host;x-amz-date",
                       "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
}

SignedRequest get_header_value_trim() {
  return suite_request("GET", "/", "", {{"My-Header1", "value1"}, {"My-Header2", "\"a   b   c\""}}, "",
                       "host;my-header1;my-header2;x-amz-date",
                       "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736");
}

Status verify(const SignedRequest& request, std::chrono::system_clock::time_point now = kSuiteTime,
              std::string_view secret = kSecret) {
  Result<ParsedAuthorization> parsed = parse_authorization(request);
  if (!parsed) return parsed.error();
  return verify_signature(request, *parsed, secret, now, kDefaultAllowedSkew);
}

// Runs verification and returns the refusal, failing the test if the request was accepted.
Error refusal(const SignedRequest& request, std::chrono::system_clock::time_point now = kSuiteTime,
              std::string_view secret = kSecret) {
  Status status = verify(request, now, secret);
  if (status.ok()) {
    ADD_FAILURE() << "request was accepted";
    return Error{};
  }
  return status.error();
}

void set_header(SignedRequest& request, std::string_view name, std::string value) {
  for (auto& header : request.headers) {
    if (header.first == name) header.second = std::move(value);
  }
}

void remove_header(SignedRequest& request, std::string_view name) {
  std::erase_if(request.headers, [&](const auto& header) { return header.first == name; });
}

std::string to_hex(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  for (char c : bytes) {
    hex += kHex[static_cast<unsigned char>(c) >> 4];
    hex += kHex[static_cast<unsigned char>(c) & 0xf];
  }
  return hex;
}

// ---- published vectors (§7.5) ----

TEST(SigV4Suite, GetVanillaCanonicalRequestAndStringToSign) {
  SignedRequest request = get_vanilla();
  Result<ParsedAuthorization> parsed = parse_authorization(request);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(parsed->credential.access_key_id, "AKIDEXAMPLE");
  EXPECT_EQ(parsed->credential.date, "20150830");
  EXPECT_EQ(parsed->credential.region, "us-east-1");
  EXPECT_EQ(parsed->credential.service, "service");
  EXPECT_EQ(parsed->amz_date, kSuiteDate);
  EXPECT_FALSE(parsed->security_token.has_value());
  EXPECT_FALSE(parsed->presigned_expires.has_value());

  std::string canonical = canonical_request(request, *parsed);
  EXPECT_EQ(canonical,
            "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n"
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Hasher::of(canonical).hex(), "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63");
  EXPECT_EQ(string_to_sign(*parsed, canonical),
            "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n"
            "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63");
}

TEST(SigV4Suite, SigningKey) {
  EXPECT_EQ(to_hex(signing_key(kSecret, "20150830", "us-east-1", "service")),
            "938127b5336810ddb6a5d6af445fcac9e371f9ed418ed386b022aed82901be75");
}

TEST(SigV4Suite, PostFormStringToSign) {
  SignedRequest request =
      suite_request("POST", "/", "", {{"Content-Type", "application/x-www-form-urlencoded"}}, "Param1=value1",
                    "content-type;host;x-amz-date", "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a");
  EXPECT_EQ(request.payload_sha256_hex, "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e");
  Result<ParsedAuthorization> parsed = parse_authorization(request);
  ASSERT_TRUE(parsed.ok());
  std::string to_sign = string_to_sign(*parsed, canonical_request(request, *parsed));
  EXPECT_TRUE(to_sign.ends_with("\n42a5e5bb34198acb3e84da4f085bb7927f2bc277ca766e6d19c73c2154021281")) << to_sign;
}

struct SuiteCase {
  const char* name;
  const char* method;
  const char* path;
  const char* query;
  Headers extra_headers;
  const char* body;
  const char* signed_headers;
  const char* signature;
};

class SigV4SuiteVector : public testing::TestWithParam<SuiteCase> {};

TEST_P(SigV4SuiteVector, Verifies) {
  const SuiteCase& c = GetParam();
  SignedRequest request =
      suite_request(c.method, c.path, c.query, c.extra_headers, c.body, c.signed_headers, c.signature);
  Status status = verify(request);
  EXPECT_TRUE(status.ok()) << status.error().message;
}

constexpr const char* kVanillaSignature = "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31";
constexpr const char* kUnreserved = "-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

INSTANTIATE_TEST_SUITE_P(
    AwsTestSuite, SigV4SuiteVector,
    testing::Values(SuiteCase{"get_vanilla", "GET", "/", "", {}, "", "host;x-amz-date", kVanillaSignature},
                    SuiteCase{"get_vanilla_query_order_key_case",
                              "GET",
                              "/",
                              "Param2=value2&Param1=value1",
                              {},
                              "",
                              "host;x-amz-date",
                              "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"},
                    SuiteCase{"get_vanilla_query_unreserved",
                              "GET",
                              "/",
                              "-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz="
                              "-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
                              {},
                              "",
                              "host;x-amz-date",
                              "9c3e54bfcdf0b19771a7f523ee5669cdf59bc7cc0884027167c21bb143a40197"},
                    SuiteCase{"get_vanilla_empty_query_key",
                              "GET",
                              "/",
                              "Param1=value1",
                              {},
                              "",
                              "host;x-amz-date",
                              "a67d582fa61cc504c4bae71f336f98b97f1ea3c7a6bfe1b6e45aec72011b9aeb"},
                    SuiteCase{"get_utf8",
                              "GET",
                              "/\xE1\x88\xB4",
                              "",
                              {},
                              "",
                              "host;x-amz-date",
                              "8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85"},
                    SuiteCase{"get_space",
                              "GET",
                              "/example space/",
                              "",
                              {},
                              "",
                              "host;x-amz-date",
                              "652487583200325589f1fba4c7e578f72c47cb61beeca81406b39ddec1366741"},
                    SuiteCase{"get_slashes",
                              "GET",
                              "//example//",
                              "",
                              {},
                              "",
                              "host;x-amz-date",
                              "9a624bd73a37c9a373b5312afbebe7a714a789de108f0bdfe846570885f57e84"},
                    SuiteCase{"get_slash_pointless_dot",
                              "GET",
                              "/./example",
                              "",
                              {},
                              "",
                              "host;x-amz-date",
                              "ef75d96142cf21edca26f06005da7988e4f8dc83a165a80865db7089db637ec5"},
                    SuiteCase{"get_special_character",
                              "GET",
                              "/example/$delete",
                              "",
                              {},
                              "",
                              "host;x-amz-date",
                              "a853c9b21b528b19643d00910d35b83a10c366a10833ceefb45edd6c80e40f27"},
                    SuiteCase{"get_relative", "GET", "/example/..", "", {}, "", "host;x-amz-date", kVanillaSignature},
                    SuiteCase{"get_relative_relative",
                              "GET",
                              "/example1/example2/../..",
                              "",
                              {},
                              "",
                              "host;x-amz-date",
                              kVanillaSignature},
                    SuiteCase{"get_slash", "GET", "//", "", {}, "", "host;x-amz-date", kVanillaSignature},
                    SuiteCase{"get_slash_dot_slash", "GET", "/./", "", {}, "", "host;x-amz-date", kVanillaSignature},
                    SuiteCase{"get_header_value_trim",
                              "GET",
                              "/",
                              "",
                              {{"My-Header1", "value1"}, {"My-Header2", "\"a   b   c\""}},
                              "",
                              "host;my-header1;my-header2;x-amz-date",
                              "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736"},
                    SuiteCase{"get_header_key_duplicate",
                              "GET",
                              "/",
                              "",
                              {{"My-Header1", "value2"}, {"My-Header1", "value2"}, {"My-Header1", "value1"}},
                              "",
                              "host;my-header1;x-amz-date",
                              "c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea"},
                    SuiteCase{"post_x_www_form_urlencoded",
                              "POST",
                              "/",
                              "",
                              {{"Content-Type", "application/x-www-form-urlencoded"}},
                              "Param1=value1",
                              "content-type;host;x-amz-date",
                              "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a"},
                    SuiteCase{
                        "get_vanilla_with_session_token",
                        "GET",
                        "/",
                        "",
                        {{"X-Amz-Security-Token", "6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267"}},
                        "",
                        "host;x-amz-date;x-amz-security-token",
                        "07ec1639c89043aa0e3e2de82b96708f198cceab042d4a97044c66dd9f74e7f8"},
                    SuiteCase{"post_sts_header_before",
                              "POST",
                              "/",
                              "",
                              {{"X-Amz-Security-Token", std::string(kSuiteSessionToken)}},
                              "",
                              "host;x-amz-date;x-amz-security-token",
                              "85d96828115b5dc0cfc3bd16ad9e210dd772bbebba041836c64533a82be05ead"},
                    SuiteCase{"post_sts_header_after",
                              "POST",
                              "/",
                              "",
                              {{"X-Amz-Security-Token", std::string(kSuiteSessionToken)}},
                              "",
                              "host;x-amz-date",
                              "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"}),
    [](const testing::TestParamInfo<SuiteCase>& info) { return std::string(info.param.name); });

TEST(SigV4Suite, UnreservedQueryIsNotEncoded) {
  SignedRequest request = suite_request("GET", "/", std::string(kUnreserved) + "=" + kUnreserved, {}, "",
                                        "host;x-amz-date", kVanillaSignature);
  Result<ParsedAuthorization> parsed = parse_authorization(request);
  ASSERT_TRUE(parsed.ok());
  EXPECT_NE(canonical_request(request, *parsed).find(std::string("\n") + kUnreserved + "=" + kUnreserved + "\n"),
            std::string::npos);
}

TEST(SigV4Suite, SessionTokenIsReportedWhetherSignedOrNot) {
  SignedRequest after =
      suite_request("POST", "/", "", {{"X-Amz-Security-Token", std::string(kSuiteSessionToken)}}, "", "host;x-amz-date",
                    "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b");
  Result<ParsedAuthorization> parsed = parse_authorization(after);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->security_token, std::string(kSuiteSessionToken));
}

// ---- project vectors (§7.6) ----

struct ProjectCase {
  std::string host, content_type, target, body, service, canonical, canonical_hash, key_hex, signature;
};

SignedRequest project_request(const ProjectCase& c) {
  std::string signed_headers = "content-type;host;x-amz-date;x-amz-security-token";
  Headers headers = {{"Host", c.host},
                     {"Content-Type", c.content_type},
                     {"X-Amz-Date", "20260101T000000Z"},
                     {"X-Amz-Security-Token", "EXAMPLESESSIONTOKEN"},
                     {"User-Agent", "aws-cli/2.9.19 Python/3.11.2 Linux/6.1.0 source/x86_64.debian.12"},
                     {"Content-Length", std::to_string(c.body.size())}};
  if (!c.target.empty()) {
    headers.emplace_back("X-Amz-Target", c.target);
    signed_headers += ";x-amz-target";
  }
  headers.emplace_back("Authorization",
                       authorization("ASIAEXAMPLEEXAMPLE01/20260101/eu-west-2/" + c.service + "/aws4_request",
                                     signed_headers, c.signature));
  return SignedRequest{"POST", "/", "", std::move(headers), Hasher::of(c.body).hex()};
}

class SigV4ProjectVector : public testing::TestWithParam<ProjectCase> {};

TEST_P(SigV4ProjectVector, MatchesEveryIntermediateAndVerifies) {
  const ProjectCase& c = GetParam();
  SignedRequest request = project_request(c);
  Result<ParsedAuthorization> parsed = parse_authorization(request);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(parsed->credential.access_key_id, "ASIAEXAMPLEEXAMPLE01");
  EXPECT_EQ(parsed->security_token, "EXAMPLESESSIONTOKEN");
  EXPECT_TRUE(check_scope(parsed->credential, "eu-west-2", c.service).ok());

  std::string canonical = canonical_request(request, *parsed);
  EXPECT_EQ(canonical, c.canonical);
  EXPECT_EQ(Hasher::of(canonical).hex(), c.canonical_hash);
  EXPECT_EQ(to_hex(signing_key(kSecret, "20260101", "eu-west-2", c.service)), c.key_hex);
  Status status = verify_signature(request, *parsed, kSecret, kProjectTime + 90s, kDefaultAllowedSkew);
  EXPECT_TRUE(status.ok()) << status.error().message;
}

INSTANTIATE_TEST_SUITE_P(
    Berth, SigV4ProjectVector,
    testing::Values(
        ProjectCase{"api.ecr.eu-west-2.amazonaws.com", "application/x-amz-json-1.1",
                    "AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken", "{}", "ecr",
                    "POST\n/\n\ncontent-type:application/x-amz-json-1.1\nhost:api.ecr.eu-west-2.amazonaws.com\n"
                    "x-amz-date:20260101T000000Z\nx-amz-security-token:EXAMPLESESSIONTOKEN\n"
                    "x-amz-target:AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken\n\n"
                    "content-type;host;x-amz-date;x-amz-security-token;x-amz-target\n"
                    "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a",
                    "b3f0a754d90c078462c680eca26437193322ad2fa47eb392f8071060a07bc6d1",
                    "89cc7f6c38730b720f0a1460a74069d0efd589367c6dfffa129c98d45b44bc92",
                    "c24330d9ca6847f5bd87ac6d903b767e8714096534ce399aa82ce9c4348a8c9e"},
        ProjectCase{"sts.eu-west-2.amazonaws.com", "application/x-www-form-urlencoded; charset=utf-8", "",
                    "Action=GetCallerIdentity&Version=2011-06-15", "sts",
                    "POST\n/\n\ncontent-type:application/x-www-form-urlencoded; charset=utf-8\n"
                    "host:sts.eu-west-2.amazonaws.com\nx-amz-date:20260101T000000Z\n"
                    "x-amz-security-token:EXAMPLESESSIONTOKEN\n\n"
                    "content-type;host;x-amz-date;x-amz-security-token\n"
                    "ab821ae955788b0e33ebd34c208442ccfc2d406e2edc5e7a39bd6458fbb4f843",
                    "1d30eee633dcb5eda399638a8d1a06e70104a2d72cf0374ea4b6a8d5054c3191",
                    "dcda31d5aa0146a5c8f90f8144faa0e3a43ed88a7dd591d74d3e57898b1c686a",
                    "7b40d01a0e19f5bd9f2950bc458741cb8235eae4c91596e4d74c90854507a903"}),
    [](const testing::TestParamInfo<ProjectCase>& info) { return info.param.service; });

// ---- requests signed by botocore 1.29.27 (independent of this implementation) ----

TEST(SigV4Botocore, DateHeaderStandsInForXAmzDate) {
  SignedRequest request{
      "GET",
      "/",
      "",
      {{"Host", "example.amazonaws.com"},
       {"Date", "Sun, 30 Aug 2015 12:36:00 -0000"},
       {"Authorization",
        authorization(kSuiteScope, "date;host", "7680771e48fa28c7db272da980f990fa8ee39dee61905c4203f5da9d3d48ac86")}},
      std::string(kEmptyHash)};
  Result<ParsedAuthorization> parsed = parse_authorization(request);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(parsed->amz_date, kSuiteDate);
  EXPECT_TRUE(verify(request).ok());
}

TEST(SigV4Botocore, Rfc1123GmtDateIsAccepted) {
  SignedRequest request{"GET",
                        "/",
                        "",
                        {{"Host", "h"},
                         {"Date", "Sun, 30 Aug 2015 12:36:00 GMT"},
                         {"Authorization", authorization(kSuiteScope, "date;host", kVanillaSignature)}},
                        std::string(kEmptyHash)};
  Result<ParsedAuthorization> parsed = parse_authorization(request);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(parsed->amz_date, kSuiteDate);
}

TEST(SigV4Botocore, PathEncodedOnTheWireIsEncodedAgain) {
  SignedRequest request = suite_request("GET", "/example%20space/", "", {}, "", "host;x-amz-date",
                                        "446b817944c553435b35e813c261ff4e161fff982d1bacdef1c87f6785dd1662");
  Status status = verify(request);
  EXPECT_TRUE(status.ok()) << status.error().message;
}

SignedRequest presigned_get_caller_identity() {
  return SignedRequest{"GET",
                       "/",
                       "Action=GetCallerIdentity&Version=2011-06-15&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential="
                       "AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fsts%2Faws4_request&X-Amz-Date=20150830T123600Z&"
                       "X-Amz-Expires=60&X-Amz-SignedHeaders=host&X-Amz-Signature="
                       "66ad5abfc8108ce3c950addffb2d53b06a07daabed08f67240acabffe03a50cd",
                       {{"Host", "example.amazonaws.com"}},
                       std::string(kEmptyHash)};
}

TEST(SigV4Botocore, PresignedUrlVerifiesUntilItExpires) {
  SignedRequest request = presigned_get_caller_identity();
  Result<ParsedAuthorization> parsed = parse_authorization(request);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(parsed->credential.service, "sts");
  EXPECT_EQ(parsed->presigned_expires, 60s);
  Status status = verify(request, kSuiteTime + 59s);
  EXPECT_TRUE(status.ok()) << status.error().message;

  Error expired = refusal(request, kSuiteTime + 61s);
  EXPECT_EQ(expired.code, ErrorCode::aws_signature_does_not_match);
  EXPECT_TRUE(expired.message.starts_with("Signature expired: 20150830T123600Z")) << expired.message;
}

TEST(SigV4Botocore, PresignedUrlWithTamperedParameterIsRefused) {
  SignedRequest request = presigned_get_caller_identity();
  request.raw_query.replace(request.raw_query.find("GetCallerIdentity"), 17, "AssumeRole");
  EXPECT_EQ(refusal(request).code, ErrorCode::aws_signature_does_not_match);
}

// ---- tolerated variations ----

TEST(SigV4Accepts, CommasWithoutSpacesAndHeaderNamesInAnyCase) {
  SignedRequest request{"GET",
                        "/",
                        "",
                        {{"HOST", "example.amazonaws.com"},
                         {"x-amz-date", std::string(kSuiteDate)},
                         {"authorization", "AWS4-HMAC-SHA256 Credential=" + std::string(kSuiteScope) +
                                               ",SignedHeaders=host;x-amz-date,Signature=" + kVanillaSignature}},
                        std::string(kEmptyHash)};
  Status status = verify(request);
  EXPECT_TRUE(status.ok()) << status.error().message;
}

TEST(SigV4Accepts, UnsignedContentSha256ThatMatchesThePayload) {
  SignedRequest request = get_vanilla();
  request.headers.emplace_back("X-Amz-Content-Sha256", std::string(kEmptyHash));
  EXPECT_TRUE(verify(request).ok());
}

TEST(SigV4Accepts, RequestTimeJustInsideTheWindowEitherWay) {
  EXPECT_TRUE(verify(get_vanilla(), kSuiteTime + 14min).ok());
  EXPECT_TRUE(verify(get_vanilla(), kSuiteTime - 14min).ok());
}

// ---- refusals ----

TEST(SigV4Refuses, TamperedSignature) {
  SignedRequest request = get_vanilla();
  set_header(request, "Authorization",
             authorization(kSuiteScope, "host;x-amz-date",
                           "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf30"));
  Error error = refusal(request);
  EXPECT_EQ(error.code, ErrorCode::aws_signature_does_not_match);
  EXPECT_TRUE(error.message.starts_with("The request signature we calculated does not match")) << error.message;
  EXPECT_NE(error.message.find("host:example.amazonaws.com\nx-amz-date:20150830T123600Z"), std::string::npos);
}

TEST(SigV4Refuses, TruncatedSignature) {
  SignedRequest request = get_vanilla();
  set_header(request, "Authorization", authorization(kSuiteScope, "host;x-amz-date", "5fa00fa3"));
  EXPECT_EQ(refusal(request).code, ErrorCode::aws_signature_does_not_match);
}

TEST(SigV4Refuses, WrongSecret) {
  EXPECT_EQ(refusal(get_vanilla(), kSuiteTime, "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEZ").code,
            ErrorCode::aws_signature_does_not_match);
}

TEST(SigV4Refuses, TamperedSignedHeaderValue) {
  SignedRequest request = get_header_value_trim();
  ASSERT_TRUE(verify(request).ok());
  set_header(request, "My-Header1", "value2");
  EXPECT_EQ(refusal(request).code, ErrorCode::aws_signature_does_not_match);
}

TEST(SigV4Refuses, TamperedHost) {
  SignedRequest request = get_vanilla();
  set_header(request, "Host", "example.amazonaws.com:8443");
  EXPECT_EQ(refusal(request).code, ErrorCode::aws_signature_does_not_match);
}

TEST(SigV4Refuses, TamperedBody) {
  SignedRequest request = get_vanilla();
  request.payload_sha256_hex = Hasher::of("{}").hex();
  EXPECT_EQ(refusal(request).code, ErrorCode::aws_signature_does_not_match);
}

TEST(SigV4Refuses, SignedHeaderMissingFromRequest) {
  SignedRequest request = get_header_value_trim();
  remove_header(request, "My-Header2");
  Error error = refusal(request);
  EXPECT_EQ(error.code, ErrorCode::aws_signature_does_not_match);
  EXPECT_NE(error.message.find("'my-header2' is missing"), std::string::npos) << error.message;
}

TEST(SigV4Refuses, UnsignedHost) {
  SignedRequest request = get_vanilla();
  set_header(request, "Authorization", authorization(kSuiteScope, "x-amz-date", kVanillaSignature));
  Error error = refusal(request);
  EXPECT_EQ(error.code, ErrorCode::aws_signature_does_not_match);
  EXPECT_EQ(error.message, "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
}

TEST(SigV4Refuses, UnsignedXAmzDate) {
  SignedRequest request = get_vanilla();
  set_header(request, "Authorization", authorization(kSuiteScope, "host", kVanillaSignature));
  Error error = refusal(request);
  EXPECT_EQ(error.code, ErrorCode::aws_signature_does_not_match);
  EXPECT_EQ(error.message, "'X-Amz-Date' must be a 'SignedHeader' in the AWS Authorization.");
}

TEST(SigV4Refuses, ScopeDateOtherThanRequestDay) {
  SignedRequest request = get_vanilla();
  set_header(
      request, "Authorization",
      authorization("AKIDEXAMPLE/20150831/us-east-1/service/aws4_request", "host;x-amz-date", kVanillaSignature));
  Error error = refusal(request);
  EXPECT_EQ(error.code, ErrorCode::aws_signature_does_not_match);
  EXPECT_EQ(error.message,
            "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20150831' != "
            "'20150830', from '20150830T123600Z'.");
}

TEST(SigV4Refuses, ExpiredRequestTime) {
  Error error = refusal(get_vanilla(), kSuiteTime + 16min);
  EXPECT_EQ(error.code, ErrorCode::aws_signature_does_not_match);
  EXPECT_EQ(error.message,
            "Signature expired: 20150830T123600Z is now earlier than 20150830T123700Z (20150830T125200Z - 15 min.)");
}

TEST(SigV4Refuses, RequestTimeInTheFuture) {
  Error error = refusal(get_vanilla(), kSuiteTime - 16min);
  EXPECT_EQ(error.code, ErrorCode::aws_signature_does_not_match);
  EXPECT_EQ(error.message,
            "Signature not yet current: 20150830T123600Z is still later than 20150830T123500Z "
            "(20150830T122000Z + 15 min.)");
}

TEST(SigV4Refuses, SkewWindowIsConfigurable) {
  Result<ParsedAuthorization> parsed = parse_authorization(get_vanilla());
  ASSERT_TRUE(parsed.ok());
  EXPECT_TRUE(verify_signature(get_vanilla(), *parsed, kSecret, kSuiteTime + 4min, 5min).ok());
  EXPECT_FALSE(verify_signature(get_vanilla(), *parsed, kSecret, kSuiteTime + 6min, 5min).ok());
}

TEST(SigV4Refuses, ContentSha256OtherThanThePayloadHash) {
  SignedRequest request = get_vanilla();
  request.headers.emplace_back("X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD");
  Error error = refusal(request);
  EXPECT_EQ(error.code, ErrorCode::aws_signature_does_not_match);
  EXPECT_EQ(error.message, "The provided 'x-amz-content-sha256' header does not match what was computed.");
}

TEST(SigV4Refuses, WrongTerminator) {
  SignedRequest request = get_vanilla();
  set_header(
      request, "Authorization",
      authorization("AKIDEXAMPLE/20150830/us-east-1/service/aws5_request", "host;x-amz-date", kVanillaSignature));
  Error error = refusal(request);
  EXPECT_EQ(error.code, ErrorCode::aws_signature_does_not_match);
  EXPECT_EQ(error.message, "Credential should be scoped with a valid terminator: 'aws4_request', not 'aws5_request'.");
}

TEST(SigV4Refuses, NoAuthorizationAtAll) {
  SignedRequest request = get_vanilla();
  remove_header(request, "Authorization");
  EXPECT_EQ(refusal(request).code, ErrorCode::aws_missing_authentication_token);
}

TEST(SigV4Refuses, HeaderAndQueryAuthenticationTogether) {
  SignedRequest request = presigned_get_caller_identity();
  request.headers.emplace_back("Authorization", authorization(kSuiteScope, "host", kVanillaSignature));
  EXPECT_EQ(refusal(request).code, ErrorCode::aws_incomplete_signature);
}

TEST(SigV4Refuses, TwoAuthorizationHeaders) {
  SignedRequest request = get_vanilla();
  request.headers.emplace_back("Authorization", authorization(kSuiteScope, "host;x-amz-date", kVanillaSignature));
  EXPECT_EQ(refusal(request).code, ErrorCode::aws_incomplete_signature);
}

TEST(SigV4Refuses, NoRequestTime) {
  SignedRequest request = get_vanilla();
  remove_header(request, "X-Amz-Date");
  Error error = refusal(request);
  EXPECT_EQ(error.code, ErrorCode::aws_incomplete_signature);
  EXPECT_EQ(error.message, "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
}

TEST(SigV4Refuses, PresignedUrlWithoutExpiry) {
  SignedRequest request = presigned_get_caller_identity();
  request.raw_query.erase(request.raw_query.find("X-Amz-Expires=60&"), 17);
  EXPECT_EQ(refusal(request).code, ErrorCode::aws_incomplete_signature);
}

class SigV4MalformedAuthorization : public testing::TestWithParam<std::string> {};

TEST_P(SigV4MalformedAuthorization, IsAnIncompleteSignature) {
  SignedRequest request = get_vanilla();
  set_header(request, "Authorization", GetParam());
  Error error = refusal(request);
  EXPECT_EQ(error.code, ErrorCode::aws_incomplete_signature) << error.message;
}

INSTANTIATE_TEST_SUITE_P(
    SigV4Refuses, SigV4MalformedAuthorization,
    testing::Values(
        "", "AWS4-HMAC-SHA256", "Basic QVdTOnNlY3JldA==",
        "AWS4-HMAC-SHA1 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host, "
        "Signature=abc",
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host",
        "AWS4-HMAC-SHA256 SignedHeaders=host, Signature=abc",
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/aws4_request, SignedHeaders=host, Signature=abc",
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE//us-east-1/service/aws4_request, SignedHeaders=host, Signature=abc",
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/2015083/us-east-1/service/aws4_request, SignedHeaders=host, "
        "Signature=abc",
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=Host, "
        "Signature=abc",
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;;x, "
        "Signature=abc",
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host, "
        "Signature=abc, Signature=abd",
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host, "
        "Signature=abc, Extra=1"));

TEST(SigV4Refuses, MalformedXAmzDate) {
  SignedRequest request = get_vanilla();
  set_header(request, "X-Amz-Date", "2015-08-30T12:36:00Z");
  EXPECT_EQ(refusal(request).code, ErrorCode::aws_incomplete_signature);
  set_header(request, "X-Amz-Date", "20150230T123600Z");
  EXPECT_EQ(refusal(request).code, ErrorCode::aws_incomplete_signature);
}

TEST(SigV4Scope, RefusesOtherRegionOrService) {
  SigV4Credential credential{"ASIAEXAMPLEEXAMPLE01", "20260101", "eu-west-2", "ecr"};
  EXPECT_TRUE(check_scope(credential, "eu-west-2", "ecr").ok());
  Status region = check_scope(credential, "us-east-1", "ecr");
  ASSERT_FALSE(region.ok());
  EXPECT_EQ(region.error().code, ErrorCode::aws_signature_does_not_match);
  EXPECT_EQ(region.error().message, "Credential should be scoped to a valid region, not 'eu-west-2'.");
  Status service = check_scope(credential, "eu-west-2", "sts");
  ASSERT_FALSE(service.ok());
  EXPECT_EQ(service.error().message, "Credential should be scoped to correct service: 'sts'.");
}

}  // namespace
}  // namespace berth::auth

#include "aws/aws_error.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <regex>
#include <string>

namespace berth::aws {
namespace {

std::string body_of(const http::Response& response) { return std::get<std::string>(response.body); }

std::string header_of(const http::Response& response, std::string_view name) {
  return std::string(response.headers.get(name).value_or("<absent>"));
}

struct WireCase {
  ErrorCode code;
  int sts_status;
  std::string_view sts_code;
  int ecr_status;
  std::string_view ecr_type;
};

class AwsErrorMapping : public ::testing::TestWithParam<WireCase> {};

TEST_P(AwsErrorMapping, RendersStatusAndWireCodeInBothProtocols) {
  const WireCase& expected = GetParam();
  const Error error = make_error(expected.code, "what went wrong");

  http::Response sts = sts_error_response(error, "req-1");
  EXPECT_EQ(sts.status, expected.sts_status);
  EXPECT_NE(body_of(sts).find("<Code>" + std::string(expected.sts_code) + "</Code>"), std::string::npos)
      << body_of(sts);

  http::Response ecr = ecr_error_response(error, "req-1");
  EXPECT_EQ(ecr.status, expected.ecr_status);
  EXPECT_EQ(nlohmann::json::parse(body_of(ecr))["__type"], expected.ecr_type);
}

INSTANTIATE_TEST_SUITE_P(
    InterfacesTables, AwsErrorMapping,
    ::testing::Values(
        WireCase{ErrorCode::aws_missing_authentication_token, 403, "MissingAuthenticationToken", 400,
                 "MissingAuthenticationTokenException"},
        WireCase{ErrorCode::aws_incomplete_signature, 400, "IncompleteSignature", 400, "IncompleteSignatureException"},
        WireCase{ErrorCode::aws_signature_does_not_match, 403, "SignatureDoesNotMatch", 400,
                 "InvalidSignatureException"},
        WireCase{ErrorCode::aws_invalid_client_token_id, 403, "InvalidClientTokenId", 400,
                 "UnrecognizedClientException"},
        WireCase{ErrorCode::aws_expired_token, 403, "ExpiredToken", 400, "ExpiredTokenException"},
        WireCase{ErrorCode::aws_invalid_identity_token, 400, "InvalidIdentityToken", 400, "InvalidParameterException"},
        WireCase{ErrorCode::aws_expired_identity_token, 400, "ExpiredTokenException", 400, "ExpiredTokenException"},
        WireCase{ErrorCode::aws_idp_rejected_claim, 403, "IDPRejectedClaim", 400, "AccessDeniedException"},
        WireCase{ErrorCode::aws_idp_communication_error, 400, "IDPCommunicationError", 500, "ServerException"},
        WireCase{ErrorCode::aws_access_denied, 403, "AccessDenied", 400, "AccessDeniedException"},
        WireCase{ErrorCode::aws_validation_error, 400, "ValidationError", 400, "InvalidParameterException"},
        WireCase{ErrorCode::invalid_argument, 400, "ValidationError", 400, "InvalidParameterException"},
        WireCase{ErrorCode::aws_malformed_policy_document, 400, "MalformedPolicyDocument", 400,
                 "InvalidParameterException"},
        WireCase{ErrorCode::aws_repository_not_found, 400, "ValidationError", 400, "RepositoryNotFoundException"},
        WireCase{ErrorCode::aws_image_not_found, 400, "ValidationError", 400, "ImageNotFoundException"},
        WireCase{ErrorCode::aws_repository_already_exists, 400, "ValidationError", 400,
                 "RepositoryAlreadyExistsException"},
        WireCase{ErrorCode::aws_repository_not_empty, 400, "ValidationError", 400, "RepositoryNotEmptyException"},
        WireCase{ErrorCode::aws_invalid_tag_parameter, 400, "ValidationError", 400, "InvalidTagParameterException"},
        WireCase{ErrorCode::aws_too_many_tags, 400, "ValidationError", 400, "TooManyTagsException"},
        WireCase{ErrorCode::aws_lifecycle_policy_not_found, 400, "ValidationError", 400,
                 "LifecyclePolicyNotFoundException"},
        WireCase{ErrorCode::aws_lifecycle_policy_preview_not_found, 400, "ValidationError", 400,
                 "LifecyclePolicyPreviewNotFoundException"},
        WireCase{ErrorCode::aws_validation_exception, 400, "ValidationError", 400, "ValidationException"},
        WireCase{ErrorCode::aws_unknown_operation, 400, "InvalidAction", 400, "UnknownOperationException"},
        WireCase{ErrorCode::manifest_blob_unknown, 400, "ValidationError", 400, "LayersNotFoundException"},
        WireCase{ErrorCode::manifest_child_unknown, 400, "ValidationError", 400,
                 "ReferencedImagesNotFoundException"},
        WireCase{ErrorCode::tag_immutable, 400, "ValidationError", 400, "ImageTagAlreadyExistsException"},
        WireCase{ErrorCode::aws_image_already_exists, 400, "ValidationError", 400, "ImageAlreadyExistsException"},
        WireCase{ErrorCode::aws_image_digest_mismatch, 400, "ValidationError", 400,
                 "ImageDigestDoesNotMatchException"},
        WireCase{ErrorCode::aws_upload_not_found, 400, "ValidationError", 400, "UploadNotFoundException"},
        WireCase{ErrorCode::aws_invalid_layer_part, 400, "ValidationError", 400, "InvalidLayerPartException"},
        WireCase{ErrorCode::aws_empty_upload, 400, "ValidationError", 400, "EmptyUploadException"},
        WireCase{ErrorCode::aws_invalid_layer, 400, "ValidationError", 400, "InvalidLayerException"},
        WireCase{ErrorCode::aws_layer_already_exists, 400, "ValidationError", 400, "LayerAlreadyExistsException"},
        WireCase{ErrorCode::payload_too_large, 413, "RequestEntityTooLarge", 413, "RequestEntityTooLargeException"},
        WireCase{ErrorCode::unavailable, 503, "ServiceUnavailable", 500, "ServerException"},
        WireCase{ErrorCode::internal, 500, "InternalFailure", 500, "ServerException"}));

TEST(StsErrorResponse, HasTheQueryProtocolShape) {
  http::Response response =
      sts_error_response(make_error(ErrorCode::aws_access_denied, "Not authorized to perform sts:X"), "req-42");
  EXPECT_EQ(header_of(response, "Content-Type"), "text/xml");
  EXPECT_EQ(body_of(response),
            "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Sender</Type>"
            "<Code>AccessDenied</Code><Message>Not authorized to perform sts:X</Message></Error>"
            "<RequestId>req-42</RequestId></ErrorResponse>");
}

TEST(StsErrorResponse, ServerFaultsAreReceiverFaultsWithoutTheirMessage) {
  http::Response response = sts_error_response(make_error(ErrorCode::internal, "sqlite: disk I/O error"), "r");
  EXPECT_NE(body_of(response).find("<Type>Receiver</Type>"), std::string::npos);
  EXPECT_EQ(body_of(response).find("sqlite"), std::string::npos);
}

TEST(StsErrorResponse, EscapesClientInputInTheMessage) {
  http::Response response =
      sts_error_response(make_error(ErrorCode::aws_validation_error, "Value '<a&b>' at 'x'"), "r");
  EXPECT_NE(body_of(response).find("<Message>Value &apos;&lt;a&amp;b&gt;&apos; at &apos;x&apos;</Message>"),
            std::string::npos)
      << body_of(response);
}

TEST(EcrErrorResponse, HasTheJsonProtocolShape) {
  http::Response response = ecr_error_response(
      make_error(ErrorCode::aws_invalid_client_token_id, "The security token included in the request is invalid."),
      "req-7");
  EXPECT_EQ(header_of(response, "Content-Type"), "application/x-amz-json-1.1");
  EXPECT_EQ(nlohmann::json::parse(body_of(response)),
            (nlohmann::json{{"__type", "UnrecognizedClientException"},
                            {"message", "The security token included in the request is invalid."}}));
}

TEST(EcrErrorResponse, ServerFaultsHideTheirMessageAndSurviveInvalidUtf8) {
  http::Response internal = ecr_error_response(make_error(ErrorCode::internal, "secret detail"), "r");
  EXPECT_EQ(body_of(internal).find("secret detail"), std::string::npos);
  http::Response invalid = ecr_error_response(make_error(ErrorCode::aws_validation_error, "bad \xff byte"), "r");
  EXPECT_TRUE(nlohmann::json::accept(body_of(invalid)));
}

TEST(AwsHeaders, EveryErrorCarriesRequestIdAndRfc1123Date) {
  for (const http::Response& response : {sts_error_response(make_error(ErrorCode::internal, "x"), "rid-1"),
                                         ecr_error_response(make_error(ErrorCode::internal, "x"), "rid-1")}) {
    EXPECT_EQ(header_of(response, "x-amzn-RequestId"), "rid-1");
    EXPECT_TRUE(std::regex_match(header_of(response, "Date"),
                                 std::regex(R"((Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|)"
                                            R"(Sep|Oct|Nov|Dec) \d{4} \d\d:\d\d:\d\d GMT)")))
        << header_of(response, "Date");
  }
}

TEST(RequestId, IsAFreshUuidV4) {
  const std::string first = new_request_id();
  EXPECT_TRUE(
      std::regex_match(first, std::regex("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")))
      << first;
  EXPECT_NE(first, new_request_id());
}

}  // namespace
}  // namespace berth::aws

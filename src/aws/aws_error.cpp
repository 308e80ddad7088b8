#include "aws/aws_error.hpp"

#include <nlohmann/json.hpp>

#include <array>
#include <chrono>
#include <cstdint>
#include <ctime>
#include <random>

#include <fmt/format.h>

#include "aws/xml_writer.hpp"
#include "common/log.hpp"

namespace berth::aws {

namespace {

constexpr std::string_view kInternalMessage = "We encountered an internal error. Please try again.";

// How one berth ErrorCode reaches each AWS front door. Statuses and codes: interfaces.md §4.5 (STS),
// §6.1 and §7.4 (ECR); ECR answers client faults with 400 and server faults with 500.
struct AwsMapping {
  int sts_status;
  std::string_view sts_code;
  int ecr_status;
  std::string_view ecr_type;
};

AwsMapping aws_mapping(ErrorCode code) {
  switch (code) {
    case ErrorCode::aws_missing_authentication_token:
      return {403, "MissingAuthenticationToken", 400, "MissingAuthenticationTokenException"};
    case ErrorCode::aws_incomplete_signature:
      return {400, "IncompleteSignature", 400, "IncompleteSignatureException"};
    case ErrorCode::aws_signature_does_not_match:
      return {403, "SignatureDoesNotMatch", 400, "InvalidSignatureException"};
    case ErrorCode::aws_invalid_client_token_id:
      return {403, "InvalidClientTokenId", 400, "UnrecognizedClientException"};
    case ErrorCode::aws_expired_token:
      return {403, "ExpiredToken", 400, "ExpiredTokenException"};
    case ErrorCode::aws_invalid_identity_token:
      return {400, "InvalidIdentityToken", 400, "InvalidParameterException"};
    case ErrorCode::aws_expired_identity_token:
      return {400, "ExpiredTokenException", 400, "ExpiredTokenException"};
    case ErrorCode::aws_idp_rejected_claim:
      return {403, "IDPRejectedClaim", 400, "AccessDeniedException"};
    case ErrorCode::aws_idp_communication_error:
      return {400, "IDPCommunicationError", 500, "ServerException"};
    case ErrorCode::aws_access_denied:
    case ErrorCode::unauthorized:
    case ErrorCode::denied:
      return {403, "AccessDenied", 400, "AccessDeniedException"};
    case ErrorCode::aws_validation_error:
    case ErrorCode::invalid_argument:
    case ErrorCode::name_invalid:
    case ErrorCode::tag_invalid:
    case ErrorCode::digest_invalid:
    case ErrorCode::manifest_invalid:
    case ErrorCode::pagination_number_invalid:
    case ErrorCode::range_invalid:
    case ErrorCode::size_invalid:
    case ErrorCode::unsupported:
      return {400, "ValidationError", 400, "InvalidParameterException"};
    case ErrorCode::aws_malformed_policy_document:
      return {400, "MalformedPolicyDocument", 400, "InvalidParameterException"};
    case ErrorCode::aws_repository_not_found:
    case ErrorCode::name_unknown:
      return {400, "ValidationError", 400, "RepositoryNotFoundException"};
    case ErrorCode::aws_image_not_found:
    case ErrorCode::manifest_unknown:
    case ErrorCode::blob_unknown:
      return {400, "ValidationError", 400, "ImageNotFoundException"};
    case ErrorCode::aws_layers_not_found:
    case ErrorCode::manifest_blob_unknown:
      return {400, "ValidationError", 400, "LayersNotFoundException"};
    case ErrorCode::manifest_child_unknown:
      return {400, "ValidationError", 400, "ReferencedImagesNotFoundException"};
    case ErrorCode::tag_immutable:
      return {400, "ValidationError", 400, "ImageTagAlreadyExistsException"};
    case ErrorCode::aws_image_already_exists:
      return {400, "ValidationError", 400, "ImageAlreadyExistsException"};
    case ErrorCode::aws_image_digest_mismatch:
      return {400, "ValidationError", 400, "ImageDigestDoesNotMatchException"};
    case ErrorCode::aws_upload_not_found:
      return {400, "ValidationError", 400, "UploadNotFoundException"};
    case ErrorCode::aws_invalid_layer_part:
      return {400, "ValidationError", 400, "InvalidLayerPartException"};
    case ErrorCode::aws_empty_upload:
      return {400, "ValidationError", 400, "EmptyUploadException"};
    case ErrorCode::aws_invalid_layer:
      return {400, "ValidationError", 400, "InvalidLayerException"};
    case ErrorCode::aws_layer_already_exists:
      return {400, "ValidationError", 400, "LayerAlreadyExistsException"};
    case ErrorCode::aws_repository_already_exists:
      return {400, "ValidationError", 400, "RepositoryAlreadyExistsException"};
    case ErrorCode::aws_repository_not_empty:
      return {400, "ValidationError", 400, "RepositoryNotEmptyException"};
    case ErrorCode::aws_invalid_tag_parameter:
      return {400, "ValidationError", 400, "InvalidTagParameterException"};
    case ErrorCode::aws_too_many_tags:
      return {400, "ValidationError", 400, "TooManyTagsException"};
    case ErrorCode::aws_lifecycle_policy_not_found:
      return {400, "ValidationError", 400, "LifecyclePolicyNotFoundException"};
    case ErrorCode::aws_lifecycle_policy_preview_not_found:
      return {400, "ValidationError", 400, "LifecyclePolicyPreviewNotFoundException"};
    case ErrorCode::aws_repository_policy_not_found:
      return {400, "ValidationError", 400, "RepositoryPolicyNotFoundException"};
    case ErrorCode::aws_validation_exception:
      return {400, "ValidationError", 400, "ValidationException"};
    case ErrorCode::aws_unknown_operation:
      return {400, "InvalidAction", 400, "UnknownOperationException"};
    case ErrorCode::payload_too_large:
      return {413, "RequestEntityTooLarge", 413, "RequestEntityTooLargeException"};
    case ErrorCode::too_many_requests:
      return {400, "Throttling", 400, "ThrottlingException"};
    case ErrorCode::not_found:
    case ErrorCode::blob_upload_unknown:
    case ErrorCode::blob_upload_invalid:
      return {400, "ValidationError", 400, "InvalidParameterException"};
    case ErrorCode::conflict:
      return {400, "ValidationError", 400, "InvalidParameterException"};
    case ErrorCode::limit_exceeded:
      return {400, "LimitExceeded", 400, "LimitExceededException"};
    case ErrorCode::unavailable:
      return {503, "ServiceUnavailable", 500, "ServerException"};
    case ErrorCode::internal:
      return {500, "InternalFailure", 500, "ServerException"};
  }
  return {500, "InternalFailure", 500, "ServerException"};
}

// Server faults never carry berth's own message to the client; it goes to the log instead.
std::string client_message(const Error& error, std::string_view request_id) {
  if (error.code != ErrorCode::internal) return error.message;
  log::error("internal error", {{"error", error.message}, {"request_id", std::string(request_id)}});
  return std::string(kInternalMessage);
}

}  // namespace

std::string new_request_id() {
  // Request ids only correlate logs with client reports; they need to be unique, not secret.
  thread_local std::mt19937_64 generator{std::random_device{}()};
  const std::uint64_t high = generator();
  const std::uint64_t low = generator();
  return fmt::format("{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}", high >> 32, (high >> 16) & 0xffff, high & 0x0fff,
                     0x8000 | ((low >> 48) & 0x3fff), low & 0xffffffffffffULL);
}

void add_aws_headers(http::Response& response, std::string_view request_id) {
  response.headers.set("x-amzn-RequestId", std::string(request_id));
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm parts{};
  ::gmtime_r(&now, &parts);
  std::array<char, 64> buffer{};
  const auto size = std::strftime(buffer.data(), buffer.size(), "%a, %d %b %Y %H:%M:%S GMT", &parts);
  response.headers.set("Date", std::string(buffer.data(), size));
}

int sts_status(ErrorCode code) { return aws_mapping(code).sts_status; }
std::string_view sts_code(ErrorCode code) { return aws_mapping(code).sts_code; }
int ecr_status(ErrorCode code) { return aws_mapping(code).ecr_status; }
std::string_view ecr_type(ErrorCode code) { return aws_mapping(code).ecr_type; }

http::Response sts_error_response(const Error& error, std::string_view request_id) {
  const AwsMapping mapping = aws_mapping(error.code);
  XmlWriter xml;
  xml.open("ErrorResponse", kStsXmlNamespace);
  xml.open("Error");
  xml.element("Type", mapping.sts_status >= 500 ? "Receiver" : "Sender");
  xml.element("Code", mapping.sts_code);
  xml.element("Message", client_message(error, request_id));
  xml.close();
  xml.element("RequestId", request_id);
  xml.close();
  http::Response response = http::Response::text(mapping.sts_status, xml.finish(), "text/xml");
  add_aws_headers(response, request_id);
  return response;
}

http::Response ecr_error_response(const Error& error, std::string_view request_id) {
  const AwsMapping mapping = aws_mapping(error.code);
  const nlohmann::json body{{"__type", mapping.ecr_type}, {"message", client_message(error, request_id)}};
  // Messages may quote client input: replace invalid UTF-8 rather than fail to answer.
  const std::string text = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  http::Response response = http::Response::json(mapping.ecr_status, text, "application/x-amz-json-1.1");
  add_aws_headers(response, request_id);
  return response;
}

}  // namespace berth::aws

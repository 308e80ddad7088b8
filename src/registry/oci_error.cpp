#include "registry/oci_error.hpp"

#include <nlohmann/json.hpp>

#include "common/log.hpp"

namespace berth::registry {

namespace {

struct OciMapping {
  int status;
  std::string_view code;
};

// Statuses follow the reference implementation (distribution's errcode/register.go); codes without
// an OCI equivalent map to the nearest one a client can act on.
OciMapping oci_mapping(ErrorCode code) {
  switch (code) {
    case ErrorCode::blob_unknown: return {404, "BLOB_UNKNOWN"};
    case ErrorCode::blob_upload_invalid: return {400, "BLOB_UPLOAD_INVALID"};
    case ErrorCode::blob_upload_unknown: return {404, "BLOB_UPLOAD_UNKNOWN"};
    case ErrorCode::digest_invalid: return {400, "DIGEST_INVALID"};
    case ErrorCode::manifest_blob_unknown: return {400, "MANIFEST_BLOB_UNKNOWN"};
    case ErrorCode::manifest_invalid: return {400, "MANIFEST_INVALID"};
    case ErrorCode::manifest_unknown: return {404, "MANIFEST_UNKNOWN"};
    case ErrorCode::name_invalid: return {400, "NAME_INVALID"};
    case ErrorCode::name_unknown: return {404, "NAME_UNKNOWN"};
    case ErrorCode::size_invalid: return {400, "SIZE_INVALID"};
    case ErrorCode::unauthorized: return {401, "UNAUTHORIZED"};
    case ErrorCode::denied: return {403, "DENIED"};
    case ErrorCode::unsupported: return {405, "UNSUPPORTED"};
    case ErrorCode::too_many_requests: return {429, "TOOMANYREQUESTS"};
    case ErrorCode::range_invalid: return {416, "RANGE_INVALID"};
    case ErrorCode::pagination_number_invalid: return {400, "PAGINATION_NUMBER_INVALID"};
    case ErrorCode::tag_invalid: return {400, "TAG_INVALID"};
    case ErrorCode::manifest_child_unknown: return {400, "MANIFEST_BLOB_UNKNOWN"};
    case ErrorCode::tag_immutable: return {400, "TAG_INVALID"};
    case ErrorCode::invalid_argument: return {400, "UNSUPPORTED"};
    case ErrorCode::payload_too_large: return {413, "SIZE_INVALID"};
    case ErrorCode::not_found: return {404, "NAME_UNKNOWN"};
    case ErrorCode::conflict: return {409, "DENIED"};
    case ErrorCode::limit_exceeded: return {403, "DENIED"};
    case ErrorCode::unavailable: return {503, "UNAVAILABLE"};
    case ErrorCode::internal: return {500, "UNKNOWN"};
    case ErrorCode::aws_missing_authentication_token:
    case ErrorCode::aws_incomplete_signature:
    case ErrorCode::aws_signature_does_not_match:
    case ErrorCode::aws_invalid_client_token_id:
    case ErrorCode::aws_expired_token:
    case ErrorCode::aws_invalid_identity_token:
    case ErrorCode::aws_expired_identity_token:
    case ErrorCode::aws_idp_rejected_claim:
    case ErrorCode::aws_idp_communication_error: return {401, "UNAUTHORIZED"};
    case ErrorCode::aws_access_denied: return {403, "DENIED"};
    case ErrorCode::aws_validation_error:
    case ErrorCode::aws_malformed_policy_document:
    case ErrorCode::aws_invalid_tag_parameter:
    case ErrorCode::aws_too_many_tags:
    case ErrorCode::aws_validation_exception:
    case ErrorCode::aws_unknown_operation:
    case ErrorCode::aws_image_already_exists:
    case ErrorCode::aws_image_digest_mismatch:
    case ErrorCode::aws_upload_not_found:
    case ErrorCode::aws_invalid_layer_part:
    case ErrorCode::aws_empty_upload:
    case ErrorCode::aws_invalid_layer:
    case ErrorCode::aws_layer_already_exists:
    case ErrorCode::aws_layers_not_found: return {400, "UNSUPPORTED"};
    case ErrorCode::aws_repository_not_found: return {404, "NAME_UNKNOWN"};
    case ErrorCode::aws_repository_already_exists:
    case ErrorCode::aws_repository_not_empty: return {409, "DENIED"};
    case ErrorCode::aws_image_not_found: return {404, "MANIFEST_UNKNOWN"};
    case ErrorCode::aws_lifecycle_policy_not_found:
    case ErrorCode::aws_lifecycle_policy_preview_not_found:
    case ErrorCode::aws_repository_policy_not_found: return {404, "NAME_UNKNOWN"};
  }
  return {500, "UNKNOWN"};
}

}  // namespace

int oci_status(ErrorCode code) { return oci_mapping(code).status; }

std::string_view oci_code(ErrorCode code) { return oci_mapping(code).code; }

http::Response oci_error_response(const Error& error) {
  nlohmann::json entry{{"code", oci_code(error.code)}};
  if (error.code == ErrorCode::internal) {
    log::error("internal error", {{"error", error.message}});
    entry["message"] = "internal server error";
  } else {
    entry["message"] = error.message;
  }
  if (!error.detail_json.empty()) {
    entry["detail"] = nlohmann::json::parse(error.detail_json, nullptr, false);
  }
  nlohmann::json body{{"errors", nlohmann::json::array({entry})}};
  return http::Response::json(oci_status(error.code), body.dump());
}

}  // namespace berth::registry

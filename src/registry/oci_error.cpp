#include "registry/oci_error.hpp"

#include <nlohmann/json.hpp>

#include "common/log.hpp"

namespace berth::registry {

int oci_status(ErrorCode code) {
  switch (code) {
    case ErrorCode::blob_unknown: return 404;
    case ErrorCode::blob_upload_invalid: return 400;
    case ErrorCode::blob_upload_unknown: return 404;
    case ErrorCode::digest_invalid: return 400;
    case ErrorCode::manifest_blob_unknown: return 400;
    case ErrorCode::manifest_invalid: return 400;
    case ErrorCode::manifest_unknown: return 404;
    case ErrorCode::name_invalid: return 400;
    case ErrorCode::name_unknown: return 404;
    case ErrorCode::size_invalid: return 400;
    case ErrorCode::unauthorized: return 401;
    case ErrorCode::denied: return 403;
    case ErrorCode::unsupported: return 405;
    case ErrorCode::too_many_requests: return 429;
    case ErrorCode::range_invalid: return 416;
    case ErrorCode::pagination_number_invalid: return 400;
    case ErrorCode::tag_invalid: return 400;
    case ErrorCode::invalid_argument: return 400;
    case ErrorCode::payload_too_large: return 413;
    case ErrorCode::not_found: return 404;
    case ErrorCode::conflict: return 409;
    case ErrorCode::unavailable: return 503;
    case ErrorCode::internal: return 500;
    case ErrorCode::aws_missing_authentication_token:
    case ErrorCode::aws_incomplete_signature:
    case ErrorCode::aws_signature_does_not_match:
    case ErrorCode::aws_invalid_client_token_id:
    case ErrorCode::aws_expired_token:
    case ErrorCode::aws_invalid_identity_token:
    case ErrorCode::aws_expired_identity_token:
    case ErrorCode::aws_idp_rejected_claim:
    case ErrorCode::aws_idp_communication_error: return 401;
  }
  return 500;
}

std::string_view oci_code(ErrorCode code) {
  switch (code) {
    case ErrorCode::blob_unknown: return "BLOB_UNKNOWN";
    case ErrorCode::blob_upload_invalid: return "BLOB_UPLOAD_INVALID";
    case ErrorCode::blob_upload_unknown: return "BLOB_UPLOAD_UNKNOWN";
    case ErrorCode::digest_invalid: return "DIGEST_INVALID";
    case ErrorCode::manifest_blob_unknown: return "MANIFEST_BLOB_UNKNOWN";
    case ErrorCode::manifest_invalid: return "MANIFEST_INVALID";
    case ErrorCode::manifest_unknown: return "MANIFEST_UNKNOWN";
    case ErrorCode::name_invalid: return "NAME_INVALID";
    case ErrorCode::name_unknown: return "NAME_UNKNOWN";
    case ErrorCode::size_invalid: return "SIZE_INVALID";
    case ErrorCode::unauthorized: return "UNAUTHORIZED";
    case ErrorCode::denied: return "DENIED";
    case ErrorCode::unsupported: return "UNSUPPORTED";
    case ErrorCode::too_many_requests: return "TOOMANYREQUESTS";
    case ErrorCode::range_invalid: return "RANGE_INVALID";
    case ErrorCode::pagination_number_invalid: return "PAGINATION_NUMBER_INVALID";
    case ErrorCode::tag_invalid: return "TAG_INVALID";
    case ErrorCode::invalid_argument: return "UNSUPPORTED";
    case ErrorCode::payload_too_large: return "SIZE_INVALID";
    case ErrorCode::not_found: return "NAME_UNKNOWN";
    case ErrorCode::conflict: return "DENIED";
    case ErrorCode::unavailable: return "UNAVAILABLE";
    case ErrorCode::internal: return "UNKNOWN";
    case ErrorCode::aws_missing_authentication_token:
    case ErrorCode::aws_incomplete_signature:
    case ErrorCode::aws_signature_does_not_match:
    case ErrorCode::aws_invalid_client_token_id:
    case ErrorCode::aws_expired_token:
    case ErrorCode::aws_invalid_identity_token:
    case ErrorCode::aws_expired_identity_token:
    case ErrorCode::aws_idp_rejected_claim:
    case ErrorCode::aws_idp_communication_error: return "UNAUTHORIZED";
  }
  return "UNKNOWN";
}

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

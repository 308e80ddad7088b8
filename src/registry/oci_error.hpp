// The OCI front door's one mapping from ErrorCode to HTTP status and error JSON
// (`{"errors":[{"code":"...","message":"...","detail":...}]}`, distribution-spec "Error Codes").
#pragma once

#include <string_view>

#include "common/result.hpp"
#include "http/message.hpp"

namespace berth::registry {

int oci_status(ErrorCode code);
std::string_view oci_code(ErrorCode code);
// A complete error response. Internal errors are logged here and reach the client as UNKNOWN
// without their message.
http::Response oci_error_response(const Error& error);

}  // namespace berth::registry

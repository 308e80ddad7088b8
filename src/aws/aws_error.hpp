// The AWS front doors' one mapping from berth Errors to the wire (interfaces.md §4.5, §6.1, §7.4):
// STS query protocol `<ErrorResponse>` XML and ECR JSON 1.1 `{"__type", "message"}`. Every response
// of both front doors carries `x-amzn-RequestId` and `Date`. Internal errors are logged and reach the
// client as a server fault without their message.
#pragma once

#include <string>
#include <string_view>

#include "common/result.hpp"
#include "http/message.hpp"

namespace berth::aws {

// The STS query protocol's XML namespace, on error and success bodies alike.
inline constexpr std::string_view kStsXmlNamespace = "https://sts.amazonaws.com/doc/2011-06-15/";

// A fresh request id (UUID v4 text).
std::string new_request_id();

// Adds x-amzn-RequestId and an RFC 1123 Date header.
void add_aws_headers(http::Response& response, std::string_view request_id);

// The status and wire code each front door answers `code` with (one table behind all four).
int sts_status(ErrorCode code);
std::string_view sts_code(ErrorCode code);
int ecr_status(ErrorCode code);
std::string_view ecr_type(ErrorCode code);

http::Response sts_error_response(const Error& error, std::string_view request_id);
http::Response ecr_error_response(const Error& error, std::string_view request_id);

}  // namespace berth::aws

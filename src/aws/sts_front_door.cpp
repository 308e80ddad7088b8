#include "aws/sts_front_door.hpp"

#include <chrono>
#include <utility>

#include <fmt/format.h>

#include "aws/aws_error.hpp"
#include "aws/signed_request.hpp"
#include "aws/sts_request.hpp"
#include "aws/sts_responses.hpp"
#include "common/log.hpp"

namespace berth::aws {

namespace {

constexpr std::string_view kVersion = "2011-06-15";

http::Response xml_response(std::string body, std::string route) {
  http::Response response = http::Response::text(200, std::move(body), "text/xml");
  response.route = std::move(route);
  return response;
}

}  // namespace

StsFrontDoor::StsFrontDoor(const AwsOptions& options, IdentityProviders& providers, metadata::MetadataStore& metadata,
                           const auth::KeyRing& keys, boost::asio::thread_pool& blocking,
                           metadata::AuditBatcher& audit)
    : options_(options),
      keys_(keys),
      metadata_(metadata),
      service_(options, providers, metadata, keys, blocking, audit) {}

http::Task<http::Response> StsFrontDoor::handle(http::Request& request) {
  const std::string request_id = new_request_id();
  Result<http::Response> response = co_await dispatch(request, request_id);
  if (!response) {
    http::Response error = sts_error_response(response.error(), request_id);
    error.route = "sts";
    co_return error;
  }
  add_aws_headers(*response, request_id);
  co_return std::move(*response);
}

http::Task<Result<http::Response>> StsFrontDoor::dispatch(http::Request& request, std::string_view request_id) {
  std::string body;
  std::string_view encoded;
  if (request.method == http::Method::get) {
    encoded = request.raw_query;
  } else if (request.method == http::Method::post) {
    Result<std::string> read = co_await request.body->read_all(options_.max_request_bytes);
    if (!read) co_return std::move(read).error();
    body = std::move(*read);
    encoded = body;
  } else {
    co_return make_error(ErrorCode::aws_unknown_operation, "STS accepts only GET and POST requests");
  }

  Result<FormParams> params = FormParams::parse(encoded);
  if (!params) co_return std::move(params).error();
  const auto action = params->get("Action");
  if (!action) co_return make_error(ErrorCode::aws_unknown_operation, "Missing Action");
  const auto version = params->get("Version");
  if (version != kVersion) {
    co_return make_error(ErrorCode::aws_unknown_operation, fmt::format("Could not find operation {} for version {}",
                                                                       *action, version.value_or("(none)")));
  }

  if (*action == "AssumeRoleWithWebIdentity") {
    Result<http::Response> response = co_await assume_role_with_web_identity(request, *params, request_id);
    co_return response;
  }
  if (*action == "GetCallerIdentity") co_return get_caller_identity(request, body, request_id);
  co_return make_error(ErrorCode::aws_unknown_operation,
                       fmt::format("Could not find operation {} for version {}", *action, kVersion));
}

http::Task<Result<http::Response>> StsFrontDoor::assume_role_with_web_identity(const http::Request& request,
                                                                               const FormParams& params,
                                                                               std::string_view request_id) {
  Result<AssumeRoleWithWebIdentityRequest> parsed =
      parse_assume_role_with_web_identity(params, options_.default_session_duration);
  if (!parsed) {
    log::info("sts refused AssumeRoleWithWebIdentity", {{"reason", std::string(sts_code(parsed.error().code))},
                                                        {"detail", parsed.error().message},
                                                        {"role", std::string(params.get("RoleArn").value_or(""))},
                                                        {"source", request.remote_address}});
    co_return std::move(parsed).error();
  }
  const auto now = std::chrono::system_clock::now();
  Result<AssumedRole> assumed = co_await service_.assume_role_with_web_identity(*parsed, request.remote_address, now);
  if (!assumed) co_return std::move(assumed).error();
  co_return xml_response(assume_role_with_web_identity_xml(*assumed, request_id), "sts_assume_role_with_web_identity");
}

Result<http::Response> StsFrontDoor::get_caller_identity(const http::Request& request, std::string_view body,
                                                         std::string_view request_id) {
  Result<auth::SessionClaims> session =
      authenticate_signed_request(request, body, "sts", keys_, metadata_, options_, std::chrono::system_clock::now());
  if (!session) return std::move(session).error();
  Result<CallerIdentity> caller = caller_identity(*session, options_.account);
  if (!caller) return std::move(caller).error();
  return xml_response(get_caller_identity_xml(*caller, request_id), "sts_get_caller_identity");
}

}  // namespace berth::aws

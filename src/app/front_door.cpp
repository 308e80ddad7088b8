#include "app/front_door.hpp"

namespace berth::app {
namespace {

constexpr std::string_view kEcrTargetPrefix = "AmazonEC2ContainerRegistry_V20150921.";

}  // namespace

http::Task<http::Response> FrontDoor::handle(http::Request& request) {
  if (request.path == "/v2" || request.path.starts_with("/v2/")) {
    http::Response response = co_await registry_.handle(request);
    co_return response;
  }
  const bool read = request.method == http::Method::get || request.method == http::Method::head;
  if (request.path == "/") {
    const auto target = request.headers.get("X-Amz-Target");
    if (request.method == http::Method::post && target && target->starts_with(kEcrTargetPrefix)) {
      http::Response response = co_await ecr_.handle(request);
      co_return response;
    }
    if (request.method == http::Method::post || (request.method == http::Method::get && !request.raw_query.empty())) {
      http::Response response = co_await sts_.handle(request);
      co_return response;
    }
  }
  if (request.path == "/healthz" && read) {
    http::Response response = http::Response::text(200, "ok\n");
    response.route = "healthz";
    co_return response;
  }
  if (request.path == "/metrics" && read) {
    http::Response response =
        http::Response::text(200, metrics_.render_prometheus(), "text/plain; version=0.0.4; charset=utf-8");
    response.route = "metrics";
    co_return response;
  }
  http::Response response = http::Response::text(404, "404 page not found\n");
  response.route = "not_found";
  co_return response;
}

}  // namespace berth::app

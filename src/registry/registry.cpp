#include "registry/registry.hpp"

#include <chrono>

#include "auth/download_grant.hpp"
#include "common/log.hpp"
#include "registry/handlers.hpp"
#include "registry/oci_error.hpp"

namespace berth::registry {
namespace {

using http::Method;

http::Response unsupported_method() {
  return oci_error_response(make_error(ErrorCode::unsupported, "method not allowed on this endpoint"));
}

// The access an endpoint needs, following the reference registry's mapping (GET/HEAD pull;
// POST/PUT/PATCH push; DELETE of content delete; an upload's own DELETE is part of pushing).
std::optional<auth::Action> required_action(const Route& route, Method method) {
  switch (route.endpoint) {
    case Endpoint::base:
    case Endpoint::catalog:
      return std::nullopt;
    case Endpoint::upload_start:
    case Endpoint::upload:
      return auth::Action::push;
    case Endpoint::manifest:
    case Endpoint::blob:
      if (method == Method::delete_) return auth::Action::delete_;
      if (method == Method::put || method == Method::post || method == Method::patch) return auth::Action::push;
      return auth::Action::pull;
    case Endpoint::tags_list:
    case Endpoint::referrers:
      return auth::Action::pull;
  }
  return auth::Action::pull;
}

std::string_view route_name(Endpoint endpoint, Method method) {
  switch (endpoint) {
    case Endpoint::base: return "v2_base";
    case Endpoint::catalog: return "catalog";
    case Endpoint::tags_list: return "tags_list";
    case Endpoint::referrers: return "referrers";
    case Endpoint::manifest:
      switch (method) {
        case Method::get: return "manifest_get";
        case Method::head: return "manifest_head";
        case Method::put: return "manifest_put";
        case Method::delete_: return "manifest_delete";
        default: return "manifest_other";
      }
    case Endpoint::blob:
      switch (method) {
        case Method::get: return "blob_get";
        case Method::head: return "blob_head";
        case Method::delete_: return "blob_delete";
        default: return "blob_other";
      }
    case Endpoint::upload_start: return "blob_upload_start";
    case Endpoint::upload:
      switch (method) {
        case Method::patch: return "blob_upload_patch";
        case Method::put: return "blob_upload_put";
        case Method::get: return "blob_upload_status";
        case Method::delete_: return "blob_upload_cancel";
        default: return "blob_upload_other";
      }
  }
  return "other";
}

http::Response render(Result<http::Response> result) {
  if (result.ok()) return std::move(result).value();
  return oci_error_response(result.error());
}

}  // namespace

Registry::Registry(storage::BlobStore& blobs, metadata::MetadataStore& metadata, auth::AccessPolicy& access,
                   boost::asio::thread_pool& blocking, metadata::AuditBatcher& audit, RegistryOptions options)
    : context_{blobs, metadata, access, blocking, audit, options},
      blobs_(std::make_unique<BlobHandlers>(context_)),
      uploads_(std::make_unique<UploadHandlers>(context_)),
      manifests_(std::make_unique<ManifestHandlers>(context_)),
      listings_(std::make_unique<ListingHandlers>(context_)) {}

Registry::~Registry() = default;

http::Task<http::Response> Registry::handle(http::Request& request) {
  http::Response response = co_await authenticate_and_dispatch(request);
  response.headers.set("Docker-Distribution-API-Version", "registry/2.0");
  co_return response;
}

http::Task<http::Response> Registry::authenticate_and_dispatch(http::Request& request) {
  auto route = parse_route(std::string_view(request.target).substr(0, request.target.find('?')));
  if (!route.ok()) {
    http::Response error = oci_error_response(route.error());
    error.route = "v2_unknown";
    co_return error;
  }
  auto caller = authenticate(request, *route);
  http::Response response;
  if (caller.ok()) {
    RegistryRequest registry_request{request, *route, *caller};
    response = co_await dispatch(registry_request);
  } else {
    response = oci_error_response(caller.error());
    if (caller.error().code == ErrorCode::unauthorized) {
      response.headers.set("WWW-Authenticate", context_.access.challenge());
    }
  }
  response.route = std::string(route_name(route->endpoint, request.method));
  co_return response;
}

// A blob GET or HEAD that carries a download grant is authenticated by the grant alone; a grant
// that does not open this blob is refused rather than tried as another credential.
Result<auth::Caller> Registry::authenticate(const http::Request& request, const Route& route) {
  const auto grant = request.query.get(auth::kDownloadGrantParameter);
  if (!grant || context_.options.download_keys == nullptr || route.endpoint != Endpoint::blob ||
      (request.method != Method::get && request.method != Method::head)) {
    return context_.access.authenticate(request.headers.get("Authorization"));
  }
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  Status granted = auth::check_download_grant(*context_.options.download_keys, *grant, route.repository,
                                              route.reference,
                                              std::chrono::duration_cast<std::chrono::seconds>(now).count());
  if (!granted) {
    log::info("download grant refused", {{"repository", route.repository}, {"reason", granted.error().message}});
    return make_error(ErrorCode::unauthorized, "download URL invalid or expired");
  }
  auth::Caller caller{"download-grant", false, std::nullopt};
  caller.download_grant = true;
  return caller;
}

http::Task<http::Response> Registry::dispatch(RegistryRequest& request) {
  const Route& route = request.route;
  const Method method = request.http.method;

  if (route.endpoint == Endpoint::base) {
    if (method != Method::get && method != Method::head) co_return unsupported_method();
    co_return http::Response::json(200, "{}");
  }
  if (route.endpoint == Endpoint::catalog) {
    if (method != Method::get) co_return unsupported_method();
    Result<http::Response> catalog = co_await listings_->catalog(request.http, request.caller);
    co_return render(std::move(catalog));
  }

  auto action = required_action(route, method);
  if (action && !request.caller.download_grant && !context_.access.allows(request.caller, route.repository, *action)) {
    co_return oci_error_response(make_error(ErrorCode::denied, "requested access to the resource is denied"));
  }

  auto exists = context_.metadata.repository_exists(route.repository);
  if (!exists.ok()) co_return oci_error_response(exists.error());
  if (!*exists) {
    if (action == auth::Action::push && context_.access.creates_repository_on_push()) {
      auto created = context_.metadata.create_repository(route.repository);
      if (!created.ok()) co_return oci_error_response(created.error());
    } else {
      co_return oci_error_response(make_error(ErrorCode::name_unknown, "repository name not known to registry",
                                              R"({"name":")" + route.repository + "\"}"));
    }
  }

  // Each co_await stores its result in a named variable: g++ 12 miscompiles co_await inside
  // conditions and call arguments of a co_return (see src/http/connection.cpp).
  Result<http::Response> result = make_error(ErrorCode::unsupported, "method not allowed on this endpoint");
  switch (route.endpoint) {
    case Endpoint::blob:
      if (method == Method::get || method == Method::head) {
        result = co_await blobs_->get(request);
      } else if (method == Method::delete_) {
        result = co_await blobs_->remove(request);
      }
      break;
    case Endpoint::upload_start:
      if (method == Method::post) result = co_await uploads_->start(request);
      break;
    case Endpoint::upload:
      if (method == Method::patch) {
        result = co_await uploads_->patch(request);
      } else if (method == Method::put) {
        result = co_await uploads_->finish(request);
      } else if (method == Method::get) {
        result = co_await uploads_->status(request);
      } else if (method == Method::delete_) {
        result = co_await uploads_->cancel(request);
      }
      break;
    case Endpoint::manifest:
      if (method == Method::get || method == Method::head) {
        result = co_await manifests_->get(request);
      } else if (method == Method::put) {
        result = co_await manifests_->put(request);
      } else if (method == Method::delete_) {
        result = co_await manifests_->remove(request);
      }
      break;
    case Endpoint::tags_list:
      if (method == Method::get) result = co_await listings_->tags(request);
      break;
    case Endpoint::referrers:
      if (method == Method::get) result = co_await listings_->referrers(request);
      break;
    case Endpoint::base:
    case Endpoint::catalog:
      break;
  }
  co_return render(std::move(result));
}

}  // namespace berth::registry

#include "registry/route.hpp"

#include <vector>

#include "http/target.hpp"
#include "common/names.hpp"

namespace berth::registry {
namespace {

std::string join(const std::vector<std::string_view>& parts, std::size_t count) {
  std::string out;
  for (std::size_t i = 0; i < count; ++i) {
    if (i) out += '/';
    out += parts[i];
  }
  return out;
}

}  // namespace

Result<Route> parse_route(std::string_view raw_path) {
  std::string_view path = raw_path;
  if (path == "/v2/" || path == "/v2") return Route{Endpoint::base, {}, {}};
  if (path == "/v2/_catalog") return Route{Endpoint::catalog, {}, {}};
  if (!path.starts_with("/v2/")) return make_error(ErrorCode::not_found, "not found");
  path.remove_prefix(4);

  std::vector<std::string_view> parts;
  while (true) {
    auto slash = path.find('/');
    parts.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  const std::size_t n = parts.size();
  Route route;
  std::size_t name_parts = 0;
  if (n >= 3 && parts[n - 2] == "tags" && parts[n - 1] == "list") {
    route.endpoint = Endpoint::tags_list;
    name_parts = n - 2;
  } else if (n >= 4 && parts[n - 3] == "blobs" && parts[n - 2] == "uploads") {
    route.endpoint = parts[n - 1].empty() ? Endpoint::upload_start : Endpoint::upload;
    route.reference = std::string(parts[n - 1]);
    name_parts = n - 3;
  } else if (n >= 3 && parts[n - 2] == "blobs" && parts[n - 1] == "uploads") {
    route.endpoint = Endpoint::upload_start;
    name_parts = n - 2;
  } else if (n >= 3 && parts[n - 2] == "manifests") {
    route.endpoint = Endpoint::manifest;
    route.reference = std::string(parts[n - 1]);
    name_parts = n - 2;
  } else if (n >= 3 && parts[n - 2] == "blobs") {
    route.endpoint = Endpoint::blob;
    route.reference = std::string(parts[n - 1]);
    name_parts = n - 2;
  } else if (n >= 3 && parts[n - 2] == "referrers") {
    route.endpoint = Endpoint::referrers;
    route.reference = std::string(parts[n - 1]);
    name_parts = n - 2;
  } else {
    return make_error(ErrorCode::not_found, "not found");
  }
  route.repository = join(parts, name_parts);
  if (!is_valid_repository_name(route.repository)) {
    return make_error(ErrorCode::name_invalid, "invalid repository name");
  }
  auto reference = http::decode_path(route.reference);
  if (!reference.ok()) return make_error(ErrorCode::not_found, "not found");
  route.reference = std::move(*reference);
  if (route.endpoint != Endpoint::upload_start && route.endpoint != Endpoint::tags_list && route.reference.empty()) {
    return make_error(ErrorCode::not_found, "not found");
  }
  return route;
}

}  // namespace berth::registry

// Maps a `/v2/...` path to an endpoint of the OCI Distribution API. Repository names contain '/',
// so the endpoint is recognised from the end of the path.
#pragma once

#include <string>
#include <string_view>

#include "common/result.hpp"

namespace berth::registry {

enum class Endpoint {
  base,          // /v2/
  catalog,       // /v2/_catalog
  tags_list,     // /v2/<name>/tags/list
  manifest,      // /v2/<name>/manifests/<reference>
  blob,          // /v2/<name>/blobs/<digest>
  upload_start,  // /v2/<name>/blobs/uploads/
  upload,        // /v2/<name>/blobs/uploads/<id>
  referrers,     // /v2/<name>/referrers/<digest>
};

struct Route {
  Endpoint endpoint = Endpoint::base;
  std::string repository;
  std::string reference;  // tag or digest (manifest), digest (blob, referrers), upload id
};

// `raw_path` is the request-target's path as received, before any percent-decoding: the name is
// matched as sent, so a percent-encoded character in it (above all an encoded '/') is name_invalid
// and routing and authorization see one spelling of every name. The reference segment is decoded
// on its own, after the split. not_found for a path that is no endpoint, or a malformed escape.
Result<Route> parse_route(std::string_view raw_path);

}  // namespace berth::registry

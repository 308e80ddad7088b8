// The handler groups behind Registry::handle. Each group owns one family of endpoints; all of them
// answer with berth's http::Response and report failures as Error values that Registry turns into
// OCI error bodies (oci_error.hpp).
#pragma once

#include "registry/registry.hpp"

namespace berth::registry {

// Result of a handler: a response, or an Error that Registry renders as an OCI error.
using HandlerResult = http::Task<Result<http::Response>>;

// GET/HEAD /v2/<name>/blobs/<digest> (Range, sendfile), DELETE.
class BlobHandlers {
 public:
  explicit BlobHandlers(RegistryContext& context) : context_(context) {}
  HandlerResult get(RegistryRequest& request);  // GET and HEAD
  HandlerResult remove(RegistryRequest& request);

 private:
  RegistryContext& context_;
};

// POST /blobs/uploads/ (session, monolithic `digest`, `mount`+`from`), PATCH, PUT, GET status, DELETE.
class UploadHandlers {
 public:
  explicit UploadHandlers(RegistryContext& context) : context_(context) {}
  HandlerResult start(RegistryRequest& request);
  HandlerResult patch(RegistryRequest& request);
  HandlerResult finish(RegistryRequest& request);  // PUT
  HandlerResult status(RegistryRequest& request);  // GET
  HandlerResult cancel(RegistryRequest& request);  // DELETE

 private:
  RegistryContext& context_;
};

// GET/HEAD/PUT/DELETE /v2/<name>/manifests/<reference>.
class ManifestHandlers {
 public:
  explicit ManifestHandlers(RegistryContext& context) : context_(context) {}
  HandlerResult get(RegistryRequest& request);  // GET and HEAD
  HandlerResult put(RegistryRequest& request);
  HandlerResult remove(RegistryRequest& request);

 private:
  RegistryContext& context_;
};

// Tags list, catalog (filtered by what the caller may pull) and referrers.
class ListingHandlers {
 public:
  explicit ListingHandlers(RegistryContext& context) : context_(context) {}
  HandlerResult tags(RegistryRequest& request);
  HandlerResult catalog(http::Request& request, const auth::Caller& caller);
  HandlerResult referrers(RegistryRequest& request);

 private:
  RegistryContext& context_;
};

}  // namespace berth::registry

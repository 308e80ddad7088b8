#include "registry/handlers.hpp"

#include "registry/audit_trail.hpp"
#include "registry/http_range.hpp"

namespace berth::registry {
namespace {

Error unknown_blob(const Digest& digest) {
  return make_error(ErrorCode::blob_unknown, "blob unknown to registry", R"({"digest":")" + digest.str() + "\"}");
}

}  // namespace

HandlerResult BlobHandlers::get(RegistryRequest& request) {
  auto digest = Digest::parse(request.route.reference);
  if (!digest) co_return std::move(digest).error();
  const bool head = request.http.method == http::Method::head;
  // A HEAD is how a client decides not to upload a layer its next manifest references.
  auto linked = head ? context_.metadata.linked_blob_for_reuse(request.route.repository, *digest,
                                                                   context_.options.reuse_mark_interval)
                     : context_.metadata.linked_blob(request.route.repository, *digest);
  if (!linked) co_return std::move(linked).error();
  if (!*linked) co_return unknown_blob(*digest);
  auto blob = context_.blobs.open(*digest);
  if (!blob) {
    if (blob.error().code == ErrorCode::blob_unknown) co_return unknown_blob(*digest);
    co_return std::move(blob).error();
  }
  // The stored file is the truth for the size: the link's size is what the pusher claimed.
  const std::uint64_t size = blob->size;
  // RFC 9110 defines Range for GET only.
  const RangeSelection range = head ? RangeSelection{} : select_range(request.http.headers.get("Range"), size);

  http::Response response;
  response.headers.set("Accept-Ranges", "bytes");
  if (range.kind == RangeSelection::Kind::unsatisfiable) {
    response.status = 416;
    response.headers.set("Content-Range", content_range_value(range, size));
    co_return response;
  }
  response.headers.set("Content-Type", "application/octet-stream");
  response.headers.set("Docker-Content-Digest", digest->str());
  response.headers.set("Etag", "\"" + digest->str() + "\"");
  if (head) {
    response.content_length = size;
    co_return response;
  }
  if (range.kind == RangeSelection::Kind::partial) {
    response.status = 206;
    response.headers.set("Content-Range", content_range_value(range, size));
    response.body = http::FileBody{std::move(blob->fd), range.offset, range.length};
  } else {
    response.body = http::FileBody{std::move(blob->fd), 0, size};
  }
  co_return response;
}

HandlerResult BlobHandlers::remove(RegistryRequest& request) {
  auto digest = Digest::parse(request.route.reference);
  if (!digest) co_return std::move(digest).error();
  auto unlinked = context_.metadata.unlink_blob(request.route.repository, *digest);
  if (!unlinked) co_return std::move(unlinked).error();
  if (!*unlinked) co_return unknown_blob(*digest);

  metadata::AuditEvent event = audit_event(request, "registry:DeleteBlob");
  event.digest = digest->str();
  // The bytes stay until garbage collection frees them: another repository may link them, and
  // a push in flight may be about to reference them.
  co_await record_audit_event(context_.audit, std::move(event));
  co_return http::Response::empty(202);
}

}  // namespace berth::registry

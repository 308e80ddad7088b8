#include "registry/handlers.hpp"

#include "common/log.hpp"
#include "common/offload.hpp"
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
  auto linked = context_.metadata.linked_blob(request.route.repository, *digest);
  if (!linked) co_return std::move(linked).error();
  if (!*linked) co_return unknown_blob(*digest);
  auto blob = context_.blobs.open(*digest);
  if (!blob) {
    if (blob.error().code == ErrorCode::blob_unknown) co_return unknown_blob(*digest);
    co_return std::move(blob).error();
  }
  // The stored file is the truth for the size: the link's size is what the pusher claimed.
  const std::uint64_t size = blob->size;
  const bool head = request.http.method == http::Method::head;
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
  co_await record_audit_event(context_.audit, std::move(event));
  // The repository no longer sees the blob whatever happens next, so a failure to reclaim the bytes
  // is logged and left to garbage collection rather than reported to the client.
  Status reclaimed = co_await offload(context_.blocking, [this, &digest]() -> Status {
    auto in_use = context_.metadata.blob_in_use(*digest);
    if (!in_use) return std::move(in_use).error();
    if (*in_use) return {};
    auto removed = context_.blobs.remove(*digest);
    if (!removed && removed.error().code != ErrorCode::blob_unknown) return removed;
    return {};
  });
  if (!reclaimed) {
    log::warn("blob bytes not reclaimed", {{"digest", digest->str()}, {"error", reclaimed.error().message}});
  }
  co_return http::Response::empty(202);
}

}  // namespace berth::registry

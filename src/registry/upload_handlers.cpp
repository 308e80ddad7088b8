#include "registry/handlers.hpp"

#include <algorithm>
#include <memory>
#include <span>

#include "common/offload.hpp"
#include "registry/content_range.hpp"
#include "common/names.hpp"
#include "registry/oci_error.hpp"
#include "registry/upload_session.hpp"

namespace berth::registry {
namespace {

// Bounded so a multi-GiB blob streams through a fixed buffer; large enough that hashing and
// write(2) dominate the per-read overhead.
constexpr std::size_t kBodyBufferSize = 1024 * 1024;

std::string upload_location(std::string_view repository, std::string_view id) {
  return "/v2/" + std::string(repository) + "/blobs/uploads/" + std::string(id);
}

std::string blob_location(std::string_view repository, const Digest& digest) {
  return "/v2/" + std::string(repository) + "/blobs/" + digest.str();
}

// 201 for a blob now readable in the repository (finished upload, monolithic POST, mount).
http::Response blob_created(std::string_view repository, const Digest& digest) {
  http::Response response = http::Response::empty(201);
  response.headers.set("Location", blob_location(repository, digest));
  response.headers.set("Docker-Content-Digest", digest.str());
  return response;
}

// Progress headers every answer about a live session carries.
void set_session_headers(http::Response& response, std::string_view repository, std::string_view id,
                         std::uint64_t size) {
  response.headers.set("Location", upload_location(repository, id));
  response.headers.set("Range", upload_range_value(size));
  response.headers.set("Docker-Upload-UUID", std::string(id));
}

Result<Digest> digest_parameter(const http::Request& request) {
  auto text = request.query.get("digest");
  if (!text) return make_error(ErrorCode::digest_invalid, "digest parameter missing");
  return Digest::parse(*text);
}

// The session named by the route.
Status find_session(RegistryContext& context, const RegistryRequest& request) {
  return find_upload_session(context.metadata, request.route.repository, request.route.reference);
}

// Streams the request body into the upload. Bytes appended before a failure (a client that
// disconnects mid-chunk) stay in the upload, so the client can ask for the status and resume.
http::Task<Status> append_body(http::BodyReader& body, storage::UploadWriter& writer) {
  const auto declared = body.content_length();
  if (declared == 0u) co_return Status{};
  const std::size_t buffer_size =
      declared ? static_cast<std::size_t>(std::min<std::uint64_t>(*declared, kBodyBufferSize)) : kBodyBufferSize;
  auto buffer = std::make_unique_for_overwrite<char[]>(buffer_size);
  std::uint64_t received = 0;
  for (;;) {
    auto n = co_await body.read_some(std::span<char>(buffer.get(), buffer_size));
    if (!n) co_return std::move(n).error();
    if (*n == 0) break;
    auto appended = writer.append(buffer.get(), *n);
    if (!appended) co_return appended;
    received += *n;
  }
  if (declared && *declared != received) {
    co_return make_error(ErrorCode::size_invalid, "request body shorter than its Content-Length");
  }
  co_return Status{};
}

// The body of a monolithic POST into its fresh upload; the writer is gone before the commit.
http::Task<Status> append_whole_body(RegistryContext& context, std::string_view id, http::BodyReader& body) {
  auto writer = context.blobs.open_upload(id);
  if (!writer) co_return std::move(writer).error();
  Status appended = co_await append_body(body, **writer);
  co_return appended;
}

// Appends the request's chunk (PATCH, or the final chunk of a PUT) to the session. With a
// Content-Range, the chunk must start where the upload ends (range_invalid otherwise) and its
// length must match; without one the body is appended as is, as docker and containerd send it.
http::Task<Status> append_chunk(RegistryContext& context, RegistryRequest& request) {
  const std::string& id = request.route.reference;
  auto writer = context.blobs.open_upload(id);
  if (!writer) co_return std::move(writer).error();
  http::BodyReader& body = *request.http.body;
  std::optional<std::uint64_t> expected_size;
  if (auto header = request.http.headers.get("Content-Range")) {
    auto range = parse_content_range(*header);
    if (!range) co_return std::move(range).error();
    const std::uint64_t size = (*writer)->size();
    if (range->first != size) {
      co_return make_error(ErrorCode::range_invalid, "chunk starts at " + std::to_string(range->first) +
                                                         ", upload has " + std::to_string(size) + " bytes");
    }
    if (auto declared = body.content_length(); declared && *declared != range->length()) {
      co_return make_error(ErrorCode::size_invalid, "Content-Length does not match Content-Range");
    }
    expected_size = range->last + 1;
  }
  auto appended = co_await append_body(body, **writer);
  if (!appended) co_return appended;
  if (expected_size && (*writer)->size() != *expected_size) {
    co_return make_error(ErrorCode::size_invalid, "chunk length does not match Content-Range");
  }
  co_return Status{};
}

// `response` as an answer about the route's session: with where the upload stands.
Result<http::Response> with_session_progress(RegistryContext& context, const RegistryRequest& request,
                                             http::Response response) {
  const std::string& id = request.route.reference;
  auto size = context.blobs.upload_size(id);
  if (!size) return std::move(size).error();
  set_session_headers(response, request.route.repository, id, *size);
  return response;
}

// A chunk that was not appended. One refused for where it starts also says where the upload really
// stands, so the client can resume.
Result<http::Response> chunk_failed(RegistryContext& context, const RegistryRequest& request, Error error) {
  if (error.code != ErrorCode::range_invalid) return error;
  return with_session_progress(context, request, oci_error_response(error));
}

// Publishes the upload as `digest` and links it into the repository, on the blocking pool (commit
// fsyncs and renames, and the link is a database commit).
http::Task<Status> commit(RegistryContext& context, std::string_view repository, std::string_view id,
                          const Digest& digest) {
  Result<std::uint64_t> published =
      co_await offload(context.blocking, [&] { return publish_upload(context.metadata, context.blobs, repository, id, digest); });
  if (!published) co_return std::move(published).error();
  co_return Status{};
}

// Links `digest` into the route's repository when the caller may read it where it already lives:
// in `from` when named (a `from` the caller cannot pull is treated as not having the blob, so a
// mount never reveals what another repository holds). Without `from`, the spec lets a registry
// mount any blob it has; berth does so only for anonymous callers, because for an authenticated
// caller knowing a digest must not grant read access to another team's blob.
Result<bool> mount(RegistryContext& context, const RegistryRequest& request, const Digest& digest) {
  const auto from = request.http.query.get("from");
  if (!from && !request.caller.anonymous) return false;
  if (from && (!is_valid_repository_name(*from) || !context.access.allows(request.caller, *from, auth::Action::pull))) {
    return false;
  }
  // Bytes lost to a crash are not mounted: the client uploads them again.
  auto stored = context.blobs.stat(digest);
  if (!stored) return std::move(stored).error();
  if (!*stored) return false;
  auto mounted = context.metadata.mount_blob(request.route.repository, from, digest);
  if (!mounted) return std::move(mounted).error();
  return mounted->has_value();
}

}  // namespace

HandlerResult UploadHandlers::start(RegistryRequest& request) {
  const std::string& repository = request.route.repository;
  if (auto mount_parameter = request.http.query.get("mount")) {
    // An unparseable mount digest is ignored like an unmountable one: the client gets a session.
    if (auto digest = Digest::parse(*mount_parameter)) {
      auto mounted = mount(context_, request, *digest);
      if (!mounted) co_return std::move(mounted).error();
      if (*mounted) co_return blob_created(repository, *digest);
    }
  } else if (request.http.query.has("digest")) {
    auto digest = digest_parameter(request.http);
    if (!digest) co_return std::move(digest).error();
    auto id = open_upload_session(context_.metadata, context_.blobs, repository);
    if (!id) co_return std::move(id).error();
    Status stored = co_await append_whole_body(context_, *id, *request.http.body);
    if (stored) {
      Status committed = co_await commit(context_, repository, *id, *digest);
      stored = std::move(committed);
    }
    if (!stored) {
      // The client never saw this session, so nothing can resume it.
      discard_upload_session(context_.metadata, context_.blobs, *id);
      co_return std::move(stored).error();
    }
    co_return blob_created(repository, *digest);
  }

  auto id = open_upload_session(context_.metadata, context_.blobs, repository);
  if (!id) co_return std::move(id).error();
  http::Response response = http::Response::empty(202);
  set_session_headers(response, repository, *id, 0);
  if (context_.options.chunk_min_length > 0) {
    response.headers.set("OCI-Chunk-Min-Length", std::to_string(context_.options.chunk_min_length));
  }
  co_return response;
}

HandlerResult UploadHandlers::patch(RegistryRequest& request) {
  auto session = find_session(context_, request);
  if (!session) co_return std::move(session).error();
  Status appended = co_await append_chunk(context_, request);
  if (!appended) co_return chunk_failed(context_, request, std::move(appended).error());
  co_return with_session_progress(context_, request, http::Response::empty(202));
}

HandlerResult UploadHandlers::finish(RegistryRequest& request) {
  auto session = find_session(context_, request);
  if (!session) co_return std::move(session).error();
  auto digest = digest_parameter(request.http);
  if (!digest) co_return std::move(digest).error();
  Status appended = co_await append_chunk(context_, request);
  if (!appended) co_return chunk_failed(context_, request, std::move(appended).error());
  Status committed = co_await commit(context_, request.route.repository, request.route.reference, *digest);
  if (!committed) co_return std::move(committed).error();
  co_return blob_created(request.route.repository, *digest);
}

HandlerResult UploadHandlers::status(RegistryRequest& request) {
  auto session = find_session(context_, request);
  if (!session) co_return std::move(session).error();
  co_return with_session_progress(context_, request, http::Response::empty(204));
}

HandlerResult UploadHandlers::cancel(RegistryRequest& request) {
  auto session = find_session(context_, request);
  if (!session) co_return std::move(session).error();
  auto deleted = context_.blobs.delete_upload(request.route.reference);
  if (!deleted && deleted.error().code != ErrorCode::blob_upload_unknown) co_return std::move(deleted).error();
  auto forgotten = context_.metadata.delete_upload(request.route.reference);
  if (!forgotten) co_return std::move(forgotten).error();
  co_return http::Response::empty(204);
}

}  // namespace berth::registry

// GET/HEAD/PUT/DELETE /v2/<name>/manifests/<reference> (distribution-spec "Pulling manifests",
// "Pushing Manifests", "Deleting Manifests"). Manifests are stored and served byte-exact.
#include <chrono>
#include <optional>
#include <string>

#include "common/names.hpp"
#include "common/offload.hpp"
#include "registry/audit_trail.hpp"
#include "registry/handlers.hpp"
#include "registry/manifest_publisher.hpp"
#include "registry/pull_record.hpp"

namespace berth::registry {
namespace {

// `<reference>` is a digest or a tag, nothing else.
struct Reference {
  std::optional<Digest> digest;
  std::string tag;  // when `digest` is empty
};

Result<Reference> parse_reference(std::string_view text) {
  if (text.find(':') != std::string_view::npos) {
    auto digest = Digest::parse(text);
    if (!digest.ok()) return std::move(digest).error();
    return Reference{std::move(*digest), {}};
  }
  if (!is_valid_tag(text)) return make_error(ErrorCode::tag_invalid, "invalid tag " + std::string(text));
  return Reference{std::nullopt, std::string(text)};
}

// References are digests or tags, so they need no JSON escaping.
Error manifest_unknown(std::string_view reference) {
  return make_error(ErrorCode::manifest_unknown, "manifest unknown",
                    R"({"reference":")" + std::string(reference) + "\"}");
}

// For GET, HEAD and DELETE a reference that is neither a tag nor a digest names no manifest: 404
// MANIFEST_UNKNOWN, as the reference registry and the conformance suite expect. Only PUT, which
// would create the tag, refuses it as TAG_INVALID. The detail leaves out what was sent, because it
// is not a reference and may need escaping.
Result<Reference> parse_lookup_reference(std::string_view text) {
  auto reference = parse_reference(text);
  if (!reference.ok()) return make_error(ErrorCode::manifest_unknown, "manifest unknown");
  return reference;
}

std::string_view trim(std::string_view text) {
  auto first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(" \t") - first + 1);
}

// If-None-Match holds `*` or a list of entity tags, quoted or (as some clients send) bare.
bool etag_matches(std::string_view if_none_match, std::string_view digest) {
  while (!if_none_match.empty()) {
    auto comma = if_none_match.find(',');
    std::string_view tag = trim(if_none_match.substr(0, comma));
    if_none_match = comma == std::string_view::npos ? std::string_view{} : if_none_match.substr(comma + 1);
    if (tag == "*") return true;
    if (tag.starts_with("W/")) tag.remove_prefix(2);
    if (tag.size() >= 2 && tag.front() == '"' && tag.back() == '"') tag = tag.substr(1, tag.size() - 2);
    if (tag == digest) return true;
  }
  return false;
}

std::int64_t now_unix() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace

// The stored bytes are served whatever the Accept header says. Berth never converts between
// manifest formats, and refusing (as the reference registry does for OCI types missing from
// Accept) breaks older clients whose Accept lists predate OCI; the spec makes Accept a client
// SHOULD, not a registry filter. This is the hot path: no JSON is parsed here.
HandlerResult ManifestHandlers::get(RegistryRequest& request) {
  const std::string& repository = request.route.repository;
  auto reference = parse_lookup_reference(request.route.reference);
  if (!reference.ok()) co_return std::move(reference).error();

  std::optional<Digest> digest = reference->digest;
  if (!digest) {
    auto resolved = context_.metadata.resolve_tag(repository, reference->tag);
    if (!resolved.ok()) co_return std::move(resolved).error();
    digest = std::move(*resolved);
  }
  if (!digest) co_return manifest_unknown(request.route.reference);
  auto manifest = context_.metadata.get_manifest(repository, *digest);
  if (!manifest.ok()) co_return std::move(manifest).error();
  if (!*manifest) co_return manifest_unknown(request.route.reference);
  if (request.http.method == http::Method::get) {
    const std::int64_t now = now_unix();
    if (pull_record_due(**manifest, now)) {
      co_await offload(context_.blocking, [&] {
        record_pull(context_.metadata, **manifest, now);
        return true;
      });
    }
  }

  const std::string digest_text = digest->str();
  http::Response response;
  response.headers.set("Docker-Content-Digest", digest_text);
  response.headers.set("Etag", "\"" + digest_text + "\"");
  if (auto if_none_match = request.http.headers.get("If-None-Match");
      if_none_match && etag_matches(*if_none_match, digest_text)) {
    response.status = 304;
    co_return response;
  }
  response.headers.set("Content-Type", (*manifest)->media_type);
  if (request.http.method == http::Method::head) {
    response.content_length = (*manifest)->content.size();
  } else {
    response.body = std::move((*manifest)->content);
  }
  co_return response;
}

// An oversized body is payload_too_large, which the OCI mapping answers as 413 SIZE_INVALID: the
// spec asks for 413, and SIZE_INVALID is the spec's code for a size problem, whereas
// MANIFEST_INVALID would claim the content was malformed when it was never read. read_all refuses
// a declared Content-Length above the limit before reading, so `Expect: 100-continue` clients
// never send the body.
HandlerResult ManifestHandlers::put(RegistryRequest& request) {
  const std::string& repository = request.route.repository;
  auto reference = parse_reference(request.route.reference);
  if (!reference.ok()) co_return std::move(reference).error();

  auto body = co_await request.http.body->read_all(context_.options.max_manifest_bytes);
  if (!body.ok()) co_return std::move(body).error();

  ManifestPush push{repository,
                    std::move(*body),
                    std::string(request.http.headers.get("Content-Type").value_or("")),
                    reference->digest,
                    std::nullopt,
                    now_unix(),
                    context_.options.max_images_per_repository};
  if (!reference->digest) push.tag = reference->tag;
  auto published = co_await offload(context_.blocking, [&] {
    return publish_manifest(context_.metadata, context_.blobs, std::move(push));
  });
  if (!published.ok()) co_return std::move(published).error();
  const std::string digest = published->digest.str();
  metadata::AuditEvent event = audit_event(request, "registry:PutManifest");
  event.digest = digest;
  if (published->previous_digest) event.previous_digest = published->previous_digest->str();
  co_await record_audit_event(context_.audit, std::move(event));

  http::Response response = http::Response::empty(201);
  response.headers.set("Location", "/v2/" + repository + "/manifests/" + digest);
  response.headers.set("Docker-Content-Digest", digest);
  if (published->subject) response.headers.set("OCI-Subject", published->subject->str());
  response.content_length = 0;
  co_return response;
}

// By digest: the manifest and every tag on it. By tag: only the tag.
HandlerResult ManifestHandlers::remove(RegistryRequest& request) {
  const std::string& repository = request.route.repository;
  auto reference = parse_lookup_reference(request.route.reference);
  if (!reference.ok()) co_return std::move(reference).error();

  metadata::AuditEvent event =
      audit_event(request, reference->digest ? "registry:DeleteManifest" : "registry:DeleteTag");
  auto deleted = co_await offload(context_.blocking, [&]() -> Result<bool> {
    Result<bool> removed = false;
    if (reference->digest) {
      event.digest = reference->digest->str();
      removed = context_.metadata.delete_manifest(repository, *reference->digest);
    } else {
      // The manifest the tag named, for the audit trail.
      auto target = context_.metadata.resolve_tag(repository, reference->tag);
      if (!target.ok()) return std::move(target).error();
      if (*target) event.digest = (*target)->str();
      removed = context_.metadata.delete_tag(repository, reference->tag);
    }
    return removed;
  });
  if (!deleted.ok()) co_return std::move(deleted).error();
  if (!*deleted) co_return manifest_unknown(request.route.reference);
  co_await record_audit_event(context_.audit, std::move(event));
  http::Response response = http::Response::empty(202);
  response.content_length = 0;
  co_return response;
}

}  // namespace berth::registry

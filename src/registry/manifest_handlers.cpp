// GET/HEAD/PUT/DELETE /v2/<name>/manifests/<reference> (distribution-spec "Pulling manifests",
// "Pushing Manifests", "Deleting Manifests"). Manifests are stored and served byte-exact.
#include <chrono>
#include <optional>
#include <string>

#include "common/names.hpp"
#include "common/offload.hpp"
#include "registry/audit_trail.hpp"
#include "registry/handlers.hpp"
#include "registry/manifest_parser.hpp"
#include "registry/tag_mutability.hpp"

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

// The size of `content` as stored in the repository: a blob linked into it whose bytes are there
// (a crash during garbage collection can leave a link whose bytes are gone), or a manifest of it.
Result<std::optional<std::uint64_t>> stored_size(RegistryContext& context, std::string_view repository,
                                                 const DescribedContent& content) {
  if (content.kind == metadata::ReferenceKind::blob) {
    auto linked = context.metadata.linked_blob(repository, content.digest);
    if (!linked.ok() || !*linked) return linked;
    return context.blobs.stat(content.digest);
  }
  auto manifest = context.metadata.get_manifest(repository, content.digest);
  if (!manifest.ok()) return std::move(manifest).error();
  if (!*manifest) return std::optional<std::uint64_t>{};
  return std::optional<std::uint64_t>{(*manifest)->content.size()};
}

// Blobs must be linked into this repository and index entries stored in it, each with the size its
// descriptor declares (a lying size makes every later pull fail verification); `subject` is exempt
// (distribution-spec: a referrer may be pushed before its subject).
Status check_described_content(RegistryContext& context, std::string_view repository,
                               const std::vector<DescribedContent>& described) {
  for (const auto& content : described) {
    auto size = stored_size(context, repository, content);
    if (!size.ok()) return std::move(size).error();
    const std::string digest = content.digest.str();
    if (!*size) {
      return make_error(ErrorCode::manifest_blob_unknown, "manifest references unknown content " + digest,
                        R"({"digest":")" + digest + "\"}");
    }
    if (**size != content.size) {
      return make_error(ErrorCode::manifest_invalid,
                        content.where + " declares size " + std::to_string(content.size) + " but " + digest +
                            " has " + std::to_string(**size) + " bytes",
                        R"({"descriptor":")" + content.where + R"(","digest":")" + digest +
                            R"(","size":)" + std::to_string(**size) + "}");
    }
  }
  return {};
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

  const Digest digest = Hasher::of(*body, reference->digest ? reference->digest->algorithm() : DigestAlgorithm::sha256);
  if (reference->digest && *reference->digest != digest) {
    co_return make_error(ErrorCode::digest_invalid,
                         "manifest digest " + digest.str() + " does not match " + reference->digest->str());
  }
  auto parsed = parse_manifest(*body, request.http.headers.get("Content-Type").value_or(""));
  if (!parsed.ok()) co_return std::move(parsed).error();
  auto present = check_described_content(context_, repository, parsed->described);
  if (!present.ok()) co_return std::move(present).error();

  metadata::ManifestRecord record{repository,
                                  digest,
                                  parsed->media_type,
                                  std::move(*body),
                                  parsed->subject,
                                  parsed->artifact_type,
                                  parsed->annotations_json,
                                  now_unix()};
  std::optional<std::string_view> tag;
  if (!reference->digest) tag = reference->tag;
  metadata::AuditEvent event = audit_event(request, "registry:PutManifest");
  event.digest = digest.str();
  auto stored = co_await offload(context_.blocking, [&]() -> Status {
    // Where the tag pointed before, for the audit trail. Read apart from the write, so a push racing
    // this one for the same tag may be named as neither's predecessor; the tags themselves stay right.
    if (tag) {
      auto previous = context_.metadata.resolve_tag(repository, *tag);
      if (!previous.ok()) return std::move(previous).error();
      if (*previous && **previous != digest) event.previous_digest = (*previous)->str();
    }
    if (!tag) return context_.metadata.put_manifest(record, parsed->references, std::nullopt);
    auto settings = context_.metadata.get_repository(repository);
    if (!settings.ok()) return std::move(settings).error();
    // A repository the push creates has the default settings: mutable tags.
    if (!*settings || tag_may_move((*settings)->settings, *tag)) {
      return context_.metadata.put_manifest(record, parsed->references, tag);
    }
    Status kept = context_.metadata.put_manifest_keeping_tag(record, parsed->references, *tag);
    if (!kept.ok() && kept.error().code == ErrorCode::conflict) return immutable_tag(*tag, repository);
    return kept;
  });
  if (!stored.ok()) co_return std::move(stored).error();
  co_await record_audit_event(context_.audit, std::move(event));

  http::Response response = http::Response::empty(201);
  response.headers.set("Location", "/v2/" + repository + "/manifests/" + digest.str());
  response.headers.set("Docker-Content-Digest", digest.str());
  if (parsed->subject) response.headers.set("OCI-Subject", parsed->subject->str());
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

#include "registry/manifest_publisher.hpp"

#include <string>
#include <utility>
#include <vector>

#include "registry/manifest_parser.hpp"
#include "registry/tag_mutability.hpp"

namespace berth::registry {
namespace {

// The size of `content` as stored in the repository: a blob linked into it whose bytes are there
// (a crash during garbage collection can leave a link whose bytes are gone), or a manifest of it.
Result<std::optional<std::uint64_t>> stored_size(metadata::MetadataStore& metadata, storage::BlobStore& blobs,
                                                 std::string_view repository, const DescribedContent& content) {
  if (content.kind == metadata::ReferenceKind::blob) {
    auto linked = metadata.linked_blob(repository, content.digest);
    if (!linked.ok() || !*linked) return linked;
    return blobs.stat(content.digest);
  }
  auto manifest = metadata.get_manifest(repository, content.digest);
  if (!manifest.ok()) return std::move(manifest).error();
  if (!*manifest) return std::optional<std::uint64_t>{};
  return std::optional<std::uint64_t>{(*manifest)->content.size()};
}

// Blobs must be linked into this repository and index entries stored in it, each with the size its
// descriptor declares (a lying size makes every later pull fail verification); `subject` is exempt
// (distribution-spec: a referrer may be pushed before its subject).
Status check_described_content(metadata::MetadataStore& metadata, storage::BlobStore& blobs,
                               std::string_view repository, const std::vector<DescribedContent>& described) {
  for (const auto& content : described) {
    auto size = stored_size(metadata, blobs, repository, content);
    if (!size.ok()) return std::move(size).error();
    const std::string digest = content.digest.str();
    if (!*size) {
      const bool blob = content.kind == metadata::ReferenceKind::blob;
      return make_error(blob ? ErrorCode::manifest_blob_unknown : ErrorCode::manifest_child_unknown,
                        "manifest references unknown " + std::string(blob ? "blob " : "manifest ") + digest,
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

// Stores the record, pointing `tag` at it where the repository's tag mutability allows.
Status store(metadata::MetadataStore& metadata, const metadata::ManifestRecord& record,
             const std::vector<metadata::ManifestReference>& references, const std::optional<std::string>& tag) {
  if (!tag) return metadata.put_manifest(record, references, std::nullopt);
  auto repository = metadata.get_repository(record.repository);
  if (!repository.ok()) return std::move(repository).error();
  // A repository the push creates has the default settings: mutable tags.
  if (!*repository || tag_may_move((*repository)->settings, *tag)) {
    return metadata.put_manifest(record, references, *tag);
  }
  Status kept = metadata.put_manifest_keeping_tag(record, references, *tag);
  if (!kept.ok() && kept.error().code == ErrorCode::conflict) return immutable_tag(*tag, record.repository);
  return kept;
}

// Counted apart from the write that stores the manifest, so pushes racing for the last places may
// overshoot the quota by as many as race; a quota bounds growth, it is not an invariant.
Status check_image_quota(metadata::MetadataStore& metadata, std::string_view repository, const Digest& digest,
                         std::uint64_t max_images) {
  if (max_images == 0) return {};
  auto stored = metadata.manifest_exists(repository, digest);
  if (!stored.ok()) return std::move(stored).error();
  if (*stored) return {};
  auto count = metadata.count_manifests(repository);
  if (!count.ok()) return std::move(count).error();
  if (*count < max_images) return {};
  return make_error(ErrorCode::limit_exceeded,
                    "The operation did not succeed because it would have exceeded a service limit: repository '" +
                        std::string(repository) + "' already holds " + std::to_string(*count) +
                        " images, the most limits.max_images_per_repository allows");
}

}  // namespace

Result<Digest> manifest_digest(std::string_view content, const std::optional<Digest>& expected) {
  Digest digest = Hasher::of(content, expected ? expected->algorithm() : DigestAlgorithm::sha256);
  if (expected && *expected != digest) {
    return make_error(ErrorCode::digest_invalid, "manifest digest " + digest.str() + " does not match " + expected->str());
  }
  return digest;
}

Result<PublishedManifest> publish_manifest(metadata::MetadataStore& metadata, storage::BlobStore& blobs,
                                           ManifestPush push) {
  Result<Digest> digest = manifest_digest(push.content, push.expected_digest);
  if (!digest.ok()) return std::move(digest).error();
  Result<ParsedManifest> parsed = parse_manifest(push.content, push.content_type);
  if (!parsed.ok()) return std::move(parsed).error();
  BERTH_TRY(check_described_content(metadata, blobs, push.repository, parsed->described));

  PublishedManifest published{*digest, parsed->media_type, parsed->subject, std::nullopt};
  if (push.tag) {
    auto previous = metadata.resolve_tag(push.repository, *push.tag);
    if (!previous.ok()) return std::move(previous).error();
    if (*previous && **previous != *digest) published.previous_digest = std::move(**previous);
  }
  BERTH_TRY(check_image_quota(metadata, push.repository, *digest, push.max_images));
  const metadata::ManifestRecord record{std::move(push.repository),
                                        *digest,
                                        parsed->media_type,
                                        std::move(push.content),
                                        parsed->subject,
                                        std::move(parsed->artifact_type),
                                        std::move(parsed->annotations_json),
                                        push.now_unix,
                                        std::nullopt};
  BERTH_TRY(store(metadata, record, parsed->references, push.tag));
  return published;
}

}  // namespace berth::registry

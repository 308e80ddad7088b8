// The one path from pushed manifest bytes to a stored, possibly tagged image, shared by the
// registry's manifest PUT and ECR's PutImage so that both enforce the same rules: the bytes are an
// acceptable manifest (manifest_parser.hpp), everything it describes is stored in the repository
// with the size it declares, and a tag moves only where the repository's tag mutability allows
// (tag_mutability.hpp). Blocking (metadata reads and one transaction): run it on the blocking pool.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/digest.hpp"
#include "common/result.hpp"
#include "metadata/metadata_store.hpp"
#include "storage/blob_store.hpp"

namespace berth::registry {

struct ManifestPush {
  std::string repository;
  std::string content;                   // the bytes as pushed; stored byte-exact
  std::string content_type;              // what the client declared; may be empty or generic
  std::optional<Digest> expected_digest;  // the digest the client named, when it named one
  std::optional<std::string> tag;
  std::int64_t now_unix = 0;
  // The repository's image quota (ECR's images per repository): a push that would store a manifest
  // beyond it is limit_exceeded. 0 sets no quota.
  std::uint64_t max_images = 0;
};

struct PublishedManifest {
  Digest digest;
  std::string media_type;
  std::optional<Digest> subject;
  // Where the tag pointed before, when the push moved it (for the audit trail). Read apart from the
  // write, so a push racing this one for the same tag may be named as neither's predecessor; the
  // tags themselves stay right.
  std::optional<Digest> previous_digest;
};

// The digest of `content`, computed with the algorithm of `expected` when given, which it must
// match (digest_invalid otherwise).
Result<Digest> manifest_digest(std::string_view content, const std::optional<Digest>& expected);

// Errors: digest_invalid (the bytes do not hash to `expected_digest`), manifest_invalid (not an
// acceptable manifest, or a descriptor whose size differs from the stored content's),
// manifest_blob_unknown (a blob it describes is not linked into the repository),
// manifest_child_unknown (an index entry is not stored in the repository), tag_immutable,
// limit_exceeded (a new manifest beyond the image quota; a manifest already stored is never refused).
Result<PublishedManifest> publish_manifest(metadata::MetadataStore& metadata, storage::BlobStore& blobs,
                                           ManifestPush push);

}  // namespace berth::registry

// Validation of a pushed manifest and extraction of what the registry must remember about it.
//
// The registry stores and serves manifests byte-exact; this parser only decides whether the bytes
// are an acceptable manifest and pulls out the media type, the descriptors it points at, its
// `subject`, and what the referrers API reports (artifact type, annotations). It never re-serialises.
//
// Accepted: OCI image manifest, OCI image index, Docker v2 schema 2 manifest, Docker manifest list
// (all `schemaVersion: 2`). Docker schema 1 is refused, as the reference registry v3 does.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/digest.hpp"
#include "common/result.hpp"
#include "metadata/metadata_store.hpp"

namespace berth::registry {

inline constexpr std::string_view kOciManifestType = "application/vnd.oci.image.manifest.v1+json";
inline constexpr std::string_view kOciIndexType = "application/vnd.oci.image.index.v1+json";
inline constexpr std::string_view kDockerManifestType = "application/vnd.docker.distribution.manifest.v2+json";
inline constexpr std::string_view kDockerManifestListType = "application/vnd.docker.distribution.manifest.list.v2+json";

// One descriptor of content the registry must hold, as the manifest declares it.
struct DescribedContent {
  Digest digest;
  metadata::ReferenceKind kind = metadata::ReferenceKind::blob;
  std::uint64_t size = 0;
  std::string where;  // "config", "layers[2]", "manifests[0]": for error messages
};

struct ParsedManifest {
  std::string media_type;
  // Config and layers as blobs, or an index's entries as manifests, each digest once. Layers that
  // carry `urls` (Docker foreign layers) live elsewhere and are not listed: the registry never
  // holds them.
  std::vector<metadata::ManifestReference> references;
  // The same content, every descriptor in document order with the size it declares: a client
  // verifies what it pulls against these sizes, so each must be the stored content's.
  std::vector<DescribedContent> described;
  std::optional<Digest> subject;
  // `artifactType`; else an image manifest's `config.mediaType`; else empty.
  std::string artifact_type;
  // The `annotations` object as minified JSON; empty when absent or `{}`.
  std::string annotations_json;
};

// `content_type` is the request's Content-Type (parameters ignored). When it is absent or generic
// (`application/json`, `application/octet-stream`) the body's `mediaType` decides, and without
// one the shape does (`manifests` = OCI index, `config` = OCI image manifest). When both name a
// type they must agree. Every failure is manifest_invalid with a message naming the problem.
Result<ParsedManifest> parse_manifest(std::string_view bytes, std::string_view content_type);

}  // namespace berth::registry

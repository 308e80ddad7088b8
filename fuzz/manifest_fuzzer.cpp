// Pushed manifests and indexes (registry/manifest_parser). Input: a byte choosing the request's
// Content-Type, then the body.
#include <array>

#include <nlohmann/json.hpp>

#include "fuzz_input.hpp"
#include "registry/manifest_parser.hpp"

using berth::fuzz::check;
namespace registry = berth::registry;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static constexpr std::array<std::string_view, 7> kContentTypes = {
      "",
      "application/json",
      "application/octet-stream",
      registry::kOciManifestType,
      registry::kOciIndexType,
      registry::kDockerManifestType,
      registry::kDockerManifestListType,
  };
  berth::fuzz::Input input(data, size);
  const std::string_view content_type = kContentTypes[input.byte() % kContentTypes.size()];
  const auto manifest = registry::parse_manifest(input.rest(), content_type);
  if (!manifest) {
    check(manifest.error().code == berth::ErrorCode::manifest_invalid, "refusal other than manifest_invalid");
    return 0;
  }
  const std::string_view type = manifest->media_type;
  check(type == registry::kOciManifestType || type == registry::kOciIndexType ||
            type == registry::kDockerManifestType || type == registry::kDockerManifestListType,
        "accepted a media type the registry does not serve");
  if (content_type.starts_with("application/vnd.")) check(type == content_type, "media type differs from Content-Type");
  for (const auto& reference : manifest->references) {
    const auto reparsed = berth::Digest::parse(reference.digest.str());
    check(reparsed && *reparsed == reference.digest, "a referenced digest that does not parse back");
  }
  if (!manifest->annotations_json.empty()) {
    const auto annotations = nlohmann::json::parse(manifest->annotations_json, nullptr, false);
    check(annotations.is_object() && !annotations.empty(), "annotations are not a non-empty JSON object");
  }
  return 0;
}

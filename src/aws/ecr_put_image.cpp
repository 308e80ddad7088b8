#include "aws/ecr_put_image.hpp"

#include <chrono>
#include <optional>
#include <string>

#include "aws/ecr_image_ids.hpp"
#include "common/names.hpp"
#include "registry/manifest_publisher.hpp"

namespace berth::aws {
namespace {

constexpr std::size_t kMaxManifestCharacters = 4194304;

Error image_already_exists(const EcrServices& services, std::string_view repository, const Digest& digest,
                           const std::optional<std::string>& tag) {
  return make_error(ErrorCode::aws_image_already_exists,
                    "Image with digest '" + digest.str() + "' and tag '" + tag.value_or("null") +
                        "' already exists in the repository with name '" + std::string(repository) +
                        "' in registry with id '" + services.options.account.account_id + "'");
}

// Whether putting `digest` (under `tag`) would change nothing.
Result<bool> already_stored(EcrServices& services, std::string_view repository, const Digest& digest,
                            const std::optional<std::string>& tag) {
  if (!tag) return services.metadata.manifest_exists(repository, digest);
  Result<std::optional<Digest>> tagged = services.metadata.resolve_tag(repository, *tag);
  if (!tagged) return std::move(tagged).error();
  return *tagged == digest;
}

}  // namespace

Result<EcrOutput> put_image(EcrServices& services, const EcrCall& call, std::string_view body) {
  Result<EcrJsonInput> input = EcrJsonInput::parse(
      body, {"registryId", "repositoryName", "imageManifest", "imageManifestMediaType", "imageTag", "imageDigest"});
  if (!input) return std::move(input).error();
  Result<std::string> repository = open_repository(services, call, *input, "ecr:PutImage");
  if (!repository) return std::move(repository).error();
  Result<std::string> manifest = input->required_string("imageManifest");
  if (!manifest) return std::move(manifest).error();
  if (manifest->empty() || manifest->size() > kMaxManifestCharacters) {
    return input->invalid("imageManifest", "Member must have length between 1 and 4194304");
  }
  Result<std::optional<std::string>> media_type = input->string("imageManifestMediaType");
  if (!media_type) return std::move(media_type).error();
  Result<std::optional<std::string>> tag = input->string("imageTag");
  if (!tag) return std::move(tag).error();
  if (*tag && !is_valid_tag(**tag)) {
    return input->invalid("imageTag", "Member must be a tag of 1 to 128 characters of [A-Za-z0-9_.-], not starting with . or -");
  }
  Result<std::optional<std::string>> digest_text = input->string("imageDigest");
  if (!digest_text) return std::move(digest_text).error();
  std::optional<Digest> expected;
  if (*digest_text) {
    Result<Digest> parsed = Digest::parse(**digest_text);
    if (!parsed) return input->invalid("imageDigest", "Member must be a digest such as sha256:<64 hex digits>");
    expected = std::move(*parsed);
  }

  Result<Digest> digest = registry::manifest_digest(*manifest, expected);
  if (!digest) {
    return make_error(ErrorCode::aws_image_digest_mismatch,
                      "The digest of the image manifest does not match the image digest given: " +
                          digest.error().message);
  }
  Result<bool> stored = already_stored(services, *repository, *digest, *tag);
  if (!stored) return std::move(stored).error();
  if (*stored) return image_already_exists(services, *repository, *digest, *tag);

  const std::int64_t now = std::chrono::floor<std::chrono::seconds>(call.now).time_since_epoch().count();
  Result<registry::PublishedManifest> published = registry::publish_manifest(
      services.metadata, services.blobs,
      {*repository, *manifest, media_type->value_or(""), *digest, *tag, now, services.options.max_images_per_repository});
  if (!published) return std::move(published).error();

  metadata::AuditEvent event = change_event(call, "ecr:PutImage", *repository);
  event.reference = tag->value_or(digest->str());
  event.digest = digest->str();
  if (published->previous_digest) event.previous_digest = published->previous_digest->str();
  const ImageId id{digest->str(), *tag};
  nlohmann::json image{{"registryId", services.options.account.account_id},
                       {"repositoryName", *repository},
                       {"imageId", id.to_json()},
                       {"imageManifest", std::move(*manifest)},
                       {"imageManifestMediaType", published->media_type}};
  return EcrOutput{nlohmann::json{{"image", std::move(image)}}, {std::move(event)}};
}

}  // namespace berth::aws

#include "aws/ecr_image_ids.hpp"

namespace berth::aws {
namespace {

constexpr std::size_t kMaxTagLength = 300;

// The greatest text below `digest` that no other digest can fall between: the last character
// lowered by one and followed by DEL. Digest text is `alg:hex`, so nothing sorts in that gap, and
// `list_images(repository, just_before(d), 1)` reads the image `d` when it exists.
std::string just_before(std::string digest) {
  digest.back() = static_cast<char>(digest.back() - 1);
  digest += '\x7f';
  return digest;
}

std::string quoted_or_null(const std::optional<std::string>& text) { return text ? "'" + *text + "'" : "'null'"; }

}  // namespace

nlohmann::json ImageId::to_json() const {
  nlohmann::json id = nlohmann::json::object();
  if (digest) id["imageDigest"] = *digest;
  if (tag) id["imageTag"] = *tag;
  return id;
}

Result<std::optional<std::vector<ImageId>>> read_image_ids(const EcrJsonInput& input, std::size_t min_items,
                                                           std::size_t max_items) {
  Result<std::optional<std::vector<EcrJsonInput>>> entries =
      input.objects("imageIds", {"imageDigest", "imageTag"}, min_items, max_items);
  if (!entries) return std::move(entries).error();
  if (!entries->has_value()) return std::optional<std::vector<ImageId>>();
  std::vector<ImageId> ids;
  for (const EcrJsonInput& entry : **entries) {
    Result<std::optional<std::string>> digest = entry.string("imageDigest");
    if (!digest) return std::move(digest).error();
    Result<std::optional<std::string>> tag = entry.string("imageTag");
    if (!tag) return std::move(tag).error();
    ids.push_back(ImageId{std::move(*digest), std::move(*tag)});
  }
  return std::optional<std::vector<ImageId>>(std::move(ids));
}

Result<TagStatus> read_tag_status(const EcrJsonInput& filter) {
  Result<std::optional<std::string>> tag_status = filter.string("tagStatus");
  if (!tag_status) return std::move(tag_status).error();
  if (*tag_status == "TAGGED") return TagStatus::tagged;
  if (*tag_status == "UNTAGGED") return TagStatus::untagged;
  if (tag_status->has_value() && **tag_status != "ANY") {
    return filter.invalid("tagStatus", "Member must satisfy enum value set: [TAGGED, UNTAGGED, ANY]");
  }
  return TagStatus::any;
}

bool tag_status_matches(TagStatus status, const std::vector<std::string>& tags) {
  switch (status) {
    case TagStatus::tagged:
      return !tags.empty();
    case TagStatus::untagged:
      return tags.empty();
    case TagStatus::any:
      return true;
  }
  return true;
}

Result<std::variant<Digest, ImageFailure>> resolve_image_id(metadata::MetadataStore& metadata,
                                                            std::string_view repository, const ImageId& id) {
  using Resolved = std::variant<Digest, ImageFailure>;
  if (!id.digest && !id.tag) {
    return Resolved(
        ImageFailure{"MissingDigestAndTag", "Invalid request parameters: both tag and digest cannot be null"});
  }
  std::optional<Digest> digest;
  if (id.digest) {
    Result<Digest> parsed = Digest::parse(*id.digest);
    if (!parsed) {
      return Resolved(ImageFailure{"InvalidImageDigest",
                                   "Invalid request parameters: image digest should satisfy "
                                   "the regex '[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+'"});
    }
    digest = std::move(*parsed);
  }
  if (!id.tag) return Resolved(std::move(*digest));
  if (id.tag->empty() || id.tag->size() > kMaxTagLength) {
    return Resolved(ImageFailure{"InvalidImageTag",
                                 "Invalid request parameters: image tag must have length "
                                 "between 1 and 300"});
  }
  Result<std::optional<Digest>> tagged = metadata.resolve_tag(repository, *id.tag);
  if (!tagged) return std::move(tagged).error();
  if (!tagged->has_value()) return Resolved(ImageFailure{"ImageNotFound", "Requested image not found"});
  if (digest && *digest != **tagged) {
    return Resolved(ImageFailure{"ImageTagDoesNotMatchDigest", "The image tag does not point at the image digest"});
  }
  return Resolved(std::move(**tagged));
}

Result<std::optional<metadata::ImageRecord>> find_image(metadata::MetadataStore& metadata, std::string_view repository,
                                                        const Digest& digest) {
  Result<std::vector<metadata::ImageRecord>> images = metadata.list_images(repository, just_before(digest.str()), 1);
  if (!images) return std::move(images).error();
  if (images->empty() || images->front().digest != digest) return std::optional<metadata::ImageRecord>();
  return std::optional<metadata::ImageRecord>(std::move(images->front()));
}

Error image_not_found(const ImageId& id, std::string_view repository, std::string_view registry_id) {
  return make_error(ErrorCode::aws_image_not_found,
                    "The image with imageId {imageDigest:" + quoted_or_null(id.digest) +
                        ", imageTag:" + quoted_or_null(id.tag) + "} does not exist within the repository with name '" +
                        std::string(repository) + "' in the registry with id '" + std::string(registry_id) + "'");
}

}  // namespace berth::aws

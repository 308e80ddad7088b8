// ECR image identifiers (`ImageIdentifier {imageDigest?, imageTag?}`, interfaces.md §6.2) and how
// they resolve in a repository, shared by DescribeImages (a failure is an exception) and
// BatchGetImage (a failure is an entry in `failures`).
#pragma once

#include <nlohmann/json.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "aws/ecr_json_input.hpp"
#include "common/digest.hpp"
#include "common/result.hpp"
#include "metadata/metadata_store.hpp"

namespace berth::aws {

// As the request gave it.
struct ImageId {
  std::optional<std::string> digest;
  std::optional<std::string> tag;

  // `{"imageDigest": ..., "imageTag": ...}` with the members that were given.
  nlohmann::json to_json() const;
};

// `imageIds` of `input`, between `min_items` and `max_items` entries; nullopt when absent.
Result<std::optional<std::vector<ImageId>>> read_image_ids(const EcrJsonInput& input, std::size_t min_items,
                                                           std::size_t max_items);

// ECR's `TagStatus` filter (interfaces.md §6.2).
enum class TagStatus { tagged, untagged, any };

// The `tagStatus` member of a `filter` object: TAGGED, UNTAGGED or ANY (the default).
Result<TagStatus> read_tag_status(const EcrJsonInput& filter);
bool tag_status_matches(TagStatus status, const std::vector<std::string>& tags);

// Why an identifier names no image: an ECR ImageFailureCode and its reason.
struct ImageFailure {
  std::string_view code;  // "ImageNotFound", "InvalidImageDigest", ...
  std::string reason;
};

// The digest an identifier names: the digest given, or the one its tag points at (which must be the
// digest given, when both are). The image itself may still be missing: callers look it up.
Result<std::variant<Digest, ImageFailure>> resolve_image_id(metadata::MetadataStore& metadata,
                                                            std::string_view repository, const ImageId& id);

// The listing record of one image.
Result<std::optional<metadata::ImageRecord>> find_image(metadata::MetadataStore& metadata, std::string_view repository,
                                                        const Digest& digest);

// ImageNotFoundException in AWS's words.
Error image_not_found(const ImageId& id, std::string_view repository, std::string_view registry_id);

}  // namespace berth::aws

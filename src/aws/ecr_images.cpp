#include "aws/ecr_images.hpp"

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "aws/ecr_image_ids.hpp"
#include "aws/ecr_paging.hpp"

namespace berth::aws {
namespace {

constexpr std::size_t kMaxImageIds = 100;
// Between the digest and the tag in a ListImages position; neither can contain a space.
constexpr char kTagSeparator = ' ';

struct ImageFilter {
  TagStatus tag_status = TagStatus::any;
  bool archived = false;

  bool matches(const metadata::ImageRecord& image) const {
    return !archived && tag_status_matches(tag_status, image.tags);
  }
};

Result<ImageFilter> read_image_filter(const EcrJsonInput& input) {
  ImageFilter filter;
  Result<std::optional<EcrJsonInput>> object = input.object("filter", {"tagStatus", "imageStatus"});
  if (!object) return std::move(object).error();
  if (!object->has_value()) return filter;
  const EcrJsonInput& members = **object;
  Result<TagStatus> tag_status = read_tag_status(members);
  if (!tag_status) return std::move(tag_status).error();
  filter.tag_status = *tag_status;
  Result<std::optional<std::string>> image_status = members.string("imageStatus");
  if (!image_status) return std::move(image_status).error();
  if (*image_status == "ARCHIVED" || *image_status == "ACTIVATING") {
    filter.archived = true;
  } else if (image_status->has_value() && **image_status != "ACTIVE" && **image_status != "ANY") {
    return members.invalid("imageStatus", "Member must satisfy enum value set: [ACTIVE, ARCHIVED, ACTIVATING, ANY]");
  }
  return filter;
}

// What DescribeImages reports as the image's size: its blobs, or for an index its largest manifest.
Result<std::uint64_t> image_size(EcrServices& services, std::string_view repository,
                                 const metadata::ImageRecord& image) {
  std::uint64_t size = image.blob_bytes;
  for (const Digest& child : image.child_manifests) {
    Result<std::optional<metadata::ImageRecord>> record = find_image(services.metadata, repository, child);
    if (!record) return std::move(record).error();
    if (record->has_value()) size = std::max(size, (*record)->blob_bytes);
  }
  return size;
}

Result<nlohmann::json> image_detail(EcrServices& services, std::string_view repository,
                                    const metadata::ImageRecord& image) {
  Result<std::uint64_t> size = image_size(services, repository, image);
  if (!size) return std::move(size).error();
  nlohmann::json detail{{"registryId", services.options.account.account_id},
                        {"repositoryName", repository},
                        {"imageDigest", image.digest.str()},
                        {"imageSizeInBytes", *size},
                        {"imagePushedAt", image.created_unix},
                        {"imageManifestMediaType", image.media_type}};
  if (!image.tags.empty()) detail["imageTags"] = image.tags;
  if (!image.artifact_type.empty()) detail["artifactMediaType"] = image.artifact_type;
  if (image.last_pulled_unix) detail["lastRecordedPullTime"] = *image.last_pulled_unix;
  return detail;
}

Result<nlohmann::json> describe_named(EcrServices& services, std::string_view repository, const ImageFilter& filter,
                                      const std::vector<ImageId>& ids) {
  nlohmann::json details = nlohmann::json::array();
  std::set<Digest> seen;
  for (const ImageId& id : ids) {
    Result<std::variant<Digest, ImageFailure>> resolved = resolve_image_id(services.metadata, repository, id);
    if (!resolved) return std::move(resolved).error();
    if (const auto* failure = std::get_if<ImageFailure>(&*resolved)) {
      if (failure->code == "ImageNotFound" || failure->code == "ImageTagDoesNotMatchDigest") {
        return image_not_found(id, repository, services.options.account.account_id);
      }
      return make_error(ErrorCode::aws_validation_error, failure->reason);
    }
    const Digest& digest = std::get<Digest>(*resolved);
    Result<std::optional<metadata::ImageRecord>> image = find_image(services.metadata, repository, digest);
    if (!image) return std::move(image).error();
    if (!image->has_value()) return image_not_found(id, repository, services.options.account.account_id);
    if (!seen.insert(digest).second || !filter.matches(**image)) continue;
    Result<nlohmann::json> detail = image_detail(services, repository, **image);
    if (!detail) return std::move(detail).error();
    details.push_back(std::move(*detail));
  }
  return nlohmann::json{{"imageDetails", std::move(details)}};
}

// Every image of `repository` strictly after the digest text `after`, in digest order.
template <typename Visit>
Status walk_images(EcrServices& services, std::string_view repository, std::string after, Visit&& visit) {
  return walk_listing(
      std::move(after),
      [&](std::string_view from, std::size_t limit) { return services.metadata.list_images(repository, from, limit); },
      [](const metadata::ImageRecord& image) { return image.digest.str(); }, std::forward<Visit>(visit));
}

Result<nlohmann::json> describe_page(EcrServices& services, std::string_view repository, const ImageFilter& filter,
                                     const PageRequest& page) {
  PageBuilder builder("DescribeImages", page.limit);
  Status walked = walk_images(services, repository, page.position, [&](metadata::ImageRecord& image) -> Result<bool> {
    if (!filter.matches(image)) return true;
    Result<nlohmann::json> detail = image_detail(services, repository, image);
    if (!detail) return std::move(detail).error();
    return builder.add(std::move(*detail), image.digest.str());
  });
  if (!walked) return std::move(walked).error();
  nlohmann::json output = nlohmann::json::object();
  std::move(builder).finish(output, "imageDetails");
  return output;
}

// Adds the ListImages entries of `image` that sort after `after_tag` (all when nullopt); false once
// the page is full.
bool add_entries(PageBuilder& builder, const metadata::ImageRecord& image,
                 const std::optional<std::string>& after_tag) {
  const std::string digest = image.digest.str();
  if (image.tags.empty()) return after_tag.has_value() || builder.add({{"imageDigest", digest}}, digest);
  for (const std::string& tag : image.tags) {
    if (after_tag && tag <= *after_tag) continue;
    if (!builder.add({{"imageDigest", digest}, {"imageTag", tag}}, digest + kTagSeparator + tag)) return false;
  }
  return true;
}

// Where a ListImages page starts: after the last entry sent, named by its digest and, when it had
// one, its tag. Nothing for the first page.
struct ListPosition {
  std::optional<Digest> digest;
  std::optional<std::string> tag;
};

Result<ListPosition> read_list_position(const EcrJsonInput& input, std::string_view position) {
  ListPosition list_position;
  if (position.empty()) return list_position;
  const auto separator = position.find(kTagSeparator);
  if (separator != std::string_view::npos) list_position.tag = std::string(position.substr(separator + 1));
  Result<Digest> digest = Digest::parse(position.substr(0, separator));
  if (!digest) return invalid_next_token(input, "ListImages");
  list_position.digest = std::move(*digest);
  return list_position;
}

}  // namespace

Result<nlohmann::json> describe_images(EcrServices& services, const EcrCall& call, std::string_view body) {
  Result<EcrJsonInput> input =
      EcrJsonInput::parse(body, {"registryId", "repositoryName", "imageIds", "nextToken", "maxResults", "filter"});
  if (!input) return std::move(input).error();
  Result<std::string> repository = open_repository(services, call, *input, "ecr:DescribeImages");
  if (!repository) return std::move(repository).error();
  Result<ImageFilter> filter = read_image_filter(*input);
  if (!filter) return std::move(filter).error();
  BERTH_TRY(check_not_paged(*input, "imageIds"));
  Result<std::optional<std::vector<ImageId>>> ids = read_image_ids(*input, 1, kMaxImageIds);
  if (!ids) return std::move(ids).error();
  if (ids->has_value()) return describe_named(services, *repository, *filter, **ids);

  Result<PageRequest> page = read_page_request(*input, "DescribeImages");
  if (!page) return std::move(page).error();
  if (!page->position.empty() && !Digest::parse(page->position)) return invalid_next_token(*input, "DescribeImages");
  return describe_page(services, *repository, *filter, *page);
}

Result<nlohmann::json> list_images(EcrServices& services, const EcrCall& call, std::string_view body) {
  Result<EcrJsonInput> input =
      EcrJsonInput::parse(body, {"registryId", "repositoryName", "nextToken", "maxResults", "filter"});
  if (!input) return std::move(input).error();
  Result<std::string> repository = open_repository(services, call, *input, "ecr:ListImages");
  if (!repository) return std::move(repository).error();
  Result<ImageFilter> filter = read_image_filter(*input);
  if (!filter) return std::move(filter).error();
  Result<PageRequest> page = read_page_request(*input, "ListImages");
  if (!page) return std::move(page).error();

  Result<ListPosition> position = read_list_position(*input, page->position);
  if (!position) return std::move(position).error();

  PageBuilder builder("ListImages", page->limit);
  if (position->digest && position->tag) {
    // The rest of the image the previous page stopped in.
    Result<std::optional<metadata::ImageRecord>> image = find_image(services.metadata, *repository, *position->digest);
    if (!image) return std::move(image).error();
    if (image->has_value() && filter->matches(**image)) add_entries(builder, **image, position->tag);
  }
  const std::string after = position->digest ? position->digest->str() : std::string();
  Status walked = walk_images(services, *repository, after, [&](metadata::ImageRecord& image) {
    return !filter->matches(image) || add_entries(builder, image, std::nullopt);
  });
  if (!walked) return std::move(walked).error();
  nlohmann::json output = nlohmann::json::object();
  std::move(builder).finish(output, "imageIds");
  return output;
}

}  // namespace berth::aws

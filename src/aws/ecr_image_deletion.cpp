#include "aws/ecr_image_deletion.hpp"

#include <string>
#include <vector>

#include "aws/ecr_image_ids.hpp"

namespace berth::aws {
namespace {

constexpr std::string_view kAction = "ecr:BatchDeleteImage";
constexpr std::size_t kMaxImageIds = 100;

struct Deletions {
  nlohmann::json image_ids = nlohmann::json::array();
  nlohmann::json failures = nlohmann::json::array();
  std::vector<metadata::AuditEvent> events;
};

void fail(Deletions& deletions, const ImageId& id, std::string_view code, std::string_view reason) {
  deletions.failures.push_back(
      nlohmann::json{{"imageId", id.to_json()}, {"failureCode", code}, {"failureReason", reason}});
}

void deleted(Deletions& deletions, const EcrCall& call, std::string_view repository, const Digest& digest,
             const std::optional<std::string>& tag) {
  const ImageId id{digest.str(), tag};
  deletions.image_ids.push_back(id.to_json());
  metadata::AuditEvent event = change_event(call, std::string(kAction), repository);
  event.reference = tag.value_or(digest.str());
  event.digest = digest.str();
  deletions.events.push_back(std::move(event));
}

Status delete_one(EcrServices& services, const EcrCall& call, const std::string& repository, const ImageId& id,
                  Deletions& deletions) {
  Result<std::variant<Digest, ImageFailure>> resolved = resolve_image_id(services.metadata, repository, id);
  if (!resolved) return std::move(resolved).error();
  if (const auto* failure = std::get_if<ImageFailure>(&*resolved)) {
    fail(deletions, id, failure->code, failure->reason);
    return {};
  }
  if (id.tag) {
    Result<std::optional<Digest>> untagged = services.metadata.untag_image(repository, *id.tag);
    if (!untagged) return std::move(untagged).error();
    if (!untagged->has_value()) {
      fail(deletions, id, "ImageNotFound", "Requested image not found");
    } else {
      deleted(deletions, call, repository, **untagged, id.tag);
    }
    return {};
  }
  const Digest& digest = std::get<Digest>(*resolved);
  // Its tags, to report each as deleted: the image takes them with it.
  Result<std::optional<metadata::ImageRecord>> image = find_image(services.metadata, repository, digest);
  if (!image) return std::move(image).error();
  Result<metadata::ManifestDeletion> removed = services.metadata.delete_unlisted_manifest(repository, digest);
  if (!removed) return std::move(removed).error();
  if (!removed->listed_by.empty()) {
    std::string parents;
    for (const Digest& parent : removed->listed_by) parents += (parents.empty() ? "" : ", ") + parent.str();
    fail(deletions, id, "ImageReferencedByManifestList", "Requested image referenced by manifest list: [" + parents + "]");
    return {};
  }
  if (!removed->deleted) {
    fail(deletions, id, "ImageNotFound", "Requested image not found");
    return {};
  }
  if (!image->has_value() || (*image)->tags.empty()) {
    deleted(deletions, call, repository, digest, std::nullopt);
    return {};
  }
  for (const std::string& tag : (*image)->tags) deleted(deletions, call, repository, digest, tag);
  return {};
}

}  // namespace

Result<EcrOutput> batch_delete_image(EcrServices& services, const EcrCall& call, std::string_view body) {
  Result<EcrJsonInput> input = EcrJsonInput::parse(body, {"registryId", "repositoryName", "imageIds"});
  if (!input) return std::move(input).error();
  Result<std::string> repository = open_repository(services, call, *input, kAction);
  if (!repository) return std::move(repository).error();
  Result<std::optional<std::vector<ImageId>>> ids = read_image_ids(*input, 1, kMaxImageIds);
  if (!ids) return std::move(ids).error();
  if (!ids->has_value()) return input->invalid("imageIds", "Member must not be null");

  Deletions deletions;
  for (const ImageId& id : **ids) BERTH_TRY(delete_one(services, call, *repository, id, deletions));
  return EcrOutput{nlohmann::json{{"imageIds", std::move(deletions.image_ids)},
                                  {"failures", std::move(deletions.failures)}},
                   std::move(deletions.events)};
}

}  // namespace berth::aws

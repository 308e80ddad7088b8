#include "aws/ecr_batch_get_image.hpp"

#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

#include "aws/ecr_image_ids.hpp"
#include "registry/pull_record.hpp"

namespace berth::aws {
namespace {

constexpr std::size_t kMaxImageIds = 100;
constexpr std::size_t kMaxMediaTypes = 100;

nlohmann::json failure_json(const ImageId& id, std::string_view code, std::string_view reason) {
  return nlohmann::json{{"imageId", id.to_json()}, {"failureCode", code}, {"failureReason", reason}};
}

}  // namespace

Result<nlohmann::json> batch_get_image(EcrServices& services, const EcrCall& call, std::string_view body) {
  Result<EcrJsonInput> input =
      EcrJsonInput::parse(body, {"registryId", "repositoryName", "imageIds", "acceptedMediaTypes"});
  if (!input) return std::move(input).error();
  Result<std::string> repository = open_repository(services, call, *input, "ecr:BatchGetImage");
  if (!repository) return std::move(repository).error();
  Result<std::optional<std::vector<ImageId>>> ids = read_image_ids(*input, 1, kMaxImageIds);
  if (!ids) return std::move(ids).error();
  if (!ids->has_value()) return input->invalid("imageIds", "Member must not be null");
  Result<std::optional<std::vector<std::string>>> accepted = input->strings("acceptedMediaTypes", 1, kMaxMediaTypes);
  if (!accepted) return std::move(accepted).error();

  const std::int64_t now = std::chrono::floor<std::chrono::seconds>(call.now).time_since_epoch().count();
  nlohmann::json images = nlohmann::json::array();
  nlohmann::json failures = nlohmann::json::array();
  for (const ImageId& id : **ids) {
    Result<std::variant<Digest, ImageFailure>> resolved = resolve_image_id(services.metadata, *repository, id);
    if (!resolved) return std::move(resolved).error();
    if (const auto* failure = std::get_if<ImageFailure>(&*resolved)) {
      failures.push_back(failure_json(id, failure->code, failure->reason));
      continue;
    }
    const Digest& digest = std::get<Digest>(*resolved);
    Result<std::optional<metadata::ManifestRecord>> manifest = services.metadata.get_manifest(*repository, digest);
    if (!manifest) return std::move(manifest).error();
    if (!manifest->has_value()) {
      failures.push_back(failure_json(id, "ImageNotFound", "Requested image not found"));
      continue;
    }
    const metadata::ManifestRecord& record = **manifest;
    if (accepted->has_value() &&
        std::find((*accepted)->begin(), (*accepted)->end(), record.media_type) == (*accepted)->end()) {
      failures.push_back(failure_json(
          id, "ImageNotFound", "Requested image not found in the accepted media types; it is " + record.media_type));
      continue;
    }
    if (registry::pull_record_due(record, now)) registry::record_pull(services.metadata, record, now);
    ImageId found{digest.str(), id.tag};
    images.push_back(nlohmann::json{{"registryId", services.options.account.account_id},
                                    {"repositoryName", *repository},
                                    {"imageId", found.to_json()},
                                    {"imageManifest", record.content},
                                    {"imageManifestMediaType", record.media_type}});
  }
  return nlohmann::json{{"images", std::move(images)}, {"failures", std::move(failures)}};
}

}  // namespace berth::aws

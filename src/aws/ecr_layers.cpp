#include "aws/ecr_layers.hpp"

#include <string>
#include <vector>

#include "auth/download_grant.hpp"
#include "common/digest.hpp"

namespace berth::aws {
namespace {

constexpr std::size_t kMaxLayerDigests = 100;

nlohmann::json layer_failure(std::string_view digest, std::string_view code, std::string_view reason) {
  return nlohmann::json{{"layerDigest", digest}, {"failureCode", code}, {"failureReason", reason}};
}

// The size of a layer `repository` holds with its bytes in place, or nullopt.
Result<std::optional<std::uint64_t>> available_layer(EcrServices& services, std::string_view repository,
                                                     const Digest& digest) {
  Result<std::optional<std::uint64_t>> linked =
      services.metadata.linked_blob_for_reuse(repository, digest, services.options.reuse_mark_interval);
  if (!linked || !*linked) return linked;
  return services.blobs.stat(digest);
}

}  // namespace

Result<nlohmann::json> batch_check_layer_availability(EcrServices& services, const EcrCall& call,
                                                      std::string_view body) {
  Result<EcrJsonInput> input = EcrJsonInput::parse(body, {"registryId", "repositoryName", "layerDigests"});
  if (!input) return std::move(input).error();
  Result<std::string> repository = open_repository(services, call, *input, "ecr:BatchCheckLayerAvailability");
  if (!repository) return std::move(repository).error();
  Result<std::optional<std::vector<std::string>>> digests = input->strings("layerDigests", 1, kMaxLayerDigests);
  if (!digests) return std::move(digests).error();
  if (!digests->has_value()) return input->invalid("layerDigests", "Member must not be null");

  nlohmann::json layers = nlohmann::json::array();
  nlohmann::json failures = nlohmann::json::array();
  for (const std::string& text : **digests) {
    Result<Digest> digest = Digest::parse(text);
    if (!digest) {
      failures.push_back(layer_failure(text, "InvalidLayerDigest", "Invalid layer digest"));
      continue;
    }
    Result<std::optional<std::uint64_t>> size = available_layer(services, *repository, *digest);
    if (!size) return std::move(size).error();
    if (!*size) {
      failures.push_back(layer_failure(text, "MissingLayerDigest", "Could not find layer"));
      continue;
    }
    layers.push_back(nlohmann::json{{"layerDigest", text}, {"layerAvailability", "AVAILABLE"}, {"layerSize", **size}});
  }
  return nlohmann::json{{"layers", std::move(layers)}, {"failures", std::move(failures)}};
}

Result<nlohmann::json> get_download_url_for_layer(EcrServices& services, const EcrCall& call, std::string_view body) {
  Result<EcrJsonInput> input = EcrJsonInput::parse(body, {"registryId", "repositoryName", "layerDigest"});
  if (!input) return std::move(input).error();
  Result<std::string> repository = open_repository(services, call, *input, "ecr:GetDownloadUrlForLayer");
  if (!repository) return std::move(repository).error();
  Result<std::string> text = input->required_string("layerDigest");
  if (!text) return std::move(text).error();
  Result<Digest> digest = Digest::parse(*text);
  if (!digest) return input->invalid("layerDigest", "Member must be a digest such as sha256:<64 hex digits>");

  Result<std::optional<std::uint64_t>> linked = services.metadata.linked_blob(*repository, *digest);
  if (!linked) return std::move(linked).error();
  if (!*linked) {
    return make_error(ErrorCode::aws_layers_not_found, "The layer " + digest->str() +
                                                           " does not exist in the repository with name '" +
                                                           *repository + "'");
  }
  const auto expires = std::chrono::floor<std::chrono::seconds>(call.now + services.options.download_url_lifetime);
  Result<std::string> grant =
      auth::seal_download_grant(services.keys, *repository, digest->str(), expires.time_since_epoch().count());
  if (!grant) return std::move(grant).error();
  const std::string url = services.options.public_url + "/v2/" + *repository + "/blobs/" + digest->str() + "?" +
                          std::string(auth::kDownloadGrantParameter) + "=" + *grant;
  return nlohmann::json{{"downloadUrl", url}, {"layerDigest", digest->str()}};
}

}  // namespace berth::aws

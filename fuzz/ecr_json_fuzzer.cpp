// ECR JSON 1.1 request bodies (aws/ecr_json_input), read as the Describe*/List*/BatchGetImage
// operations read them: every accessor is driven, and its bounds checked on what it accepts.
#include "aws/ecr_json_input.hpp"
#include "fuzz_input.hpp"

using berth::fuzz::check;
using berth::aws::EcrJsonInput;

namespace {

void read_image_ids(const EcrJsonInput& input) {
  const auto ids = input.objects("imageIds", {"imageDigest", "imageTag"}, 1, 100);
  if (!ids || !*ids) return;
  check((*ids)->size() >= 1 && (*ids)->size() <= 100, "imageIds outside 1..100 items");
  for (const auto& id : **ids) {
    (void)id.string("imageDigest");
    (void)id.string("imageTag");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto input = EcrJsonInput::parse(
      std::string_view(reinterpret_cast<const char*>(data), size),
      {"registryId", "repositoryName", "repositoryNames", "imageIds", "maxResults", "nextToken", "filter",
       "acceptedMediaTypes"});
  if (!input) {
    check(input.error().code == berth::ErrorCode::aws_validation_error, "refusal other than a validation error");
    return 0;
  }
  (void)input->string("registryId");
  (void)input->required_string("repositoryName");
  (void)input->string("nextToken");
  if (const auto max = input->integer("maxResults", 1, 1000); max && *max) {
    check(**max >= 1 && **max <= 1000, "maxResults outside 1..1000");
  }
  if (const auto names = input->strings("repositoryNames", 1, 100); names && *names) {
    check((*names)->size() >= 1 && (*names)->size() <= 100, "repositoryNames outside 1..100 items");
  }
  (void)input->strings("acceptedMediaTypes", 1, 100);
  read_image_ids(*input);
  if (const auto filter = input->object("filter", {"tagStatus"}); filter && *filter) {
    (void)(*filter)->string("tagStatus");
  }
  return 0;
}

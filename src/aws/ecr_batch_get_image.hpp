// ECR BatchGetImage (ecr:BatchGetImage, interfaces.md §6.3): the stored manifests of 1–100 image
// identifiers, byte-exact as pushed. An identifier that names no image, or only a manifest of a
// media type outside `acceptedMediaTypes`, is an entry in `failures`, not an exception; berth never
// converts a manifest to another media type.
#pragma once

#include <string_view>

#include "aws/ecr_operation.hpp"

namespace berth::aws {

Result<nlohmann::json> batch_get_image(EcrServices& services, const EcrCall& call, std::string_view body);

}  // namespace berth::aws

// The ECR image listings (interfaces.md §6.3), in digest order:
//   DescribeImages (ecr:DescribeImages): `imageDetails`, named by `imageIds` (1–100; an unknown one
//     is ImageNotFoundException) or paged. `imageSizeInBytes` is the sum of the blobs the manifest
//     references; for an index, the largest of its manifests', as ECR reports manifest lists.
//   ListImages (ecr:ListImages): `imageIds`, one entry per tag (`{imageDigest, imageTag}`) and one
//     `{imageDigest}` per untagged image, paged by entry.
// Both take `filter {tagStatus: TAGGED|UNTAGGED|ANY, imageStatus}`. Berth archives nothing, so
// imageStatus ARCHIVED or ACTIVATING selects no image.
#pragma once

#include <string_view>

#include "aws/ecr_operation.hpp"

namespace berth::aws {

Result<nlohmann::json> describe_images(EcrServices& services, const EcrCall& call, std::string_view body);
Result<nlohmann::json> list_images(EcrServices& services, const EcrCall& call, std::string_view body);

}  // namespace berth::aws

// ECR BatchDeleteImage (ecr:BatchDeleteImage, interfaces.md §6.3) on the store the registry API
// serves, so an image deleted here is gone from /v2/ too. By tag: the tag goes, and the image with
// it when that was its last tag. By digest: the image and every tag on it. With both, the tag must
// name the digest and is deleted as a tag. An identifier that deletes nothing is an entry in
// `failures`; `imageIds` lists what was deleted, one entry per tag removed (digest and tag), or
// the digest alone for an untagged image. Each deletion is audited.
#pragma once

#include <string_view>

#include "aws/ecr_operation.hpp"

namespace berth::aws {

Result<EcrOutput> batch_delete_image(EcrServices& services, const EcrCall& call, std::string_view body);

}  // namespace berth::aws

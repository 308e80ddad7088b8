// ECR's PutImage (interfaces.md §6.3): a manifest pushed through the API, stored by the same
// registry::publish_manifest as a manifest PUT, so an image put here pulls with docker and obeys the
// repository's tag mutability. Authorised as ecr:PutImage on the repository and audited.
//
// ECR's refusals: ImageAlreadyExistsException (the digest, with this tag when one is given, is
// already there; nothing changes), ImageDigestDoesNotMatchException, LayersNotFoundException (a
// blob the manifest describes is not in the repository), ReferencedImagesNotFoundException (an
// index entry is not), ImageTagAlreadyExistsException (an immutable tag), InvalidParameterException
// (not an acceptable manifest, or a descriptor's size is wrong).
#pragma once

#include <string_view>

#include "aws/ecr_operation.hpp"

namespace berth::aws {

Result<EcrOutput> put_image(EcrServices& services, const EcrCall& call, std::string_view body);

}  // namespace berth::aws

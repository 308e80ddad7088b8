// ECR's layer upload operations (interfaces.md §6.3): InitiateLayerUpload opens an upload session,
// UploadLayerPart appends a part (base64 in the JSON body, each starting where the upload ends),
// CompleteLayerUpload publishes the bytes as the layer once they hash to the digest given. They
// are the registry's upload sessions (registry/upload_session.hpp), so a layer uploaded here is a
// blob the registry serves, and garbage collection purges a session abandoned here like any other.
// Authorised per repository as ecr:InitiateLayerUpload, ecr:UploadLayerPart and
// ecr:CompleteLayerUpload.
//
// Parts may be of any size up to ECR's 20 MiB: berth stores to a file, so it has no use for S3's
// 5 MiB minimum, and accepting smaller parts lets a client send a small layer in one part.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string_view>

#include "aws/ecr_operation.hpp"

namespace berth::aws {

// The part size InitiateLayerUpload advises: ECR's maximum layer part size quota.
inline constexpr std::int64_t kAdvisedLayerPartSize = 10 * 1024 * 1024;

Result<nlohmann::json> initiate_layer_upload(EcrServices& services, const EcrCall& call, std::string_view body);
Result<nlohmann::json> upload_layer_part(EcrServices& services, const EcrCall& call, std::string_view body);
Result<nlohmann::json> complete_layer_upload(EcrServices& services, const EcrCall& call, std::string_view body);

}  // namespace berth::aws

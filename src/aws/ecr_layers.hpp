// ECR's layer reads (interfaces.md §6.3): BatchCheckLayerAvailability (which layers a repository
// already holds, so a client pushing through the API uploads only the others) and
// GetDownloadUrlForLayer (a short-lived URL to one layer that works without other credentials:
// auth/download_grant.hpp; the registry serves it). Authorised per repository as
// ecr:BatchCheckLayerAvailability and ecr:GetDownloadUrlForLayer.
#pragma once

#include <nlohmann/json.hpp>

#include <string_view>

#include "aws/ecr_operation.hpp"

namespace berth::aws {

// A layer found counts as used for garbage collection, as a registry HEAD does: the client is
// about to reference it.
Result<nlohmann::json> batch_check_layer_availability(EcrServices& services, const EcrCall& call,
                                                      std::string_view body);
Result<nlohmann::json> get_download_url_for_layer(EcrServices& services, const EcrCall& call, std::string_view body);

}  // namespace berth::aws

// ECR lifecycle policy operations (interfaces.md §6.3, §6.4), each authorised per repository with
// its IAM action (ecr:PutLifecyclePolicy, ...):
//   PutLifecyclePolicy / GetLifecyclePolicy / DeleteLifecyclePolicy: the repository's one policy,
//     which `berth lifecycle run` and the schedule in `berth serve` apply (lifecycle_runner.hpp).
//     Get and Delete report when the runner last evaluated it as `lastEvaluatedAt`.
//   StartLifecyclePolicyPreview: evaluates the given policy (else the stored one) over the
//     repository's images at once and keeps the result, deleting nothing; the preview is therefore
//     always COMPLETE.
//   GetLifecyclePolicyPreview: the kept result, oldest push first, filtered by `imageIds` or
//     `filter.tagStatus` and paged by `maxResults`/`nextToken`.
// Policy text is validated with ECR's grammar (lifecycle_policy.hpp): a length outside 100–30720
// characters is ValidationException, anything else invalid InvalidParameterException.
#pragma once

#include <string_view>

#include "aws/ecr_operation.hpp"

namespace berth::aws {

Result<EcrOutput> put_lifecycle_policy(EcrServices& services, const EcrCall& call, std::string_view body);
Result<nlohmann::json> get_lifecycle_policy(EcrServices& services, const EcrCall& call, std::string_view body);
Result<EcrOutput> delete_lifecycle_policy(EcrServices& services, const EcrCall& call, std::string_view body);
Result<nlohmann::json> start_lifecycle_policy_preview(EcrServices& services, const EcrCall& call,
                                                      std::string_view body);
Result<nlohmann::json> get_lifecycle_policy_preview(EcrServices& services, const EcrCall& call,
                                                    std::string_view body);

}  // namespace berth::aws

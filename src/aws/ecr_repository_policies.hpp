// ECR's repository policies: SetRepositoryPolicy, GetRepositoryPolicy and DeleteRepositoryPolicy
// (interfaces.md §6.3), each authorised per repository with its `ecr:` action and audited when it
// changes something.
//
// A repository policy is a resource-based IAM policy naming AWS principals (auth/iam_policy.hpp,
// PolicyKind::repository). It is enforced wherever the repository is authorised, the registry and
// the ECR API alike (auth/role_permissions.hpp): a statement can grant another role pull or push,
// or deny. As in ECR, a policy that would stop the caller from setting the next one is refused
// unless `force` is given.
#pragma once

#include <nlohmann/json.hpp>

#include <string_view>

#include "aws/ecr_operation.hpp"

namespace berth::aws {

Result<EcrOutput> set_repository_policy(EcrServices& services, const EcrCall& call, std::string_view body);
Result<nlohmann::json> get_repository_policy(EcrServices& services, const EcrCall& call, std::string_view body);
Result<EcrOutput> delete_repository_policy(EcrServices& services, const EcrCall& call, std::string_view body);

}  // namespace berth::aws

// ECR DescribeRepositories (interfaces.md §6.2, §6.3): the repositories the caller may
// ecr:DescribeRepositories, either named (`repositoryNames`, 1–100) or listed in name order with
// `maxResults`/`nextToken`. A named repository the caller may not describe is AccessDeniedException;
// one that does not exist is RepositoryNotFoundException; a listing silently leaves out what the
// caller may not see.
//
// Repositories report their stored settings (metadata::RepositorySettings); encryption is always
// ECR's default, AES256, as berth encrypts nothing itself.
#pragma once

#include <string_view>

#include "metadata/metadata_store.hpp"

#include "aws/ecr_operation.hpp"

namespace berth::aws {

// ECR's `Repository` shape for a stored repository.
nlohmann::json repository_json(const EcrServices& services, const metadata::RepositoryRecord& repository);

// `[{filterType: "WILDCARD", filter}]`, ECR's `imageTagMutabilityExclusionFilters`.
nlohmann::json exclusion_filters_json(const std::vector<std::string>& filters);

Result<nlohmann::json> describe_repositories(EcrServices& services, const EcrCall& call, std::string_view body);

// `public_url` without its scheme: how image references name this registry ("registry.example:5000").
std::string registry_host(std::string_view public_url);

}  // namespace berth::aws

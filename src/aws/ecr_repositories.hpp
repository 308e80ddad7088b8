// ECR DescribeRepositories (interfaces.md §6.2, §6.3): the repositories the caller may
// ecr:DescribeRepositories, either named (`repositoryNames`, 1–100) or listed in name order with
// `maxResults`/`nextToken`. A named repository the caller may not describe is AccessDeniedException;
// one that does not exist is RepositoryNotFoundException; a listing silently leaves out what the
// caller may not see.
//
// Berth repositories have no per-repository settings yet, so every one reports ECR's defaults:
// MUTABLE tags, no scan on push, AES256 encryption. `createdAt` is left out: the MetadataStore
// does not expose a repository's creation time.
#pragma once

#include <string_view>

#include "aws/ecr_operation.hpp"

namespace berth::aws {

Result<nlohmann::json> describe_repositories(EcrServices& services, const EcrCall& call, std::string_view body);

// `public_url` without its scheme: how image references name this registry ("registry.example:5000").
std::string registry_host(std::string_view public_url);

}  // namespace berth::aws

// ECR's repository control plane (interfaces.md §6.3): CreateRepository, DeleteRepository,
// PutImageTagMutability and PutImageScanningConfiguration, each authorised per repository (ecr:CreateRepository, ...) and audited.
//
// Settings are stored through the MetadataStore (metadata::RepositorySettings); the registry's
// manifest PUT enforces the tag mutability (registry/tag_mutability.hpp). Encryption is accepted
// only as ECR's default, AES256: berth holds no KMS keys. Deleting a repository removes its
// metadata; the blob bytes it alone referenced are left to garbage collection.
#pragma once

#include <string_view>

#include "aws/ecr_operation.hpp"

namespace berth::aws {

Result<EcrOutput> create_repository(EcrServices& services, const EcrCall& call, std::string_view body);
Result<EcrOutput> delete_repository(EcrServices& services, const EcrCall& call, std::string_view body);
Result<EcrOutput> put_image_tag_mutability(EcrServices& services, const EcrCall& call, std::string_view body);
// Berth scans nothing: the setting is kept and reported, as DescribeRepositories shows it.
Result<EcrOutput> put_image_scanning_configuration(EcrServices& services, const EcrCall& call,
                                                   std::string_view body);

}  // namespace berth::aws

// ECR resource tags on repositories (interfaces.md §6.2, §6.3): TagResource, UntagResource and
// ListTagsForResource, each authorised with its IAM action on the repository the `resourceArn`
// names (`arn:aws:ecr:<region>:<account>:repository/<name>`; any other ARN is
// InvalidParameterException). The tags live in the repository's settings
// (metadata::RepositorySettings::tags), which CreateRepository sets too.
//
// Limits: at most 50 tags on a repository after the change (TooManyTagsException); keys 1–128 and
// values up to 256 characters, keys not starting with `aws:` (InvalidTagParameterException).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "aws/ecr_operation.hpp"

namespace berth::aws {

using ResourceTags = std::vector<std::pair<std::string, std::string>>;

// The `tags` member (`[{Key, Value}]`) of `input`, checked; empty when absent.
Result<ResourceTags> read_resource_tags(const EcrJsonInput& input);

Result<EcrOutput> tag_resource(EcrServices& services, const EcrCall& call, std::string_view body);
Result<EcrOutput> untag_resource(EcrServices& services, const EcrCall& call, std::string_view body);
Result<nlohmann::json> list_tags_for_resource(EcrServices& services, const EcrCall& call, std::string_view body);

}  // namespace berth::aws

#include "aws/ecr_resource_tags.hpp"

#include <algorithm>
#include <limits>
#include <set>

namespace berth::aws {
namespace {

constexpr std::size_t kMaxTags = 50;  // ECR's quota of resource tags per repository
constexpr std::size_t kMaxTagKey = 128;
constexpr std::size_t kMaxTagValue = 256;
constexpr std::size_t kMaxTagKeys = 200;  // UntagResource's model limit

Error invalid_tag(std::string message) { return make_error(ErrorCode::aws_invalid_tag_parameter, std::move(message)); }

Error too_many_tags() { return make_error(ErrorCode::aws_too_many_tags, "A repository can have at most 50 tags"); }

Status check_tag_key(const std::string& key) {
  if (key.empty() || key.size() > kMaxTagKey) return invalid_tag("Tag keys must have length between 1 and 128");
  if (key.starts_with("aws:")) return invalid_tag("Tag keys starting with 'aws:' are reserved for AWS use");
  return {};
}

// The repository `resourceArn` names, once `action` is allowed on it and it exists.
Result<std::string> open_resource(EcrServices& services, const EcrCall& call, const EcrJsonInput& input,
                                  std::string_view action) {
  Result<std::string> arn = input.required_string("resourceArn");
  if (!arn) return std::move(arn).error();
  const std::string prefix = services.permissions.repository_arn("");
  if (!arn->starts_with(prefix)) {
    return input.invalid("resourceArn", "Member must be the ARN of a repository of this registry, " + prefix + "<name>");
  }
  const std::string name = arn->substr(prefix.size());
  BERTH_TRY(check_repository_name(input, "resourceArn", name));
  BERTH_TRY(authorize(services, call, action, *arn));
  Result<bool> exists = services.metadata.repository_exists(name);
  if (!exists) return std::move(exists).error();
  if (!*exists) return repository_not_found(services, name);
  return name;
}

// Applies `change` to the repository's tags in one transaction.
Result<EcrOutput> change_tags(EcrServices& services, const EcrCall& call, const std::string& name,
                              std::string action, const std::function<Status(ResourceTags&)>& change) {
  Result<std::optional<metadata::RepositorySettings>> updated = services.metadata.update_repository_settings(
      name, [&](metadata::RepositorySettings& settings) { return change(settings.tags); });
  if (!updated) return std::move(updated).error();
  // Deleted by another call since it was opened.
  if (!updated->has_value()) return repository_not_found(services, name);
  return EcrOutput{nlohmann::json::object(), {change_event(call, std::move(action), name)}};
}

}  // namespace

Result<ResourceTags> read_resource_tags(const EcrJsonInput& input) {
  Result<std::optional<std::vector<EcrJsonInput>>> entries =
      input.objects("tags", {"Key", "Value"}, 0, std::numeric_limits<std::size_t>::max());
  if (!entries) return std::move(entries).error();
  ResourceTags tags;
  if (!entries->has_value()) return tags;
  if ((*entries)->size() > kMaxTags) return too_many_tags();
  std::set<std::string, std::less<>> keys;
  for (const EcrJsonInput& entry : **entries) {
    Result<std::string> key = entry.required_string("Key");
    if (!key) return invalid_tag(key.error().message);
    Result<std::string> value = entry.required_string("Value");
    if (!value) return invalid_tag(value.error().message);
    BERTH_TRY(check_tag_key(*key));
    if (value->size() > kMaxTagValue) return invalid_tag("Tag values must have length at most 256");
    if (!keys.insert(*key).second) return invalid_tag("Tag key '" + *key + "' is given more than once");
    tags.emplace_back(std::move(*key), std::move(*value));
  }
  return tags;
}

Result<EcrOutput> tag_resource(EcrServices& services, const EcrCall& call, std::string_view body) {
  Result<EcrJsonInput> input = EcrJsonInput::parse(body, {"resourceArn", "tags"});
  if (!input) return std::move(input).error();
  Result<std::string> name = open_resource(services, call, *input, "ecr:TagResource");
  if (!name) return std::move(name).error();
  if (!input->has("tags")) return input->invalid("tags", "Member must not be null");
  Result<ResourceTags> tags = read_resource_tags(*input);
  if (!tags) return std::move(tags).error();
  return change_tags(services, call, *name, "ecr:TagResource", [&](ResourceTags& current) -> Status {
    for (const auto& [key, value] : *tags) {
      auto existing = std::find_if(current.begin(), current.end(), [&](const auto& tag) { return tag.first == key; });
      if (existing != current.end()) {
        existing->second = value;
      } else {
        current.emplace_back(key, value);
      }
    }
    if (current.size() > kMaxTags) return too_many_tags();
    return {};
  });
}

Result<EcrOutput> untag_resource(EcrServices& services, const EcrCall& call, std::string_view body) {
  Result<EcrJsonInput> input = EcrJsonInput::parse(body, {"resourceArn", "tagKeys"});
  if (!input) return std::move(input).error();
  Result<std::string> name = open_resource(services, call, *input, "ecr:UntagResource");
  if (!name) return std::move(name).error();
  Result<std::optional<std::vector<std::string>>> keys = input->strings("tagKeys", 0, kMaxTagKeys);
  if (!keys) return std::move(keys).error();
  if (!keys->has_value()) return input->invalid("tagKeys", "Member must not be null");
  for (const std::string& key : **keys) BERTH_TRY(check_tag_key(key));
  return change_tags(services, call, *name, "ecr:UntagResource", [&](ResourceTags& current) -> Status {
    std::erase_if(current, [&](const auto& tag) {
      return std::find((*keys)->begin(), (*keys)->end(), tag.first) != (*keys)->end();
    });
    return {};
  });
}

Result<nlohmann::json> list_tags_for_resource(EcrServices& services, const EcrCall& call, std::string_view body) {
  Result<EcrJsonInput> input = EcrJsonInput::parse(body, {"resourceArn"});
  if (!input) return std::move(input).error();
  Result<std::string> name = open_resource(services, call, *input, "ecr:ListTagsForResource");
  if (!name) return std::move(name).error();
  Result<std::optional<metadata::RepositoryRecord>> repository = services.metadata.get_repository(*name);
  if (!repository) return std::move(repository).error();
  if (!repository->has_value()) return repository_not_found(services, *name);
  nlohmann::json tags = nlohmann::json::array();
  for (const auto& [key, value] : (*repository)->settings.tags) tags.push_back({{"Key", key}, {"Value", value}});
  return nlohmann::json{{"tags", std::move(tags)}};
}

}  // namespace berth::aws

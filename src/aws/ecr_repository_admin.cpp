#include "aws/ecr_repository_admin.hpp"

#include <string>
#include <vector>

#include "aws/ecr_repositories.hpp"
#include "aws/ecr_resource_tags.hpp"
#include "metadata/tag_mutability_setting.hpp"

namespace berth::aws {
namespace {

Result<std::vector<std::string>> read_exclusion_filters(const EcrJsonInput& input) {
  Result<std::optional<std::vector<EcrJsonInput>>> entries =
      input.objects("imageTagMutabilityExclusionFilters", {"filterType", "filter"}, 1, metadata::kMaxExclusionFilters);
  if (!entries) return std::move(entries).error();
  std::vector<std::string> filters;
  if (!entries->has_value()) return filters;
  for (const EcrJsonInput& entry : **entries) {
    Result<std::string> type = entry.required_string("filterType");
    if (!type) return std::move(type).error();
    if (*type != "WILDCARD") return entry.invalid("filterType", "Member must satisfy enum value set: [WILDCARD]");
    Result<std::string> filter = entry.required_string("filter");
    if (!filter) return std::move(filter).error();
    if (Status checked = metadata::check_exclusion_filter(*filter); !checked) {
      return entry.invalid("filter", "Member " + checked.error().message);
    }
    filters.push_back(std::move(*filter));
  }
  return filters;
}

// `imageTagMutability` and its exclusion filters, which the *_WITH_EXCLUSION modes need and the
// others refuse; nullopt when neither is given.
Result<std::optional<metadata::TagMutabilitySetting>> read_tag_mutability(const EcrJsonInput& input) {
  Result<std::optional<std::string>> name = input.string("imageTagMutability");
  if (!name) return std::move(name).error();
  Result<std::vector<std::string>> filters = read_exclusion_filters(input);
  if (!filters) return std::move(filters).error();
  if (!name->has_value()) {
    if (!filters->empty()) {
      return input.invalid("imageTagMutabilityExclusionFilters", "Member requires an imageTagMutability with exclusion");
    }
    return std::optional<metadata::TagMutabilitySetting>();
  }
  const std::optional<metadata::TagMutability> named = metadata::tag_mutability_named(**name);
  if (!named) {
    return input.invalid("imageTagMutability",
                         "Member must satisfy enum value set: [MUTABLE, IMMUTABLE, IMMUTABLE_WITH_EXCLUSION, "
                         "MUTABLE_WITH_EXCLUSION]");
  }
  if (Status counted = metadata::check_exclusion_filter_count(*named, filters->size()); !counted) {
    return input.invalid("imageTagMutabilityExclusionFilters", "Member " + counted.error().message);
  }
  return std::optional<metadata::TagMutabilitySetting>(metadata::TagMutabilitySetting{*named, std::move(*filters)});
}

// `imageScanningConfiguration.scanOnPush`, false when absent; nullopt without the configuration.
Result<std::optional<bool>> read_scan_on_push(const EcrJsonInput& input) {
  Result<std::optional<EcrJsonInput>> scanning = input.object("imageScanningConfiguration", {"scanOnPush"});
  if (!scanning) return std::move(scanning).error();
  if (!scanning->has_value()) return std::optional<bool>();
  Result<std::optional<bool>> scan_on_push = (*scanning)->boolean("scanOnPush");
  if (!scan_on_push) return std::move(scan_on_push).error();
  return std::optional<bool>(scan_on_push->value_or(false));
}

Status check_encryption(const EcrJsonInput& input) {
  Result<std::optional<EcrJsonInput>> encryption =
      input.object("encryptionConfiguration", {"encryptionType", "kmsKey"});
  if (!encryption) return std::move(encryption).error();
  if (!encryption->has_value()) return {};
  Result<std::string> type = (*encryption)->required_string("encryptionType");
  if (!type) return std::move(type).error();
  if (*type == "KMS" || *type == "KMS_DSSE") {
    return (*encryption)->invalid("encryptionType", "Member must be AES256: this registry holds no KMS keys");
  }
  if (*type != "AES256") {
    return (*encryption)->invalid("encryptionType", "Member must satisfy enum value set: [AES256, KMS, KMS_DSSE]");
  }
  if ((*encryption)->has("kmsKey")) return (*encryption)->invalid("kmsKey", "Member is only allowed with KMS");
  return {};
}

Result<metadata::RepositoryRecord> stored_repository(EcrServices& services, const std::string& name) {
  Result<std::optional<metadata::RepositoryRecord>> repository = services.metadata.get_repository(name);
  if (!repository) return std::move(repository).error();
  if (!repository->has_value()) return repository_not_found(services, name);
  return std::move(**repository);
}

}  // namespace

Result<EcrOutput> create_repository(EcrServices& services, const EcrCall& call, std::string_view body) {
  Result<EcrJsonInput> input =
      EcrJsonInput::parse(body, {"registryId", "repositoryName", "tags", "imageTagMutability",
                                 "imageTagMutabilityExclusionFilters", "imageScanningConfiguration",
                                 "encryptionConfiguration"});
  if (!input) return std::move(input).error();
  Result<std::string> name = authorized_repository_name(services, call, *input, "ecr:CreateRepository");
  if (!name) return std::move(name).error();
  metadata::RepositorySettings settings;
  Result<std::optional<metadata::TagMutabilitySetting>> mutability = read_tag_mutability(*input);
  if (!mutability) return std::move(mutability).error();
  if (mutability->has_value()) {
    settings.tag_mutability = (*mutability)->mutability;
    settings.tag_mutability_exclusions = std::move((*mutability)->exclusions);
  }
  Result<std::optional<bool>> scan_on_push = read_scan_on_push(*input);
  if (!scan_on_push) return std::move(scan_on_push).error();
  settings.scan_on_push = scan_on_push->value_or(false);
  BERTH_TRY(check_encryption(*input));
  Result<ResourceTags> tags = read_resource_tags(*input);
  if (!tags) return std::move(tags).error();
  settings.tags = std::move(*tags);

  Result<bool> added = services.metadata.add_repository(*name, settings);
  if (!added) return std::move(added).error();
  if (!*added) {
    return make_error(ErrorCode::aws_repository_already_exists,
                      "The repository with name '" + *name + "' already exists in the registry with id '" +
                          services.options.account.account_id + "'");
  }
  Result<metadata::RepositoryRecord> repository = stored_repository(services, *name);
  if (!repository) return std::move(repository).error();
  return EcrOutput{nlohmann::json{{"repository", repository_json(services, *repository)}},
                   {change_event(call, "ecr:CreateRepository", *name)}};
}

Result<EcrOutput> delete_repository(EcrServices& services, const EcrCall& call, std::string_view body) {
  Result<EcrJsonInput> input = EcrJsonInput::parse(body, {"registryId", "repositoryName", "force"});
  if (!input) return std::move(input).error();
  Result<std::string> name = authorized_repository_name(services, call, *input, "ecr:DeleteRepository");
  if (!name) return std::move(name).error();
  Result<std::optional<bool>> force = input->boolean("force");
  if (!force) return std::move(force).error();
  Result<metadata::RepositoryRecord> repository = stored_repository(services, *name);
  if (!repository) return std::move(repository).error();

  Status deleted = services.metadata.delete_repository(*name, force->value_or(false));
  if (!deleted) {
    if (deleted.error().code == ErrorCode::conflict) {
      return make_error(ErrorCode::aws_repository_not_empty,
                        "The repository with name '" + *name + "' in registry with id '" +
                            services.options.account.account_id +
                            "' cannot be deleted because it still contains images");
    }
    // Deleted by another call since it was read.
    if (deleted.error().code == ErrorCode::name_unknown) return repository_not_found(services, *name);
    return std::move(deleted).error();
  }
  return EcrOutput{nlohmann::json{{"repository", repository_json(services, *repository)}},
                   {change_event(call, "ecr:DeleteRepository", *name)}};
}

Result<EcrOutput> put_image_tag_mutability(EcrServices& services, const EcrCall& call, std::string_view body) {
  Result<EcrJsonInput> input = EcrJsonInput::parse(
      body, {"registryId", "repositoryName", "imageTagMutability", "imageTagMutabilityExclusionFilters"});
  if (!input) return std::move(input).error();
  Result<std::string> name = open_repository(services, call, *input, "ecr:PutImageTagMutability");
  if (!name) return std::move(name).error();
  Result<std::optional<metadata::TagMutabilitySetting>> setting = read_tag_mutability(*input);
  if (!setting) return std::move(setting).error();
  if (!setting->has_value()) return input->invalid("imageTagMutability", "Member must not be null");

  Result<bool> set = services.metadata.set_tag_mutability(*name, (*setting)->mutability, (*setting)->exclusions);
  if (!set) return std::move(set).error();
  if (!*set) return repository_not_found(services, *name);
  nlohmann::json output{{"registryId", services.options.account.account_id},
                        {"repositoryName", *name},
                        {"imageTagMutability", metadata::tag_mutability_name((*setting)->mutability)}};
  if (!(*setting)->exclusions.empty()) {
    output["imageTagMutabilityExclusionFilters"] = exclusion_filters_json((*setting)->exclusions);
  }
  metadata::AuditEvent event = change_event(call, "ecr:PutImageTagMutability", *name);
  event.reference = metadata::tag_mutability_name((*setting)->mutability);
  return EcrOutput{std::move(output), {std::move(event)}};
}

Result<EcrOutput> put_image_scanning_configuration(EcrServices& services, const EcrCall& call,
                                                   std::string_view body) {
  Result<EcrJsonInput> input =
      EcrJsonInput::parse(body, {"registryId", "repositoryName", "imageScanningConfiguration"});
  if (!input) return std::move(input).error();
  Result<std::string> name = open_repository(services, call, *input, "ecr:PutImageScanningConfiguration");
  if (!name) return std::move(name).error();
  Result<std::optional<bool>> scan_on_push = read_scan_on_push(*input);
  if (!scan_on_push) return std::move(scan_on_push).error();
  if (!scan_on_push->has_value()) return input->invalid("imageScanningConfiguration", "Member must not be null");

  Result<std::optional<metadata::RepositorySettings>> updated = services.metadata.update_repository_settings(
      *name, [&](metadata::RepositorySettings& settings) {
        settings.scan_on_push = **scan_on_push;
        return Status{};
      });
  if (!updated) return std::move(updated).error();
  if (!updated->has_value()) return repository_not_found(services, *name);
  return EcrOutput{nlohmann::json{{"registryId", services.options.account.account_id},
                                  {"repositoryName", *name},
                                  {"imageScanningConfiguration", {{"scanOnPush", **scan_on_push}}}},
                   {change_event(call, "ecr:PutImageScanningConfiguration", *name)}};
}

}  // namespace berth::aws

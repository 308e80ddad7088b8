#include "aws/ecr_repository_policies.hpp"

#include <optional>
#include <string>
#include <utility>

#include "auth/iam_policy.hpp"

namespace berth::aws {
namespace {

Error policy_not_found(const EcrServices& services, std::string_view repository) {
  return make_error(ErrorCode::aws_repository_policy_not_found,
                    "Repository policy does not exist for the repository with name '" + std::string(repository) +
                        "' in the registry with id '" + services.options.account.account_id + "'");
}

nlohmann::json policy_json(const EcrServices& services, std::string_view repository, std::string_view text) {
  return nlohmann::json{{"registryId", services.options.account.account_id},
                        {"repositoryName", repository},
                        {"policyText", text}};
}

// The policy text, parsed with IAM's grammar for a repository policy.
Result<auth::PolicyDocument> read_policy_text(const EcrJsonInput& input, std::string_view text) {
  if (text.size() > auth::kMaxRepositoryPolicyLength) {
    return input.invalid("policyText", "Member must have length less than or equal to 10240");
  }
  Result<auth::PolicyDocument> document = auth::parse_policy(text, auth::PolicyKind::repository);
  if (!document) {
    return input.invalid("policyText", "Invalid repository policy provided: " + document.error().message);
  }
  return document;
}

}  // namespace

Result<EcrOutput> set_repository_policy(EcrServices& services, const EcrCall& call, std::string_view body) {
  Result<EcrJsonInput> input = EcrJsonInput::parse(body, {"registryId", "repositoryName", "policyText", "force"});
  if (!input) return std::move(input).error();
  Result<std::string> name = open_repository(services, call, *input, "ecr:SetRepositoryPolicy");
  if (!name) return std::move(name).error();
  Result<std::string> text = input->required_string("policyText");
  if (!text) return std::move(text).error();
  Result<std::optional<bool>> force = input->boolean("force");
  if (!force) return std::move(force).error();
  Result<auth::PolicyDocument> document = read_policy_text(*input, *text);
  if (!document) return std::move(document).error();

  if (!force->value_or(false)) {
    Result<bool> still_allowed = services.permissions.allows_under(
        auth::session_view(call.session), "ecr:SetRepositoryPolicy", services.permissions.repository_arn(*name),
        *document);
    if (!still_allowed) return std::move(still_allowed).error();
    if (!*still_allowed) {
      return input->invalid("policyText",
                            "Invalid repository policy provided: it would prevent you from setting another policy "
                            "in the future; set force to apply it anyway");
    }
  }
  Result<std::optional<metadata::RepositorySettings>> updated = services.metadata.update_repository_settings(
      *name, [&](metadata::RepositorySettings& settings) {
        settings.policy = *text;
        return Status{};
      });
  if (!updated) return std::move(updated).error();
  if (!updated->has_value()) return repository_not_found(services, *name);
  return EcrOutput{policy_json(services, *name, *text), {change_event(call, "ecr:SetRepositoryPolicy", *name)}};
}

Result<nlohmann::json> get_repository_policy(EcrServices& services, const EcrCall& call, std::string_view body) {
  Result<EcrJsonInput> input = EcrJsonInput::parse(body, {"registryId", "repositoryName"});
  if (!input) return std::move(input).error();
  Result<std::string> name = open_repository(services, call, *input, "ecr:GetRepositoryPolicy");
  if (!name) return std::move(name).error();
  Result<std::optional<std::string>> policy = services.metadata.get_repository_policy(*name);
  if (!policy) return std::move(policy).error();
  if (!policy->has_value()) return policy_not_found(services, *name);
  return policy_json(services, *name, **policy);
}

Result<EcrOutput> delete_repository_policy(EcrServices& services, const EcrCall& call, std::string_view body) {
  Result<EcrJsonInput> input = EcrJsonInput::parse(body, {"registryId", "repositoryName"});
  if (!input) return std::move(input).error();
  Result<std::string> name = open_repository(services, call, *input, "ecr:DeleteRepositoryPolicy");
  if (!name) return std::move(name).error();
  std::optional<std::string> deleted;
  Result<std::optional<metadata::RepositorySettings>> updated = services.metadata.update_repository_settings(
      *name, [&](metadata::RepositorySettings& settings) -> Status {
        if (!settings.policy) return policy_not_found(services, *name);
        deleted = std::exchange(settings.policy, std::nullopt);
        return {};
      });
  if (!updated) return std::move(updated).error();
  if (!updated->has_value()) return repository_not_found(services, *name);
  return EcrOutput{policy_json(services, *name, *deleted), {change_event(call, "ecr:DeleteRepositoryPolicy", *name)}};
}

}  // namespace berth::aws

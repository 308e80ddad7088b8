#include "provision/desired_state_builder.hpp"

#include <algorithm>
#include <cctype>
#include <map>

#include <nlohmann/json.hpp>

#include "auth/iam_policy.hpp"
#include "auth/role_permissions.hpp"
#include "provision/ci_policies.hpp"
#include "provision/module_inputs.hpp"

namespace berth::provision {
namespace {

constexpr std::string_view kGithub = "github";
constexpr std::string_view kCircleci = "circleci";
// IAM's default MaxSessionDuration, which the module keeps.
constexpr std::int64_t kRoleSessionSeconds = 3600;

SourceRef source_ref(const hcl::Position& position) { return SourceRef{position.file, position.line, position.column}; }

std::map<std::string, std::string> tags_of(const ModuleInputs& module) {
  std::map<std::string, std::string> tags{{"owner", module.team_name}};
  const std::pair<const char*, const std::optional<std::string>*> optional_tags[] = {
      {"business-unit", &module.business_unit},       {"application", &module.application},
      {"is-production", &module.is_production},       {"namespace", &module.namespace_name},
      {"environment-name", &module.environment_name}, {"infrastructure-support", &module.infrastructure_support}};
  for (const auto& [key, value] : optional_tags) {
    if (*value) tags[key] = **value;
  }
  return tags;
}

Status check_policies(const DesiredRole& role) {
  if (!auth::parse_policy(role.trust_policy, auth::PolicyKind::trust)) {
    return make_error(ErrorCode::internal, "generated trust policy of role " + role.name + " does not parse");
  }
  for (const auto& policy : nlohmann::json::parse(role.policies)) {
    if (!auth::parse_policy(policy.dump(), auth::PolicyKind::permission)) {
      return make_error(ErrorCode::internal, "generated permission policy of role " + role.name + " does not parse");
    }
  }
  return {};
}

class Builder {
 public:
  Builder(const ProvisionSettings& settings, const GithubIdLookup& github_ids)
      : settings_(settings), github_ids_(github_ids), account_{settings.account_id, settings.region} {}

  Status add(const ModuleInputs& module) {
    state_.repositories.push_back(DesiredRepository{module.repository(), tags_of(module), module.lifecycle_policy,
                                                    module.deletion_protection, true, module.tag_mutability,
                                                    source_ref(module.position)});
    if (module.uses(kGithub) || module.uses(kCircleci))
      BERTH_TRY(require(module, settings_.github_owner, "github", "owner"));
    if (module.uses(kGithub)) BERTH_TRY(add_github(module));
    if (module.uses(kCircleci)) BERTH_TRY(add_circleci(module));
    return {};
  }

  DesiredState take(std::vector<std::string> skipped) {
    state_.skipped_modules = std::move(skipped);
    return std::move(state_);
  }

 private:
  Status require(const ModuleInputs& module, const std::string& value, const char* provider, const char* setting) {
    if (!value.empty()) return {};
    return hcl::error_at(module.position, "module \"" + module.label + "\" needs the server setting oidc_provider \"" +
                                              provider + "\" { " + setting + " = ... }");
  }

  Result<std::string> add_role(const ModuleInputs& module, std::string_view provider, std::string_view provider_name,
                               const std::vector<std::string>& subjects, std::string_view audience) {
    DesiredRole role{ci_role_name(module.repository(), provider),
                     trust_policy(settings_.account_id, provider_name, subjects, audience),
                     push_pull_policies(account_, module.repository()), kRoleSessionSeconds, module.repository()};
    if (role.trust_policy.size() > auth::kMaxTrustPolicyLength) {
      return hcl::error_at(module.position,
                           "module \"" + module.label + "\": the " + std::string(provider) + " trust policy would be " +
                               std::to_string(role.trust_policy.size()) + " characters, above IAM's limit of " +
                               std::to_string(auth::kMaxTrustPolicyLength) + "; list fewer github_repositories");
    }
    BERTH_TRY(check_policies(role));
    std::string arn = auth::role_arn(role.name, account_);
    state_.roles.push_back(std::move(role));
    return arn;
  }

  Status add_github(const ModuleInputs& module) {
    std::vector<std::string> subjects;
    for (const auto& repository : module.github_repositories) {
      subjects.push_back("repo:" + settings_.github_owner + "/" + repository + ":*");
      subjects.push_back(trust_of(repository).subject);
    }
    auto arn =
        add_role(module, kGithub, oidc_provider_name(settings_.github_issuer), subjects, settings_.github_audience);
    if (!arn) return std::move(arn).error();

    std::string prefix = module.github_actions_prefix;
    std::ranges::transform(prefix, prefix.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    const auto named = [&](const char* base) { return prefix.empty() ? std::string(base) : prefix + "_" + base; };
    for (const auto& repository : module.github_repositories) {
      std::vector<std::string> environments = module.github_environments;
      if (environments.empty()) environments.emplace_back();
      for (const auto& environment : environments) {
        const GithubScope scope{settings_.github_owner, repository, environment};
        BERTH_TRY(publish(module, GithubValue{scope, named("ECR_ROLE_TO_ASSUME"), *arn, true, module.repository()}));
        BERTH_TRY(
            publish(module, GithubValue{scope, named("ECR_REGION"), settings_.region, false, module.repository()}));
        BERTH_TRY(publish(
            module, GithubValue{scope, named("ECR_REPOSITORY"), module.repository(), false, module.repository()}));
      }
      if (module.github_environments.empty()) {
        auto host = registry_host();
        if (!host) return std::move(host).error();
        BERTH_TRY(publish(module, GithubValue{GithubScope{settings_.github_owner, repository, ""}, "ECR_REGISTRY_URL",
                                              *host, true, module.repository()}));
      }
    }
    return {};
  }

  Status add_circleci(const ModuleInputs& module) {
    const std::string& organization = settings_.circleci_organization_id;
    BERTH_TRY(require(module, organization, "circleci", "organization_id"));
    const std::string issuer =
        settings_.circleci_issuer.empty() ? "https://oidc.circleci.com/org/" + organization : settings_.circleci_issuer;
    std::vector<std::string> subjects;
    for (const auto& repository : module.github_repositories) {
      subjects.push_back("org/" + organization + "/project/*/user/*/vcs-origin/github.com/" + settings_.github_owner +
                         "/" + repository + "/vcs-ref/refs/heads/*");
    }
    auto arn = add_role(module, kCircleci, oidc_provider_name(issuer), subjects, organization);
    if (!arn) return std::move(arn).error();

    std::string name = module.repo_name;
    std::ranges::replace(name, '_', '-');
    ConfigMap config_map{*module.namespace_name,
                         name + "-circleci",
                         {{"ecr_role_to_assume", *arn},
                          {"ecr_region", settings_.region},
                          {"ecr_repository", module.repository()},
                          {"ecr_registry_id", settings_.account_id}},
                         module.repository()};
    for (const auto& existing : state_.config_maps) {
      if (existing.namespace_name == config_map.namespace_name && existing.name == config_map.name) {
        return hcl::error_at(module.position, "module \"" + module.label + "\" and the module declaring \"" +
                                                  existing.repository + "\" both publish ConfigMap " +
                                                  config_map.namespace_name + "/" + config_map.name);
      }
    }
    state_.config_maps.push_back(std::move(config_map));
    return {};
  }

  // Tokens in the immutable format (github_trust.hpp) of one GitHub repository; the ids are asked
  // for once, however many modules list it.
  const GithubTrust& trust_of(const std::string& repository) {
    const std::string name = settings_.github_owner + "/" + repository;
    auto known = std::ranges::find(state_.github_trust, name, &GithubTrust::repository);
    if (known != state_.github_trust.end()) return *known;
    GithubIdsAnswer answer = github_ids_(settings_.github_owner, repository);
    return state_.github_trust.emplace_back(GithubTrust{
        name, immutable_subject(settings_.github_owner, repository, answer.ids), answer.ids.has_value(), answer.note});
  }

  // One GitHub repository may serve several berth repositories; they must not overwrite each
  // other's values (the module's advice: set github_actions_prefix). The same value twice — the
  // registry URL — is published once.
  Status publish(const ModuleInputs& module, GithubValue value) {
    for (const auto& existing : state_.github_values) {
      if (existing.scope != value.scope || existing.name != value.name) continue;
      if (existing.value == value.value && existing.secret == value.secret) return {};
      std::string where = value.scope.owner + "/" + value.scope.repository;
      if (!value.scope.environment.empty()) where += " environment " + value.scope.environment;
      return hcl::error_at(module.position, "module \"" + module.label + "\" and the module declaring \"" +
                                                existing.repository + "\" both write " + value.name + " in " + where +
                                                "; give one of them a github_actions_prefix");
    }
    state_.github_values.push_back(std::move(value));
    return {};
  }

  Result<std::string> registry_host() const {
    std::string_view url = settings_.public_url;
    const auto scheme = url.find("://");
    if (scheme != std::string_view::npos) url.remove_prefix(scheme + 3);
    while (url.ends_with('/')) url.remove_suffix(1);
    if (scheme == std::string_view::npos || url.empty() || url.find('/') != std::string_view::npos) {
      return make_error(ErrorCode::invalid_argument, "the server's public_url \"" + settings_.public_url +
                                                         "\" must be https://host[:port] to publish ECR_REGISTRY_URL");
    }
    return std::string(url);
  }

  const ProvisionSettings& settings_;
  const GithubIdLookup& github_ids_;
  const auth::AccountSettings account_;
  DesiredState state_;
};

}  // namespace

Result<DesiredState> build_desired_state(const Declarations& declarations, const ProvisionSettings& settings,
                                         const GithubIdLookup& github_ids) {
  auto selection = select_modules(declarations);
  if (!selection) return std::move(selection).error();
  Builder builder(settings, github_ids);
  for (const auto& module : selection->modules) BERTH_TRY(builder.add(module));
  return builder.take(std::move(selection->skipped));
}

}  // namespace berth::provision

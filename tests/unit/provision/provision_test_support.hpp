// Shared by the plan and apply tests: a desired state shaped like the one build_desired_state
// makes for one `module "ecr"`, and publishers that record their calls and fail on request.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "common/digest.hpp"
#include "provision/desired_state.hpp"
#include "provision/publishers.hpp"

namespace berth::provision::test {

struct ModuleShape {
  std::string repository = "example-team/example-repo";
  std::string github_repository = "example-repo";
  std::string environment;  // empty: repository-level values
  bool circleci = true;
  bool deletion_protection = true;
  metadata::TagMutabilitySetting tag_mutability;
  std::string region = "eu-west-2";
};

inline ModuleShape named(std::string repository, std::string github_repository) {
  ModuleShape shape;
  shape.repository = std::move(repository);
  shape.github_repository = std::move(github_repository);
  return shape;
}
inline ModuleShape without_circleci(ModuleShape shape) {
  shape.circleci = false;
  return shape;
}
inline ModuleShape unprotected(ModuleShape shape) {
  shape.deletion_protection = false;
  return shape;
}
inline ModuleShape in_environment(ModuleShape shape, std::string environment) {
  shape.environment = std::move(environment);
  return shape;
}

inline std::string role_name(const ModuleShape& shape, const std::string& provider) {
  return "berth-ecr-" + Hasher::of(shape.repository).hex().substr(0, 16) + "-" + provider;
}

inline std::string role_arn(const std::string& name) { return "arn:aws:iam::123456789012:role/" + name; }

// Adds one module's repository, roles and values to `state`.
inline void add_module(DesiredState& state, const ModuleShape& shape) {
  state.repositories.push_back(DesiredRepository{shape.repository,
                                                 {{"owner", "example-team"}},
                                                 std::nullopt,
                                                 shape.deletion_protection,
                                                 true,
                                                 shape.tag_mutability,
                                                 {"main.tf", 1, 1}});
  std::string github_role = role_name(shape, "github");
  state.roles.push_back(DesiredRole{github_role, R"({"Statement":"github"})", "[]", 3600, shape.repository});
  GithubScope scope{"acme", shape.github_repository, shape.environment};
  auto value = [&](std::string name, std::string text, bool secret) {
    state.github_values.push_back(GithubValue{scope, std::move(name), std::move(text), secret, shape.repository});
  };
  value("ECR_ROLE_TO_ASSUME", role_arn(github_role), true);
  value("ECR_REGION", shape.region, false);
  value("ECR_REPOSITORY", shape.repository, false);
  if (shape.environment.empty()) value("ECR_REGISTRY_URL", "registry.example.com", true);
  if (shape.circleci) {
    std::string circleci_role = role_name(shape, "circleci");
    state.roles.push_back(DesiredRole{circleci_role, R"({"Statement":"circleci"})", "[]", 3600, shape.repository});
    state.config_maps.push_back(ConfigMap{"example-ns",
                                          shape.github_repository + "-circleci",
                                          {{"ecr_region", shape.region},
                                           {"ecr_registry_id", "123456789012"},
                                           {"ecr_repository", shape.repository},
                                           {"ecr_role_to_assume", role_arn(circleci_role)}},
                                          shape.repository});
  }
}

inline DesiredState desired(const ModuleShape& shape) {
  DesiredState state;
  add_module(state, shape);
  return state;
}

// Records every call as "verb target" and fails the calls whose record is in `fail`. The
// repositories in `ids` exist; others are not found.
class RecordingGithub final : public GithubPublisher {
 public:
  Result<GithubRepositoryIds> repository_ids(std::string_view owner, std::string_view repository) override {
    const std::string name = std::string(owner) + "/" + std::string(repository);
    BERTH_TRY(call("repository_ids " + name));
    if (auto found = ids.find(name); found != ids.end()) return found->second;
    return make_error(ErrorCode::not_found, "github: GET /repos/" + name + ": 404: no such repository");
  }
  Status ensure_environment(const GithubScope& scope) override { return call("ensure " + key(scope)); }
  Status put_variable(const GithubScope& scope, std::string_view name, std::string_view value) override {
    return call("put_variable " + key(scope) + "/" + std::string(name) + "=" + std::string(value));
  }
  Status put_secret(const GithubScope& scope, std::string_view name, std::string_view value) override {
    return call("put_secret " + key(scope) + "/" + std::string(name) + "=" + std::string(value));
  }
  Status delete_variable(const GithubScope& scope, std::string_view name) override {
    return call("delete_variable " + key(scope) + "/" + std::string(name));
  }
  Status delete_secret(const GithubScope& scope, std::string_view name) override {
    return call("delete_secret " + key(scope) + "/" + std::string(name));
  }

  std::vector<std::string> calls;
  std::set<std::string> fail;
  std::map<std::string, GithubRepositoryIds> ids;  // "owner/repository"

 private:
  static std::string key(const GithubScope& scope) {
    return scope.owner + "/" + scope.repository + (scope.environment.empty() ? "" : "/" + scope.environment);
  }
  Status call(std::string record) {
    calls.push_back(record);
    if (fail.contains(record)) return make_error(ErrorCode::unavailable, "github: 502 for " + record);
    return {};
  }
};

class RecordingKubernetes final : public KubernetesPublisher {
 public:
  Status apply_config_map(const ConfigMap& config_map) override {
    std::string record = "apply " + config_map.namespace_name + "/" + config_map.name;
    for (const auto& [key, value] : config_map.data) record += " " + key + "=" + value;
    calls.push_back(record);
    return {};
  }
  Status delete_config_map(std::string_view namespace_name, std::string_view name) override {
    calls.push_back("delete " + std::string(namespace_name) + "/" + std::string(name));
    return {};
  }

  std::vector<std::string> calls;
};

}  // namespace berth::provision::test

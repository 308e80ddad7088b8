#include "provision/plan.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include "common/digest.hpp"

namespace berth::provision {
namespace {

using metadata::PublishedKind;
using metadata::PublishedRecord;

std::string sha256_hex(std::string_view text) { return Hasher::of(text).hex(); }

std::string scope_key(const GithubScope& scope) {
  std::string key = scope.owner + "/" + scope.repository;
  if (!scope.environment.empty()) key += "/" + scope.environment;
  return key;
}

// Owners and repository names never contain '/', so everything after the second one is the
// environment.
GithubScope parse_scope_key(const std::string& key) {
  GithubScope scope;
  auto first = key.find('/');
  scope.owner = key.substr(0, first);
  if (first == std::string::npos) return scope;
  auto second = key.find('/', first + 1);
  scope.repository = key.substr(first + 1, second == std::string::npos ? std::string::npos : second - first - 1);
  if (second != std::string::npos) scope.environment = key.substr(second + 1);
  return scope;
}

using RecordKey = std::tuple<PublishedKind, std::string, std::string>;

RecordKey key_of(const PublishedRecord& record) { return {record.kind, record.scope, record.name}; }

std::string github_address(bool secret, const std::string& scope, const std::string& name) {
  return std::string(secret ? "github.secret." : "github.variable.") + scope + "/" + name;
}

PutRepository put_of(const DesiredRepository& repository) {
  nlohmann::json tags = nlohmann::json::object();
  for (const auto& [key, value] : repository.tags) tags[key] = value;
  return PutRepository{metadata::ProvisionedRepository{repository.name, tags.dump(), repository.lifecycle_policy,
                                                       repository.scan_on_push, repository.deletion_protection, 0},
                       repository.tag_mutability};
}

std::string join(const std::vector<std::string>& parts) {
  std::string joined;
  for (const auto& part : parts) joined += (joined.empty() ? "" : ", ") + part;
  return joined;
}

// `mutability` is the repository's now, nullptr when it does not exist.
std::string repository_differences(const metadata::ProvisionedRepository& now,
                                   const metadata::TagMutabilitySetting* mutability, const PutRepository& wanted) {
  std::vector<std::string> fields;
  if (now.tags_json != wanted.repository.tags_json) fields.emplace_back("tags");
  if (now.lifecycle_policy != wanted.repository.lifecycle_policy) fields.emplace_back("lifecycle policy");
  if (now.scan_on_push != wanted.repository.scan_on_push) fields.emplace_back("scan on push");
  if (now.deletion_protection != wanted.repository.deletion_protection) fields.emplace_back("deletion protection");
  if (!mutability || *mutability != wanted.tag_mutability) fields.emplace_back("tag mutability");
  return join(fields);
}

// Taking over an existing repository applies the declared tag mutability, which a repository made
// through the ECR API may not have: the plan says so.
std::string creation_detail(const metadata::TagMutabilitySetting* mutability, const PutRepository& wanted) {
  if (!mutability) return "new repository";
  std::string detail = "existing repository, now managed by provisioning";
  return *mutability == wanted.tag_mutability ? detail : detail + "; changes tag mutability";
}

std::string role_differences(const metadata::RoleRecord& now, const DesiredRole& wanted) {
  std::vector<std::string> fields;
  if (now.trust_policy != wanted.trust_policy) fields.emplace_back("trust policy");
  if (now.policies != wanted.policies) fields.emplace_back("permission policies");
  if (now.max_session_duration_seconds != wanted.max_session_duration_seconds) {
    fields.emplace_back("max session duration");
  }
  return join(fields);
}

std::string role_hash(const DesiredRole& role) {
  return sha256_hex(role.trust_policy + "\n" + role.policies + "\n" +
                    std::to_string(role.max_session_duration_seconds));
}

std::string config_map_hash(const ConfigMap& config_map) {
  nlohmann::json data = nlohmann::json::object();
  for (const auto& [key, value] : config_map.data) data[key] = value;
  return sha256_hex(data.dump());
}

std::string key_list(const std::map<std::string, std::string>& data) {
  std::vector<std::string> keys;
  for (const auto& entry : data) keys.push_back(entry.first);
  return "keys " + join(keys);
}

// One pass per kind of resource: creates and updates for what is declared and differs, deletes for
// what provisioning recorded and is no longer declared.
class Planner {
 public:
  Planner(const DesiredState& desired, const CurrentState& current) : desired_(desired), current_(current) {
    for (const auto& record : current.published) records_.emplace(key_of(record), record);
  }

  Plan run() {
    plan_repositories();
    plan_roles();
    plan_environments();
    plan_github_values();
    plan_config_maps();
    plan_.skipped_modules = desired_.skipped_modules;
    plan_.github_trust = desired_.github_trust;
    return std::move(plan_);
  }

 private:
  void plan_repositories() {
    std::map<std::string, const metadata::ProvisionedRepository*> managed;
    for (const auto& repository : current_.repositories) managed.emplace(repository.name, &repository);
    std::vector<Change> puts;
    std::set<std::string> declared;
    for (const auto& repository : desired_.repositories) {
      declared.insert(repository.name);
      PutRepository wanted = put_of(repository);
      std::string address = "repository." + repository.name;
      auto existing = current_.existing_repositories.find(repository.name);
      const metadata::TagMutabilitySetting* mutability =
          existing == current_.existing_repositories.end() ? nullptr : &existing->second;
      auto found = managed.find(repository.name);
      if (found == managed.end()) {
        puts.push_back(Change{Action::create, address, creation_detail(mutability, wanted), wanted, std::nullopt});
      } else if (auto differences = repository_differences(*found->second, mutability, wanted); !differences.empty()) {
        puts.push_back(Change{Action::update, address, differences, wanted, std::nullopt});
      }
    }
    std::vector<Change> deletes;
    for (const auto& repository : current_.repositories) {
      if (declared.contains(repository.name)) continue;
      std::string address = "repository." + repository.name;
      bool holds_images = current_.repositories_with_images.contains(repository.name);
      if (holds_images && repository.deletion_protection) {
        plan_.kept.push_back(Kept{address, "kept: deletion protection (it still holds images)"});
        continue;
      }
      std::string detail = holds_images ? "holds images; deletion protection is off" : "empty";
      deletes.push_back(
          Change{Action::remove, address, detail, DeleteRepository{repository.name, holds_images}, std::nullopt});
    }
    append(std::move(puts), std::move(deletes));
  }

  void plan_roles() {
    std::vector<Change> puts;
    std::set<RecordKey> wanted;
    for (const auto& role : desired_.roles) {
      PublishedRecord record{PublishedKind::role, "", role.name, role_hash(role), role.repository, 0};
      wanted.insert(key_of(record));
      metadata::RoleRecord stored{role.name, role.trust_policy, role.policies, role.max_session_duration_seconds, 0, 0};
      std::string address = "role." + role.name;
      auto existing = current_.roles.find(role.name);
      if (existing == current_.roles.end()) {
        puts.push_back(Change{Action::create, address, "for " + role.repository, PutRole{stored}, record});
        continue;
      }
      std::string differences = role_differences(existing->second, role);
      if (!records_.contains(key_of(record))) {
        // A role of that name made by `berth role put`: provisioning takes it over.
        differences =
            differences.empty() ? "now managed by provisioning" : differences + "; now managed by provisioning";
      }
      if (!differences.empty()) puts.push_back(Change{Action::update, address, differences, PutRole{stored}, record});
    }
    std::vector<Change> deletes;
    for (const auto& [key, record] : records_) {
      if (record.kind != PublishedKind::role || wanted.contains(key)) continue;
      deletes.push_back(Change{Action::remove, "role." + record.name, "was for " + record.repository,
                               DeleteRole{record.name}, record});
    }
    append(std::move(puts), std::move(deletes));
  }

  void plan_environments() {
    std::vector<Change> creates;
    std::set<GithubScope> seen;
    for (const auto& value : desired_.github_values) {
      if (value.scope.environment.empty() || !seen.insert(value.scope).second) continue;
      GithubScope repository_scope{value.scope.owner, value.scope.repository, ""};
      PublishedRecord record{PublishedKind::github_environment,
                             scope_key(repository_scope),
                             value.scope.environment,
                             sha256_hex(value.scope.environment),
                             value.repository,
                             0};
      if (records_.contains(key_of(record))) continue;
      creates.push_back(Change{Action::create, "github.environment." + scope_key(value.scope), "created when missing",
                               EnsureEnvironment{value.scope}, record});
    }
    append(std::move(creates), {});
  }

  void plan_github_values() {
    std::vector<Change> puts;
    std::set<RecordKey> wanted;
    for (const auto& value : desired_.github_values) {
      auto kind = value.secret ? PublishedKind::github_secret : PublishedKind::github_variable;
      std::string scope = scope_key(value.scope);
      PublishedRecord record{kind, scope, value.name, sha256_hex(value.value), value.repository, 0};
      wanted.insert(key_of(record));
      std::string address = github_address(value.secret, scope, value.name);
      // Variables are not secret; showing them makes the plan reviewable.
      std::string shown = value.secret ? "sensitive value" : "= \"" + value.value + "\"";
      auto existing = records_.find(key_of(record));
      if (existing == records_.end()) {
        puts.push_back(Change{Action::create, address, shown, PutGithubValue{value}, record});
      } else if (existing->second.value_sha256 != record.value_sha256) {
        puts.push_back(Change{Action::update, address, shown + " (changed)", PutGithubValue{value}, record});
      }
    }
    std::vector<Change> deletes;
    for (const auto& [key, record] : records_) {
      bool secret = record.kind == PublishedKind::github_secret;
      if ((!secret && record.kind != PublishedKind::github_variable) || wanted.contains(key)) continue;
      deletes.push_back(Change{Action::remove, github_address(secret, record.scope, record.name),
                               "was for " + record.repository,
                               DeleteGithubValue{parse_scope_key(record.scope), record.name, secret}, record});
    }
    append(std::move(puts), std::move(deletes));
  }

  void plan_config_maps() {
    std::vector<Change> puts;
    std::set<RecordKey> wanted;
    for (const auto& config_map : desired_.config_maps) {
      PublishedRecord record{PublishedKind::config_map,   config_map.namespace_name, config_map.name,
                             config_map_hash(config_map), config_map.repository,     0};
      wanted.insert(key_of(record));
      std::string address = "configmap." + config_map.namespace_name + "/" + config_map.name;
      auto existing = records_.find(key_of(record));
      if (existing == records_.end()) {
        puts.push_back(Change{Action::create, address, key_list(config_map.data), ApplyConfigMap{config_map}, record});
      } else if (existing->second.value_sha256 != record.value_sha256) {
        puts.push_back(Change{Action::update, address, "data changed", ApplyConfigMap{config_map}, record});
      }
    }
    std::vector<Change> deletes;
    for (const auto& [key, record] : records_) {
      if (record.kind != PublishedKind::config_map || wanted.contains(key)) continue;
      deletes.push_back(Change{Action::remove, "configmap." + record.scope + "/" + record.name,
                               "was for " + record.repository, DeleteConfigMap{record.scope, record.name}, record});
    }
    append(std::move(puts), std::move(deletes));
  }

  void append(std::vector<Change> puts, std::vector<Change> deletes) {
    for (auto* group : {&puts, &deletes}) {
      std::stable_sort(group->begin(), group->end(),
                       [](const Change& a, const Change& b) { return a.address < b.address; });
      for (auto& change : *group) plan_.changes.push_back(std::move(change));
    }
  }

  const DesiredState& desired_;
  const CurrentState& current_;
  std::map<RecordKey, PublishedRecord> records_;
  Plan plan_;
};

}  // namespace

Target target_of(const Operation& operation) {
  if (std::holds_alternative<EnsureEnvironment>(operation) || std::holds_alternative<PutGithubValue>(operation) ||
      std::holds_alternative<DeleteGithubValue>(operation)) {
    return Target::github;
  }
  if (std::holds_alternative<ApplyConfigMap>(operation) || std::holds_alternative<DeleteConfigMap>(operation)) {
    return Target::kubernetes;
  }
  return Target::metadata;
}

std::size_t Plan::count(Action action) const {
  return static_cast<std::size_t>(
      std::count_if(changes.begin(), changes.end(), [&](const Change& change) { return change.action == action; }));
}

Plan make_plan(const DesiredState& desired, const CurrentState& current) { return Planner(desired, current).run(); }

}  // namespace berth::provision

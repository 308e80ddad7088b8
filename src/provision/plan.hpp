// The plan: what `berth apply` would change to make berth match the declarations. make_plan is a
// pure comparison of the desired state with the current state; each change carries the operation
// apply performs and, for roles and published values, the record apply stores once it succeeded.
//
// Order: repositories, roles, then GitHub environments, GitHub values and ConfigMaps; within each,
// creates and updates before deletes, by address. Values from removed declarations are deleted, a
// removed repository that holds images is kept while its deletion protection is on, and only what
// provisioning created (a ProvisionedRepository or a PublishedRecord) is ever deleted. GitHub
// environments are created when missing and never deleted: they may hold other values.
#pragma once

#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "metadata/metadata_store.hpp"
#include "provision/current_state.hpp"
#include "provision/desired_state.hpp"

namespace berth::provision {

enum class Action { create, update, remove };

struct PutRepository {
  metadata::ProvisionedRepository repository;
  metadata::TagMutabilitySetting tag_mutability;  // set on the repository, which holds it
};
struct DeleteRepository {
  std::string name;
  bool force = false;  // it holds images and its deletion protection is off
};
struct PutRole {
  metadata::RoleRecord role;
};
struct DeleteRole {
  std::string name;
};
struct EnsureEnvironment {
  GithubScope scope;
};
struct PutGithubValue {
  GithubValue value;
};
struct DeleteGithubValue {
  GithubScope scope;
  std::string name;
  bool secret = false;
};
struct ApplyConfigMap {
  ConfigMap config_map;
};
struct DeleteConfigMap {
  std::string namespace_name;
  std::string name;
};

using Operation = std::variant<PutRepository, DeleteRepository, PutRole, DeleteRole, EnsureEnvironment, PutGithubValue,
                               DeleteGithubValue, ApplyConfigMap, DeleteConfigMap>;

// Where an operation is carried out; GitHub and Kubernetes publishing can be switched off.
enum class Target { metadata, github, kubernetes };
Target target_of(const Operation& operation);

struct Change {
  Action action = Action::create;
  std::string address;  // repository.team/app, role.NAME, github.secret.owner/repo[/env]/NAME, configmap.ns/NAME
  std::string detail;   // short and free of secret values
  Operation operation;
  // Stored after a create or update succeeded, forgotten after a delete succeeded. Repositories
  // are recorded by their PutRepository instead.
  std::optional<metadata::PublishedRecord> record;
};

// Something the declarations no longer want that stays, with why.
struct Kept {
  std::string address;
  std::string detail;
};

struct Plan {
  std::vector<Change> changes;
  std::vector<Kept> kept;
  std::vector<std::string> skipped_modules;  // from the declarations, for the reader
  std::vector<GithubTrust> github_trust;     // likewise: whether the github roles pin repository ids

  bool empty() const { return changes.empty(); }
  std::size_t count(Action action) const;
};

Plan make_plan(const DesiredState& desired, const CurrentState& current);

}  // namespace berth::provision

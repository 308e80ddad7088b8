// What berth holds now, for the planner to compare with the declarations: the repositories and roles
// provisioning manages, and the record of what it published to GitHub and Kubernetes. Read from the
// metadata store; the published values themselves are never read back from GitHub or Kubernetes,
// so a value changed there by hand is corrected only when its declaration changes.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "metadata/metadata_store.hpp"
#include "metadata/tag_mutability_setting.hpp"
#include "provision/desired_state.hpp"

namespace berth::provision {

struct CurrentState {
  std::vector<metadata::ProvisionedRepository> repositories;  // managed by provisioning
  // Declared repositories that exist (managed or not), with their tag mutability now: the ECR API
  // may have changed it since apply set it, and the plan puts the declaration back.
  std::map<std::string, metadata::TagMutabilitySetting> existing_repositories;
  std::set<std::string> repositories_with_images;     // managed repositories no longer declared that hold images
  std::map<std::string, metadata::RoleRecord> roles;  // declared roles that exist (managed or not)
  std::vector<metadata::PublishedRecord> published;   // roles and values provisioning created
};

// The trust policies of the roles provisioning made: they remember the GitHub repository ids that
// were pinned (github_trust.hpp) for when GitHub cannot be asked.
Result<std::vector<std::string>> load_provisioned_trust_policies(metadata::MetadataStore& store);

// Reads only what comparing with `desired` needs.
Result<CurrentState> load_current_state(metadata::MetadataStore& store, const DesiredState& desired);

}  // namespace berth::provision

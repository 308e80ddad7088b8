// Turns validated declarations into the DesiredState the planner converges to: repositories with
// their tags and lifecycle policy, one CI role per OIDC provider with the module's trust and
// push/pull policies, the GitHub Actions values (interfaces.md §1.5) and the CircleCI ConfigMaps
// (§1.6).
//
//   auto declarations = read_declarations(dir, options);
//   auto desired = build_desired_state(*declarations, settings,    // settings from the server's
//                                      github_id_lookup(...));      // configuration
#pragma once

#include <string>

#include "common/result.hpp"
#include "provision/declarations.hpp"
#include "provision/desired_state.hpp"
#include "provision/github_trust.hpp"

namespace berth::provision {

// What of the server's configuration the desired state depends on.
struct ProvisionSettings {
  std::string account_id;  // 12 digits
  std::string region;
  std::string public_url;                // https://host[:port]; host[:port] is the published registry URL
  std::string github_owner;              // needed when a module uses github or circleci
  std::string circleci_organization_id;  // needed when a module uses circleci
  std::string github_issuer = "https://token.actions.githubusercontent.com";
  std::string circleci_issuer;  // empty: https://oidc.circleci.com/org/<circleci_organization_id>
  std::string github_audience = "sts.amazonaws.com";
};

// invalid_argument for declaration errors (module_inputs.hpp), a provider the settings do not
// configure, a trust policy over IAM's length limit (too many github_repositories), and two
// modules writing different values to one GitHub variable or secret, or one ConfigMap. internal
// when a generated policy does not parse (a bug). `github_ids` gives the ids the github roles pin
// (github_trust.hpp); it is asked once per GitHub repository.
Result<DesiredState> build_desired_state(const Declarations& declarations, const ProvisionSettings& settings,
                                         const GithubIdLookup& github_ids);

}  // namespace berth::provision

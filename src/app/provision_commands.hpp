// `berth plan DIR` and `berth apply DIR`: read the declarations, compare them with the metadata
// store and what was published, show the plan, and (apply) carry it out. Exit codes: 0 done (or
// nothing to do), 1 apply refused, cancelled or incomplete, or a store failure, 2 invalid input
// (declarations, variables, settings).
#pragma once

#include <filesystem>
#include <functional>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "app/settings.hpp"
#include "common/result.hpp"
#include "metadata/metadata_store.hpp"
#include "provision/apply.hpp"
#include "provision/desired_state.hpp"
#include "provision/desired_state_builder.hpp"

namespace berth::app {

struct DeclarationOptions {
  std::filesystem::path directory;
  std::vector<std::string> vars;       // -var NAME=VALUE, in order
  std::vector<std::string> var_files;  // -var-file FILE, in order
};

// Plan and apply both read the GitHub repositories' ids (to pin the roles' trust); apply also
// publishes there.
struct GithubOptions {
  bool enabled = true;
  std::string api_url = "https://api.github.com";
  std::string token_env = "GITHUB_TOKEN";
};

struct PlanCommandOptions {
  DeclarationOptions declarations;
  GithubOptions github;
  bool json = false;
};

struct ApplyCommandOptions {
  DeclarationOptions declarations;
  GithubOptions github;
  bool auto_approve = false;
  std::string output_dir;  // write ConfigMaps as YAML here instead of calling Kubernetes
  bool kubernetes = true;
  std::string kubeconfig;  // empty: $KUBECONFIG, ~/.kube/config, then in-cluster
};

int run_plan(const Settings& settings, const PlanCommandOptions& options);
int run_apply(const Settings& settings, const ApplyCommandOptions& options);

// What provisioning takes from the server's settings. invalid_argument when public_url is not set:
// the published registry URL and repository URIs are made from it.
Result<provision::ProvisionSettings> provision_settings(const Settings& settings);

// The streams `berth apply` talks through, and whether they are terminals (colour, confirmation).
struct Console {
  std::istream& in;
  std::ostream& out;
  std::ostream& err;
  bool in_is_terminal = false;
  bool out_is_terminal = false;
};

struct ConvergeOptions {
  bool auto_approve = false;
  std::optional<std::filesystem::path> output_dir;  // ConfigMaps as YAML files, not through Kubernetes
};

// Makes the publishers a plan needs; called only when the plan has changes to carry out, so a
// plan without GitHub changes needs no token. A switched-off publisher stays nullptr.
using PublisherSource = std::function<Result<provision::Publishers>(const provision::Plan&)>;

// `berth apply` once the declarations are read: plan, show, confirm, apply, report; with an output
// directory, every declared ConfigMap is written there (and none is applied to Kubernetes).
int converge(const provision::DesiredState& desired, metadata::MetadataStore& store, const PublisherSource& publishers,
             const ConvergeOptions& options, Console& console);

}  // namespace berth::app

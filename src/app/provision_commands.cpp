#include "app/provision_commands.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <system_error>
#include <variant>

#include "app/data_stores.hpp"
#include "provision/config_map_yaml.hpp"
#include "provision/current_state.hpp"
#include "provision/declarations.hpp"
#include "provision/github_publisher.hpp"
#include "provision/kubernetes_publisher.hpp"
#include "provision/plan.hpp"
#include "provision/plan_render.hpp"

namespace berth::app {
namespace {

const OidcProviderSettings* find_provider(const Settings& settings, std::string_view name) {
  auto found = std::find_if(settings.oidc_providers.begin(), settings.oidc_providers.end(),
                            [&](const OidcProviderSettings& provider) { return provider.name == name; });
  return found == settings.oidc_providers.end() ? nullptr : &*found;
}

Result<provision::ReadOptions> read_options(const DeclarationOptions& options) {
  provision::ReadOptions read;
  for (const auto& assignment : options.vars) {
    auto equals = assignment.find('=');
    if (equals == std::string::npos || equals == 0) {
      return make_error(ErrorCode::invalid_argument, "-var '" + assignment + "': expected NAME=VALUE");
    }
    read.vars.emplace_back(assignment.substr(0, equals), assignment.substr(equals + 1));
  }
  read.var_files = options.var_files;
  return read;
}

bool needs(const provision::Plan& plan, provision::Target target) {
  return std::any_of(plan.changes.begin(), plan.changes.end(),
                     [&](const provision::Change& change) { return provision::target_of(change.operation) == target; });
}

// On a terminal, asks; elsewhere nobody can answer, so apply refuses rather than guess.
bool confirmed(const ConvergeOptions& options, Console& console) {
  if (options.auto_approve) return true;
  if (!console.in_is_terminal) {
    console.err << "berth: not applying: confirmation needs a terminal; pass --auto-approve to apply without asking\n";
    return false;
  }
  console.out << "\nApply these changes? Only 'yes' is accepted: " << std::flush;
  std::string answer;
  std::getline(console.in, answer);
  if (answer == "yes") return true;
  console.err << "berth: apply cancelled\n";
  return false;
}

Status write_config_maps(const provision::DesiredState& desired, const std::filesystem::path& dir, Console& console) {
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (error) return make_error(ErrorCode::internal, "create " + dir.string() + ": " + error.message());
  for (const auto& config_map : desired.config_maps) {
    BERTH_TRY(provision::write_config_map_yaml(config_map, dir));
    console.out << "wrote ConfigMap " << config_map.namespace_name << "/" << config_map.name << " to " << dir.string()
                << "\n";
  }
  return {};
}

}  // namespace

Result<provision::ProvisionSettings> provision_settings(const Settings& settings) {
  if (settings.public_url.empty()) {
    return make_error(ErrorCode::invalid_argument,
                      "public_url is not set: provisioning publishes the registry URL and repository URIs made from "
                      "it; set public_url in the configuration file (--config)");
  }
  provision::ProvisionSettings provisioning;
  provisioning.account_id = settings.account_id;
  provisioning.region = settings.region;
  provisioning.public_url = settings.public_url;
  if (const auto* github = find_provider(settings, "github")) {
    provisioning.github_owner = github->github_owner;
    provisioning.github_issuer = github->issuer;
    if (!github->audiences.empty()) provisioning.github_audience = github->audiences.front();
  }
  if (const auto* circleci = find_provider(settings, "circleci")) {
    provisioning.circleci_organization_id = circleci->circleci_organization_id;
    provisioning.circleci_issuer = circleci->issuer;
  }
  return provisioning;
}

int converge(const provision::DesiredState& desired, metadata::MetadataStore& store, const PublisherSource& publishers,
             const ConvergeOptions& options, Console& console) {
  auto current = provision::load_current_state(store, desired);
  if (!current.ok()) {
    console.err << "berth: " << current.error().message << "\n";
    return 1;
  }
  provision::Plan plan = provision::make_plan(desired, *current);
  if (options.output_dir) {
    std::erase_if(plan.changes, [](const provision::Change& change) {
      return provision::target_of(change.operation) == provision::Target::kubernetes;
    });
  }
  console.out << provision::render_plan(plan, console.out_is_terminal);
  int status = 0;
  if (!plan.empty()) {
    if (!confirmed(options, console)) return 1;
    auto made = publishers(plan);
    if (!made.ok()) {
      console.err << "berth: " << made.error().message << "\n";
      return 2;
    }
    console.out << "\n";
    auto report = provision::apply_plan(plan, store, *made, console.out);
    console.out << "\n" << provision::render_apply_report(report);
    if (!report.complete()) status = 1;
  }
  if (options.output_dir) {
    if (auto written = write_config_maps(desired, *options.output_dir, console); !written.ok()) {
      console.err << "berth: " << written.error().message << "\n";
      status = 1;
    }
  }
  return status;
}

// The declarations, the store and the GitHub client both commands start from; on failure, the
// exit code after the error has been printed (2 for declarations, 1 for the store).
struct Inputs {
  provision::DesiredState desired;
  std::unique_ptr<metadata::MetadataStore> store;
  std::unique_ptr<provision::GithubPublisher> github;  // nullptr: switched off, or no token
};

struct GithubAccess {
  std::unique_ptr<provision::GithubPublisher> client;  // nullptr: see `off`
  std::string off;                                     // why there is no client
};

GithubAccess github_access(const GithubOptions& options) {
  if (!options.enabled) return {nullptr, "GitHub is switched off (--no-github)"};
  const char* token = std::getenv(options.token_env.c_str());
  if (token == nullptr || *token == '\0') return {nullptr, "no GitHub token in $" + options.token_env};
  provision::GithubPublisherOptions github_options;
  github_options.api_url = options.api_url;
  github_options.token = token;
  return {provision::make_github_publisher(github_options), ""};
}

std::variant<Inputs, int> read_inputs(const Settings& settings, const DeclarationOptions& options,
                                      const GithubOptions& github_options) {
  const auto fail = [](const Error& error, int status) {
    std::cerr << "berth: " << error.message << "\n";
    return status;
  };
  auto provisioning = provision_settings(settings);
  if (!provisioning) return fail(provisioning.error(), 2);
  auto read = read_options(options);
  if (!read) return fail(read.error(), 2);
  auto declarations = provision::read_declarations(options.directory, *read);
  if (!declarations) return fail(declarations.error(), 2);
  auto store = open_metadata_or_report(settings.data_dir);
  if (!store) return 1;
  auto trust_policies = provision::load_provisioned_trust_policies(*store);
  if (!trust_policies) return fail(trust_policies.error(), 1);

  auto github = github_access(github_options);
  auto desired = provision::build_desired_state(
      *declarations, *provisioning,
      provision::github_id_lookup(github.client.get(), std::move(github.off), std::move(trust_policies).value()));
  if (!desired) return fail(desired.error(), 2);
  return Inputs{std::move(desired).value(), std::move(store), std::move(github.client)};
}

int run_plan(const Settings& settings, const PlanCommandOptions& options) {
  auto inputs = read_inputs(settings, options.declarations, options.github);
  if (const int* failed = std::get_if<int>(&inputs)) return *failed;
  auto& [desired, store, github] = std::get<Inputs>(inputs);
  auto current = provision::load_current_state(*store, desired);
  if (!current.ok()) {
    std::cerr << "berth: " << current.error().message << "\n";
    return 1;
  }
  provision::Plan plan = provision::make_plan(desired, *current);
  std::cout << (options.json ? provision::render_plan_json(plan) : provision::render_plan(plan, ::isatty(1) != 0));
  return 0;
}

int run_apply(const Settings& settings, const ApplyCommandOptions& options) {
  auto inputs = read_inputs(settings, options.declarations, options.github);
  if (const int* failed = std::get_if<int>(&inputs)) return *failed;
  auto& [desired, store, github] = std::get<Inputs>(inputs);

  std::unique_ptr<provision::KubernetesPublisher> kubernetes;
  PublisherSource make_publishers = [&](const provision::Plan& plan) -> Result<provision::Publishers> {
    provision::Publishers publishers;
    if (options.github.enabled && needs(plan, provision::Target::github)) {
      if (!github) {
        return make_error(ErrorCode::invalid_argument,
                          "GitHub publishing needs a token in $" + options.github.token_env + " (or pass --no-github)");
      }
      publishers.github = github.get();
    }
    if (options.kubernetes && needs(plan, provision::Target::kubernetes)) {
      provision::KubernetesOptions kubernetes_options;
      kubernetes_options.kubeconfig_path = options.kubeconfig;
      auto made = provision::make_kubernetes_publisher(kubernetes_options);
      if (!made.ok()) {
        return make_error(
            made.error().code,
            made.error().message + " (pass --no-kubernetes, or --output DIR to write ConfigMaps as files)");
      }
      kubernetes = std::move(made).value();
      publishers.kubernetes = kubernetes.get();
    }
    return publishers;
  };
  ConvergeOptions converge_options;
  converge_options.auto_approve = options.auto_approve;
  if (!options.output_dir.empty()) converge_options.output_dir = options.output_dir;
  Console console{std::cin, std::cout, std::cerr, ::isatty(0) != 0, ::isatty(1) != 0};
  return converge(desired, *store, make_publishers, converge_options, console);
}

}  // namespace berth::app

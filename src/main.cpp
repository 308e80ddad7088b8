// berth: a container registry that CI pipelines push to with short-lived, OIDC-federated
// credentials. This file only parses the command line and hands over to src/app.
#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "app/audit_command.hpp"
#include "app/gc_command.hpp"
#include "app/lifecycle_command.hpp"
#include "app/data_stores.hpp"
#include "app/fsck.hpp"
#include "app/provision_commands.hpp"
#include "app/repository_commands.hpp"
#include "app/access_key_commands.hpp"
#include "app/role_commands.hpp"
#include "app/serve.hpp"
#include "app/settings.hpp"
#include "common/log.hpp"

namespace {

struct CommonFlags {
  std::string config_file;
  std::string data_dir;
  std::string log_format;
  std::string log_level;
};

void add_common_flags(CLI::App& command, CommonFlags& flags) {
  command.add_option("--config", flags.config_file, "Configuration file (HCL); see docs/configuration.md")
      ->check(CLI::ExistingFile);
  command.add_option("--data", flags.data_dir, "Data directory (blobs, metadata, keys) [default: ./berth-data]");
  command.add_option("--log-format", flags.log_format, "Log format: text or json")
      ->check(CLI::IsMember({"text", "json"}));
  command.add_option("--log-level", flags.log_level, "Log level: debug, info, warn, error")
      ->check(CLI::IsMember({"debug", "info", "warn", "error"}));
}

// Embedded defaults, then the config file, then flags.
berth::Result<berth::app::Settings> resolve_settings(const CommonFlags& flags) {
  berth::app::Settings settings;
  if (!flags.config_file.empty()) {
    auto loaded = berth::app::load_settings(flags.config_file, settings);
    if (!loaded.ok()) return std::move(loaded).error();
    settings = std::move(loaded).value();
  }
  if (!flags.data_dir.empty()) settings.data_dir = flags.data_dir;
  if (!flags.log_format.empty()) berth::log::parse_format(flags.log_format, settings.log_format);
  if (!flags.log_level.empty()) berth::log::parse_level(flags.log_level, settings.log_level);
  berth::log::init(settings.log_format, settings.log_level);
  return settings;
}

int run_fsck(const berth::app::Settings& settings) {
  auto stores = berth::app::open_data_stores(settings.data_dir);
  if (!stores.ok()) {
    std::cerr << "berth fsck: " << stores.error().message << "\n";
    return 2;
  }
  auto report = berth::app::run_fsck(*stores->blobs, *stores->metadata);
  if (!report.ok()) {
    std::cerr << "berth fsck: " << report.error().message << "\n";
    return 2;
  }
  for (const auto& problem : report->problems) {
    std::cout << problem.kind << " " << problem.subject << ": " << problem.detail << "\n";
  }
  std::cout << "checked " << report->blobs_checked << " blobs, " << report->manifests_checked << " manifests, "
            << report->tags_checked << " tags: " << report->problems.size() << " problem(s)\n";
  return report->clean() ? 0 : 1;
}

// The flags plan and apply share: the declarations directory and Terraform's variable flags.
void add_declaration_flags(CLI::App& command, berth::app::DeclarationOptions& options) {
  command.add_option("directory", options.directory, "Directory of declarations (*.tf, *.tf.json)")
      ->required()
      ->check(CLI::ExistingDirectory);
  // One value per flag, as Terraform has it, so the directory may follow a -var.
  command.add_option("--var", options.vars, "Set a variable: -var NAME=VALUE (repeatable)")->allow_extra_args(false);
  command.add_option("--var-file", options.var_files, "Read variables from a .tfvars file (repeatable)")
      ->allow_extra_args(false)
      ->check(CLI::ExistingFile);
}

// The flags plan and apply share to reach GitHub: both read repository ids, apply also publishes.
void add_github_flags(CLI::App& command, berth::app::GithubOptions& options, const std::string& what_off_means) {
  command.add_flag_callback(
      "--no-github", [&options] { options.enabled = false; }, "Do not call GitHub: " + what_off_means);
  command
      .add_option("--github-api-url", options.api_url,
                  "GitHub REST API base URL (GitHub Enterprise: https://HOST/api/v3)")
      ->capture_default_str();
  command.add_option("--github-token-env", options.token_env, "Environment variable holding the GitHub token")
      ->capture_default_str();
}

// Terraform spells its variable flags with one dash (-var, -var-file); CLI11 wants two.
std::vector<std::string> terraform_style_flags(int argc, char** argv) {
  std::vector<std::string> arguments(argv, argv + argc);
  for (auto& argument : arguments) {
    for (std::string_view flag : {"-var-file", "-var"}) {
      if (argument == flag || (argument.starts_with(flag) && argument[flag.size()] == '=')) {
        argument.insert(0, "-");
        break;
      }
    }
  }
  return arguments;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"berth: a container registry for keyless CI pushes (OCI Distribution, AWS STS and ECR APIs)"};
  app.require_subcommand(1);

  CommonFlags serve_flags;
  std::string listen;
  std::string tls_certificate;
  std::string tls_key;
  bool anonymous = false;
  auto* serve = app.add_subcommand("serve", "Run the registry server (embedded defaults: 127.0.0.1:5000, ./berth-data)");
  add_common_flags(*serve, serve_flags);
  serve->add_option("--listen", listen, "Address to listen on, HOST:PORT (port 0 picks a free port)");
  serve->add_option("--tls-cert", tls_certificate, "TLS certificate chain (PEM)")->check(CLI::ExistingFile);
  serve->add_option("--tls-key", tls_key, "TLS private key (PEM)")->check(CLI::ExistingFile);
  serve->add_flag("--anonymous", anonymous, "Allow unauthenticated push and pull (repositories are created on push)");

  CommonFlags fsck_flags;
  auto* fsck = app.add_subcommand("fsck", "Re-hash every blob and check every manifest reference and tag");
  add_common_flags(*fsck, fsck_flags);

  CommonFlags repository_flags;
  std::string repository_name;
  bool force = false;
  auto* repository = app.add_subcommand("repository", "Create, list and delete repositories");
  repository->require_subcommand(1);
  add_common_flags(*repository, repository_flags);
  auto* repository_create = repository->add_subcommand("create", "Create a repository (idempotent)");
  repository_create->add_option("name", repository_name, "Repository name, e.g. team/app")->required();
  auto* repository_list = repository->add_subcommand("list", "List repositories");
  auto* repository_delete = repository->add_subcommand("delete", "Delete a repository");
  repository_delete->add_option("name", repository_name, "Repository name")->required();
  repository_delete->add_flag("--force", force, "Delete even if it still holds images");
  // --data and --config may follow the action (`berth repository create team/app --data DIR`).
  for (auto* action : {repository_create, repository_list, repository_delete}) action->fallthrough();

  CommonFlags role_flags;
  std::string role_file;
  std::string role_name;
  auto* role = app.add_subcommand("role", "Store, list and delete IAM roles");
  role->require_subcommand(1);
  add_common_flags(*role, role_flags);
  auto* role_put = role->add_subcommand("put", "Store or replace a role from a JSON file");
  role_put->add_option("file", role_file, "Role file: RoleName, AssumeRolePolicyDocument, Policies, MaxSessionDuration")
      ->required();
  auto* role_list = role->add_subcommand("list", "List roles");
  auto* role_delete = role->add_subcommand("delete", "Delete a role");
  role_delete->add_option("name", role_name, "Role name")->required();
  // --data and --config may follow the action (`berth role put role.json --data DIR`).
  for (auto* action : {role_put, role_list, role_delete}) action->fallthrough();

  CommonFlags access_key_flags;
  std::string access_key_role;
  std::optional<std::string> access_key_role_filter;
  std::string access_key_id;
  int access_key_days = 90;
  auto* access_key = app.add_subcommand("access-key", "Create, list and delete long-lived access keys bound to a role");
  access_key->require_subcommand(1);
  add_common_flags(*access_key, access_key_flags);
  auto* access_key_create = access_key->add_subcommand("create", "Create a key for a role; prints its secret once");
  access_key_create->add_option("role", access_key_role, "Role name")->required();
  access_key_create->add_option("--expires-in-days", access_key_days, "Days until the key expires (default 90)");
  auto* access_key_list = access_key->add_subcommand("list", "List keys: id, role, created, expiry, last use");
  access_key_list->add_option("--role", access_key_role_filter, "Only the keys of this role");
  auto* access_key_delete = access_key->add_subcommand("delete", "Revoke a key");
  access_key_delete->add_option("id", access_key_id, "Access key id (AKIA...)")->required();
  for (auto* action : {access_key_create, access_key_list, access_key_delete}) action->fallthrough();

  CommonFlags audit_flags;
  berth::app::AuditOptions audit_options;
  auto* audit = app.add_subcommand("audit", "Print audit events: credentials issued, pushes and deletes");
  add_common_flags(*audit, audit_flags);
  audit->add_option("--repository", audit_options.repository, "Only events of this repository");
  audit->add_option("--since", audit_options.since,
                    "Only events at or after this time: RFC 3339 (2026-11-26T10:00:00Z) or a duration ago (90m, 24h, "
                    "7d)");
  audit->add_flag("--json", audit_options.json, "Print a JSON array");

  CommonFlags lifecycle_flags;
  berth::app::LifecycleCommandOptions lifecycle_options;
  auto* lifecycle = app.add_subcommand("lifecycle", "Apply the repositories' lifecycle policies");
  lifecycle->require_subcommand(1);
  add_common_flags(*lifecycle, lifecycle_flags);
  auto* lifecycle_run =
      lifecycle->add_subcommand("run", "Expire now what the lifecycle policies expire, printing each image and why");
  lifecycle_run->add_option("--repository", lifecycle_options.repository, "Only this repository");
  lifecycle_run->add_flag("--dry-run", lifecycle_options.dry_run, "Print what would expire; delete nothing");
  lifecycle_run->fallthrough();

  CommonFlags gc_flags;
  bool gc_dry_run = false;
  auto* gc = app.add_subcommand(
      "gc", "Delete now the manifests, blobs and abandoned uploads that garbage collection finds due");
  add_common_flags(*gc, gc_flags);
  gc->add_flag("--dry-run", gc_dry_run, "Print what is due; delete nothing");

  CommonFlags plan_flags;
  berth::app::PlanCommandOptions plan_options;
  auto* plan = app.add_subcommand("plan", "Show what `berth apply` would change to match a directory of declarations");
  add_common_flags(*plan, plan_flags);
  add_declaration_flags(*plan, plan_options.declarations);
  plan->add_flag("--json", plan_options.json, "Print the plan as JSON");
  add_github_flags(*plan, plan_options.github, "roles keep the repository ids they pin, or trust any ids");

  CommonFlags apply_flags;
  berth::app::ApplyCommandOptions apply_options;
  auto* apply = app.add_subcommand(
      "apply", "Create, update and delete repositories, roles and published CI values to match the declarations");
  add_common_flags(*apply, apply_flags);
  add_declaration_flags(*apply, apply_options.declarations);
  apply->add_flag("--auto-approve", apply_options.auto_approve, "Apply without asking for confirmation");
  apply->add_option("--output", apply_options.output_dir,
                    "Write ConfigMaps as YAML files into this directory instead of applying them to Kubernetes");
  bool no_kubernetes = false;
  add_github_flags(*apply, apply_options.github,
                   "publish nothing there; roles keep the repository ids they pin, or trust any ids");
  apply->add_flag("--no-kubernetes", no_kubernetes, "Do not publish ConfigMaps to Kubernetes");
  auto* kubeconfig =
      apply->add_option("--kubeconfig", apply_options.kubeconfig,
                        "Kubeconfig file [default: $KUBECONFIG, ~/.kube/config, then the in-cluster service account]");
  kubeconfig->check(CLI::ExistingFile);

  auto* version = app.add_subcommand("version", "Print the version");

  auto arguments = terraform_style_flags(argc, argv);
  std::vector<char*> argument_pointers;
  for (auto& argument : arguments) argument_pointers.push_back(argument.data());
  CLI11_PARSE(app, static_cast<int>(argument_pointers.size()), argument_pointers.data());

  if (version->parsed()) {
    std::cout << "berth " << BERTH_VERSION << "\n";
    return 0;
  }
  const CommonFlags& flags = serve->parsed()        ? serve_flags
                             : repository->parsed() ? repository_flags
                             : role->parsed()       ? role_flags
                             : access_key->parsed() ? access_key_flags
                             : audit->parsed()      ? audit_flags
                             : lifecycle->parsed()  ? lifecycle_flags
                             : gc->parsed()         ? gc_flags
                             : plan->parsed()       ? plan_flags
                             : apply->parsed()      ? apply_flags
                                                    : fsck_flags;
  auto settings = resolve_settings(flags);
  if (!settings.ok()) {
    std::cerr << "berth: " << settings.error().message << "\n";
    return 2;
  }
  if (fsck->parsed()) return run_fsck(*settings);
  if (repository_create->parsed()) return berth::app::create_repository(*settings, repository_name);
  if (repository_list->parsed()) return berth::app::list_repositories(*settings);
  if (repository_delete->parsed()) return berth::app::delete_repository(*settings, repository_name, force);
  if (role_put->parsed()) return berth::app::put_role(*settings, role_file);
  if (role_list->parsed()) return berth::app::list_roles(*settings);
  if (role_delete->parsed()) return berth::app::delete_role(*settings, role_name);
  if (access_key_create->parsed()) {
    return berth::app::create_access_key(*settings, access_key_role, std::chrono::days(access_key_days));
  }
  if (access_key_list->parsed()) return berth::app::list_access_keys(*settings, access_key_role_filter);
  if (access_key_delete->parsed()) return berth::app::delete_access_key(*settings, access_key_id);
  if (audit->parsed()) return berth::app::print_audit_events(*settings, audit_options, std::cout);
  if (lifecycle_run->parsed()) {
    return berth::app::run_lifecycle_command(*settings, lifecycle_options, std::cout, std::chrono::system_clock::now());
  }
  if (gc->parsed()) return berth::app::run_gc_command(*settings, gc_dry_run, std::cout, std::chrono::system_clock::now());
  if (plan->parsed()) return berth::app::run_plan(*settings, plan_options);
  if (apply->parsed()) {
    apply_options.kubernetes = !no_kubernetes;
    return berth::app::run_apply(*settings, apply_options);
  }

  if (!listen.empty()) settings->listen = listen;
  if (anonymous) settings->anonymous = true;
  if (tls_certificate.empty() != tls_key.empty()) {
    std::cerr << "berth: --tls-cert and --tls-key go together\n";
    return 2;
  }
  if (!tls_certificate.empty()) settings->tls = berth::app::TlsSettings{tls_certificate, tls_key};
  return berth::app::serve(*settings);
}

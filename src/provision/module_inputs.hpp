// The inputs of berth's `module` blocks, checked against the MoJ module 7.1.1 (interfaces.md
// §1.2) and turned into typed values. Errors point at the offending input, or list element, as
// "file:line:col: message".
//
// Berth adds `image_tag_mutability` and `image_tag_mutability_exclusion_filters`, which the MoJ
// module lacks (its repositories are MUTABLE, the default here too), with the ECR API's rules.
//
// Terraform converts primitive types the way this does: a number or bool given for a string input
// becomes its text (`is_production = true` → "true"), and null means "not set".
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "metadata/tag_mutability_setting.hpp"
#include "provision/declarations.hpp"

namespace berth::provision {

struct ModuleInputs {
  std::string label;
  hcl::Position position;
  std::string repo_name;
  std::string team_name;
  std::vector<std::string> oidc_providers;  // "github", "circleci"
  std::vector<std::string> github_repositories;
  std::vector<std::string> github_environments;
  std::string github_actions_prefix;
  std::optional<std::string> namespace_name;
  std::optional<std::string> lifecycle_policy;  // validated text: the explicit policy, else the canned one
  bool deletion_protection = true;
  metadata::TagMutabilitySetting tag_mutability;
  std::optional<std::string> business_unit;
  std::optional<std::string> application;
  std::optional<std::string> is_production;
  std::optional<std::string> environment_name;
  std::optional<std::string> infrastructure_support;

  std::string repository() const { return team_name + "/" + repo_name; }
  bool uses(std::string_view provider) const;
};

// Berth's modules, validated, and a line for each module that is not berth's.
struct ModuleSelection {
  std::vector<ModuleInputs> modules;
  std::vector<std::string> skipped;  // "main.tf:3:1: module \"other\" (source \"...\")"
};

// One berth module. Refuses unknown inputs (with a "did you mean"), wrong types, missing
// repo_name/team_name, unknown OIDC providers, circleci without namespace, a CI provider without
// github_repositories, GitHub repository names with "/" (URLs) or other characters GitHub does not
// allow, repository names outside the OCI grammar, an empty environment_name, invalid
// lifecycle policies and tag mutability settings the ECR API would refuse.
Result<ModuleInputs> read_module_inputs(const ModuleBlock& module);

// Every module of `declarations`; also refuses two modules declaring the same repository.
Result<ModuleSelection> select_modules(const Declarations& declarations);

}  // namespace berth::provision

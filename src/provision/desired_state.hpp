// What a directory of declarations asks for, after validation: the repositories, the CI roles that
// may push to them, and the values CI needs published to GitHub and to Kubernetes (design.md §1
// step 2, interfaces.md §1). Built by build_desired_state() from the parsed `module "ecr"` blocks
// and the server's settings; compared with the current state by the planner.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "metadata/tag_mutability_setting.hpp"

namespace berth::provision {

// Where declarations came from, for messages: "main.tf:12:3".
struct SourceRef {
  std::string file;
  int line = 0;
  int column = 0;
};

struct DesiredRepository {
  std::string name;                             // <team_name>/<repo_name>
  std::map<std::string, std::string> tags;      // business-unit, application, is-production, owner, namespace, ...
  std::optional<std::string> lifecycle_policy;  // validated ECR lifecycle JSON (explicit or canned)
  bool deletion_protection = true;
  bool scan_on_push = true;  // the module forces it since 6.0.0
  metadata::TagMutabilitySetting tag_mutability;
  SourceRef declared_at;
};

struct DesiredRole {
  std::string name;          // stable: berth-ecr-<16 hex of sha256(repository)>-<github|circleci>
  std::string trust_policy;  // JSON text (interfaces.md §1.4)
  std::string policies;      // JSON array text with one push/pull policy (§1.3 aws_iam_policy.ecr)
  std::int64_t max_session_duration_seconds = 3600;
  std::string repository;  // the repository it serves
};

// A GitHub repository (owner from the server's github provider), or one of its environments.
struct GithubScope {
  std::string owner;
  std::string repository;
  std::string environment;  // empty: repository level

  auto operator<=>(const GithubScope&) const = default;
};

// A GitHub repository's numeric ids, as GitHub's immutable `sub` format carries them.
struct GithubRepositoryIds {
  std::int64_t owner_id = 0;
  std::int64_t repository_id = 0;

  bool operator==(const GithubRepositoryIds&) const = default;
};

// How a GitHub repository's tokens in the immutable format are trusted, for plan and apply to show.
struct GithubTrust {
  std::string repository;  // owner/repo
  std::string subject;     // repo:owner@65/repo@74:* when pinned, repo:owner@*/repo@*:* when not
  bool pinned = false;
  std::string note;  // where the ids come from, or why there are none

  bool operator==(const GithubTrust&) const = default;
};

struct GithubValue {
  GithubScope scope;
  std::string name;  // e.g. PRODUCTION_ECR_ROLE_TO_ASSUME
  std::string value;
  bool secret = false;
  std::string repository;  // the berth repository it belongs to
};

struct ConfigMap {
  std::string namespace_name;
  std::string name;                         // <repo_name with _ as ->-circleci
  std::map<std::string, std::string> data;  // ecr_role_to_assume, ecr_region, ecr_repository, ecr_registry_id
  std::string repository;
};

struct DesiredState {
  std::vector<DesiredRepository> repositories;
  std::vector<DesiredRole> roles;
  std::vector<GithubValue> github_values;
  std::vector<ConfigMap> config_maps;
  std::vector<GithubTrust> github_trust;     // one per GitHub repository a github role trusts
  std::vector<std::string> skipped_modules;  // "main.tf:3:1: module \"other\" (source ...)": not berth's
};

}  // namespace berth::provision

// The outside systems apply writes to, as interfaces so the planner and applier are tested with
// fakes and the real clients (GitHub REST over libcurl, the Kubernetes API) are tested against
// contract-following fake servers. Every call is idempotent; errors carry a message that says what
// was attempted (and the HTTP status), never a token or a secret value.
#pragma once

#include <string>
#include <string_view>

#include "common/result.hpp"
#include "provision/desired_state.hpp"

namespace berth::provision {

class GithubPublisher {
 public:
  virtual ~GithubPublisher() = default;
  // GET /repos/{owner}/{repository}: its `owner.id` and `id`. not_found when GitHub answers 404 (no
  // such repository, or the token cannot see it); invalid_argument when GitHub knows it under
  // another name, which tokens would carry instead.
  virtual Result<GithubRepositoryIds> repository_ids(std::string_view owner, std::string_view repository) = 0;
  // Creates the environment when it is missing (PUT /repos/{o}/{r}/environments/{env}).
  virtual Status ensure_environment(const GithubScope& scope) = 0;
  // Variables: create (POST), or update (PATCH) when it exists (409 on create).
  virtual Status put_variable(const GithubScope& scope, std::string_view name, std::string_view value) = 0;
  // Secrets: sealed with the scope's public key (libsodium crypto_box_seal), then PUT.
  virtual Status put_secret(const GithubScope& scope, std::string_view name, std::string_view value) = 0;
  // Deleting what is absent (404) succeeds.
  virtual Status delete_variable(const GithubScope& scope, std::string_view name) = 0;
  virtual Status delete_secret(const GithubScope& scope, std::string_view name) = 0;
};

class KubernetesPublisher {
 public:
  virtual ~KubernetesPublisher() = default;
  // Server-side apply with fieldManager=berth.
  virtual Status apply_config_map(const ConfigMap& config_map) = 0;
  // Deleting what is absent (404) succeeds.
  virtual Status delete_config_map(std::string_view namespace_name, std::string_view name) = 0;
};

}  // namespace berth::provision

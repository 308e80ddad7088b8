// What a role session may do: the role's permission policies and, on a repository, the
// repository's policy (both read from the metadata store, so a change takes effect on the next
// request), narrowed by the session policy given to STS, with IAM's evaluation rules
// (iam_policy.hpp, evaluate_for_session). Shared by the registry's access decision and the ECR API.
//
//   RolePermissions permissions(metadata, {"123456789012", "eu-west-2"});
//   Result<bool> ok = permissions.allows(session_view(claims), "ecr:PutImage",
//                                        permissions.repository_arn("team/app"));
//
// Parsed policy documents are cached per role and per repository, reused while the stored text is
// unchanged. Thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "auth/iam_policy.hpp"
#include "common/result.hpp"
#include "metadata/metadata_store.hpp"

namespace berth::auth {

struct AccountSettings {
  std::string account_id;  // 12 digits
  std::string region;      // "eu-west-2"
};

// IAM's RoleName rule: 1 to 64 of [\w+=,.@-] (\w being ASCII letters, digits and '_').
bool is_valid_role_name(std::string_view name);

// `arn:aws:iam::<account>:role/<name>` → `<name>`; invalid_argument when the ARN is not a role of
// this account or the name is not a valid role name.
Result<std::string> role_name_from_arn(std::string_view role_arn, const AccountSettings& account);
std::string role_arn(std::string_view role_name, const AccountSettings& account);
// `arn:aws:sts::<account>:assumed-role/<role name>/<session name>`
std::string assumed_role_arn(std::string_view role_name, std::string_view session_name,
                             const AccountSettings& account);

// The role session a request is made as; views into the caller's claims.
struct SessionView {
  std::string_view role_arn;
  std::string_view role_session_name;
  std::optional<std::string_view> session_policy;  // the JSON text given to STS, already validated
};

// Any claims with a role ARN, a session name and a session policy (SessionClaims,
// RegistryPasswordClaims).
template <typename Claims>
SessionView session_view(const Claims& claims) {
  SessionView view{claims.role_arn, claims.role_session_name, std::nullopt};
  if (claims.session_policy) view.session_policy = *claims.session_policy;
  return view;
}

class RolePermissions {
 public:
  RolePermissions(metadata::MetadataStore& metadata, AccountSettings account);

  const AccountSettings& account() const { return account_; }
  // `arn:aws:ecr:<region>:<account>:repository/<name>`
  std::string repository_arn(std::string_view repository) const;

  // Whether `session` may perform `action` on `resource`. false when the role no longer exists;
  // internal when the store fails or a stored document no longer parses.
  Result<bool> allows(const SessionView& session, std::string_view action, std::string_view resource);
  // The same for every one of `actions` (a registry push needs five): the role and the repository
  // are read and the session policy parsed once for all of them.
  Result<bool> allows_all(const SessionView& session, std::span<const std::string_view> actions,
                          std::string_view resource);
  // As `allows`, with `repository_policy` in place of the repository's stored policy: what a
  // SetRepositoryPolicy would leave the caller allowed to do.
  Result<bool> allows_under(const SessionView& session, std::string_view action, std::string_view resource,
                            const PolicyDocument& repository_policy);

 private:
  // Parsed documents, valid while the stored text they came from is unchanged.
  struct CachedPolicies {
    std::string text;
    std::shared_ptr<const std::vector<PolicyDocument>> documents;
  };
  using PolicyCache = std::map<std::string, CachedPolicies, std::less<>>;
  using Policies = std::shared_ptr<const std::vector<PolicyDocument>>;

  Result<bool> decide(const SessionView& session, std::span<const std::string_view> actions,
                      std::string_view resource, const PolicyDocument* repository_policy);
  // The role's parsed permission policies; nullptr when the role does not exist.
  Result<Policies> role_policies(std::string_view role_name);
  // The policy of the repository `resource` names; nullptr when `resource` is not a repository of
  // this registry, or the repository has no policy (or does not exist).
  Result<Policies> repository_policy(std::string_view resource);
  // `text` parsed by `parse` through `cache` under `key`.
  template <typename Parse>
  Result<Policies> cached(PolicyCache& cache, std::string_view key, std::string text, Parse parse);
  void forget(PolicyCache& cache, std::string_view key);

  metadata::MetadataStore& metadata_;
  const AccountSettings account_;
  const std::string repository_arn_prefix_;
  std::mutex mutex_;  // guards both caches
  PolicyCache roles_;
  PolicyCache repositories_;
};

}  // namespace berth::auth

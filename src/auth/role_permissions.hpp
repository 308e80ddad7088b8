// What a role session may do: the role's permission policies (read from the metadata store, so a
// changed or deleted role takes effect on the next request), narrowed by the session policy given
// to STS. Shared by the registry's access decision and the ECR API.
//
//   RolePermissions permissions(metadata, {"123456789012", "eu-west-2"});
//   Result<bool> ok = permissions.allows(session_role_arn, session_policy, "ecr:PutImage",
//                                        permissions.repository_arn("team/app"));
//
// Parsed policy documents are cached per role and reused while the stored role is unchanged.
// Thread-safe.
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

class RolePermissions {
 public:
  RolePermissions(metadata::MetadataStore& metadata, AccountSettings account);

  const AccountSettings& account() const { return account_; }
  // `arn:aws:ecr:<region>:<account>:repository/<name>`
  std::string repository_arn(std::string_view repository) const;

  // Whether the session of `role_arn`, narrowed by `session_policy` (the JSON text given to STS,
  // already validated), may perform `action` on `resource`. false when the role no longer
  // exists; internal when the store fails or a stored document no longer parses.
  Result<bool> allows(std::string_view role_arn, const std::optional<std::string>& session_policy,
                      std::string_view action, std::string_view resource);
  // The same for every one of `actions` (a registry push needs five): the role is read and the
  // session policy parsed once for all of them.
  Result<bool> allows_all(std::string_view role_arn, const std::optional<std::string>& session_policy,
                          std::span<const std::string_view> actions, std::string_view resource);

 private:
  // Valid while the stored text is unchanged (the updated time has one-second resolution, so it
  // cannot tell two updates within a second apart).
  struct CachedRole {
    std::string policies_text;
    std::shared_ptr<const std::vector<PolicyDocument>> policies;
  };
  // The role's parsed permission policies; nullptr when the role does not exist.
  Result<std::shared_ptr<const std::vector<PolicyDocument>>> policies_of(std::string_view role_name);

  metadata::MetadataStore& metadata_;
  const AccountSettings account_;
  std::mutex mutex_;  // guards cache_
  std::map<std::string, CachedRole, std::less<>> cache_;
};

}  // namespace berth::auth

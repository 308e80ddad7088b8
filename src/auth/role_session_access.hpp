// The registry's access policy once credentials are federated: a caller logs in with the ECR
// registry password GetAuthorizationToken issued (`docker login -u AWS`), and may do to a
// repository exactly what its role session may do there (interfaces.md §8.12, issue 3):
//
//   RoleSessionAccess access(key_ring, role_permissions, "https://registry.example");
//   Registry registry(blobs, metadata, access, blocking, options);
//
// Each registry action needs every ECR action it stands for (see required_ecr_actions). Roles are
// read through RolePermissions on every decision, so a changed or deleted role takes effect on the
// caller's next request. Repositories are never created by a push, as in ECR. Thread-safe.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "auth/access_policy.hpp"
#include "auth/key_ring.hpp"
#include "auth/role_permissions.hpp"

namespace berth::auth {

// The ECR actions a registry action needs on the repository, all of them.
std::span<const std::string_view> required_ecr_actions(Action action);

class RoleSessionAccess final : public AccessPolicy {
 public:
  // `realm` is the registry's public URL, named in the 401 challenge.
  RoleSessionAccess(const KeyRing& keys, RolePermissions& permissions, std::string realm);

  // `Authorization: Basic base64("AWS:<password>")`. An expired password is `denied` with ECR's
  // message (the registry answers 403 DENIED); anything else wrong is unauthorized.
  Result<Caller> authenticate(std::optional<std::string_view> authorization) override;
  // false for a caller without a session, and when the store fails (logged as an error).
  bool allows(const Caller& caller, std::string_view repository, Action action) override;
  bool creates_repository_on_push() const override { return false; }
  std::string challenge() const override;

 private:
  const KeyRing& keys_;
  RolePermissions& permissions_;
  const std::string realm_;
};

}  // namespace berth::auth

// The one place that decides whether a caller may read or write a repository.
//
// Every front door authenticates the request once (from its Authorization header) and asks
// `allows` before touching a repository. Until OIDC-federated credentials land, two policies
// exist: AnonymousAccess (only with an explicit --anonymous) and DenyAllAccess (the default).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "auth/session_token.hpp"
#include "common/result.hpp"

namespace berth::auth {

// What a registry request does to a repository, named after the ECR action groups it maps to.
enum class Action {
  pull,    // ecr:BatchGetImage, ecr:GetDownloadUrlForLayer
  push,    // ecr:InitiateLayerUpload, ecr:UploadLayerPart, ecr:CompleteLayerUpload, ecr:PutImage, ...
  delete_  // ecr:BatchDeleteImage
};

struct Caller {
  std::string name;  // for logs and audit: "anonymous", or a session ARN
  bool anonymous = false;
  // Set when the caller logged in with an ECR registry password: who they are, for audit events,
  // and the role session whose policies decide `allows`.
  std::optional<RegistryPasswordClaims> session;
  // Set when the request carried a download grant (download_grant.hpp) for the blob it reads: the
  // grant itself is the permission, for that GET or HEAD alone.
  bool download_grant = false;
};

class AccessPolicy {
 public:
  virtual ~AccessPolicy() = default;
  // unauthorized when the header is missing or not a valid credential.
  virtual Result<Caller> authenticate(std::optional<std::string_view> authorization) = 0;
  virtual bool allows(const Caller& caller, std::string_view repository, Action action) = 0;
  // Whether a push to a repository that does not exist creates it (the reference registry's
  // behaviour, kept for anonymous mode) or is NAME_UNKNOWN (ECR's).
  virtual bool creates_repository_on_push() const = 0;
  // The realm of the WWW-Authenticate challenge sent with 401.
  virtual std::string challenge() const = 0;
};

// Everyone may do everything; repositories are created on first push.
class AnonymousAccess final : public AccessPolicy {
 public:
  Result<Caller> authenticate(std::optional<std::string_view>) override {
    return Caller{"anonymous", true, std::nullopt};
  }
  bool allows(const Caller&, std::string_view, Action) override { return true; }
  bool creates_repository_on_push() const override { return true; }
  std::string challenge() const override { return {}; }
};

// Nobody is authenticated: the registry answers 401 with a Basic challenge.
class DenyAllAccess final : public AccessPolicy {
 public:
  explicit DenyAllAccess(std::string realm) : realm_(std::move(realm)) {}
  Result<Caller> authenticate(std::optional<std::string_view>) override {
    return make_error(ErrorCode::unauthorized, "authentication required");
  }
  bool allows(const Caller&, std::string_view, Action) override { return false; }
  bool creates_repository_on_push() const override { return false; }
  std::string challenge() const override { return "Basic realm=\"" + realm_ + "\""; }

 private:
  std::string realm_;
};

}  // namespace berth::auth

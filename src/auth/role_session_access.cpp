#include "auth/role_session_access.hpp"

#include <strings.h>

#include <array>
#include <chrono>
#include <utility>

#include "common/base64.hpp"
#include "common/log.hpp"

namespace berth::auth {
namespace {

// interfaces.md §8.12: the ECR actions behind the reference registry's pull/push/delete scopes.
constexpr std::array<std::string_view, 2> kPullActions{"ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"};
constexpr std::array<std::string_view, 5> kPushActions{"ecr:InitiateLayerUpload", "ecr:UploadLayerPart",
                                                       "ecr:CompleteLayerUpload", "ecr:PutImage",
                                                       "ecr:BatchCheckLayerAvailability"};
constexpr std::array<std::string_view, 1> kDeleteActions{"ecr:BatchDeleteImage"};

constexpr std::string_view kUser = "AWS";

Error unauthorized() { return make_error(ErrorCode::unauthorized, "authentication required"); }

bool equals_ignore_case(std::string_view a, std::string_view b) {
  return a.size() == b.size() && ::strncasecmp(a.data(), b.data(), a.size()) == 0;
}

// The password of `Basic base64("AWS:<password>")` (the scheme is case-insensitive, RFC 9110
// §11.1), or nullopt when the header has any other shape.
std::optional<std::string> basic_password(std::string_view authorization) {
  auto space = authorization.find(' ');
  if (space == std::string_view::npos || !equals_ignore_case(authorization.substr(0, space), "Basic")) {
    return std::nullopt;
  }
  std::string_view credentials = authorization.substr(space + 1);
  while (!credentials.empty() && credentials.front() == ' ') credentials.remove_prefix(1);
  auto decoded = base64::decode(credentials);
  if (!decoded.ok()) return std::nullopt;
  std::string_view pair = *decoded;
  auto colon = pair.find(':');
  if (colon == std::string_view::npos || pair.substr(0, colon) != kUser) return std::nullopt;
  return std::string(pair.substr(colon + 1));
}

}  // namespace

std::span<const std::string_view> required_ecr_actions(Action action) {
  switch (action) {
    case Action::pull:
      return kPullActions;
    case Action::push:
      return kPushActions;
    case Action::delete_:
      return kDeleteActions;
  }
  return {};
}

RoleSessionAccess::RoleSessionAccess(const KeyRing& keys, RolePermissions& permissions, std::string realm)
    : keys_(keys), permissions_(permissions), realm_(std::move(realm)) {}

Result<Caller> RoleSessionAccess::authenticate(std::optional<std::string_view> authorization) {
  if (!authorization) return unauthorized();
  auto password = basic_password(*authorization);
  if (!password) return unauthorized();
  auto claims = open_registry_password(keys_, *password, std::chrono::system_clock::now());
  if (!claims.ok()) {
    if (claims.error().code == ErrorCode::denied) return std::move(claims).error();
    return unauthorized();
  }
  auto role_name = role_name_from_arn(claims->role_arn, permissions_.account());
  if (!role_name.ok()) return unauthorized();
  Caller caller;
  caller.name = assumed_role_arn(*role_name, claims->role_session_name, permissions_.account());
  caller.session = std::move(*claims);
  return caller;
}

bool RoleSessionAccess::allows(const Caller& caller, std::string_view repository, Action action) {
  if (!caller.session) return false;
  auto allowed = permissions_.allows_all(session_view(*caller.session), required_ecr_actions(action),
                                         permissions_.repository_arn(repository));
  if (!allowed.ok()) {
    log::error("access decision failed", {{"caller", caller.name},
                                          {"repository", std::string(repository)},
                                          {"error", allowed.error().message}});
    return false;
  }
  return *allowed;
}

std::string RoleSessionAccess::challenge() const { return "Basic realm=\"" + realm_ + "\""; }

}  // namespace berth::auth

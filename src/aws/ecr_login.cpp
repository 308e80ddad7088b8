#include "aws/ecr_login.hpp"

#include <chrono>
#include <string>

#include "auth/audit_identity.hpp"
#include "common/base64.hpp"
#include "common/log.hpp"

namespace berth::aws {
namespace {

constexpr std::string_view kAction = "ecr:GetAuthorizationToken";
constexpr std::size_t kMaxRegistryIds = 10;

Status check_registry_ids(const EcrServices& services, const EcrJsonInput& input) {
  Result<std::optional<std::vector<std::string>>> ids = input.strings("registryIds", 1, kMaxRegistryIds);
  if (!ids) return std::move(ids).error();
  if (!ids->has_value()) return {};
  for (const std::string& id : **ids) {
    if (id != services.options.account.account_id) {
      return input.invalid("registryIds",
                           "Member must contain only this registry's id, " + services.options.account.account_id);
    }
  }
  return {};
}

Result<std::chrono::seconds> role_max_session_duration(EcrServices& services, const EcrCall& call) {
  Result<std::string> name = auth::role_name_from_arn(call.session.role_arn, services.options.account);
  if (!name) return std::move(name).error();
  Result<std::optional<metadata::RoleRecord>> role = services.metadata.get_role(*name);
  if (!role) return std::move(role).error();
  // The role was deleted since the policy check: its sessions are worth nothing now.
  if (!role->has_value()) return make_error(ErrorCode::aws_access_denied, "The role " + *name + " no longer exists");
  return std::chrono::seconds((*role)->max_session_duration_seconds);
}

metadata::AuditEvent audit_event(const EcrCall& call, const auth::RegistryPasswordClaims& claims) {
  return auth::audit_event_for(std::string(kAction),
                               {claims.role_arn, claims.role_session_name, claims.access_key_id, claims.source},
                               call.source_address, claims.issued_at);
}

}  // namespace

Result<EcrOutput> get_authorization_token(EcrServices& services, const EcrCall& call, std::string_view body) {
  Result<EcrJsonInput> input = EcrJsonInput::parse(body, {"registryIds"});
  if (!input) return std::move(input).error();
  BERTH_TRY(check_registry_ids(services, *input));
  BERTH_TRY(authorize(services, call, kAction, "*"));

  Result<std::chrono::seconds> role_max = role_max_session_duration(services, call);
  if (!role_max) return std::move(role_max).error();
  const auto now = std::chrono::floor<std::chrono::seconds>(call.now);
  auth::RegistryPasswordClaims claims =
      auth::registry_password_for(call.session, now, services.options.registry_password_lifetime, *role_max);
  if (claims.expires_at <= now) {
    return make_error(ErrorCode::aws_access_denied,
                      "The session has outlived its role's maximum session duration; assume the role again");
  }
  Result<std::string> password = auth::seal_registry_password(services.keys, claims);
  if (!password) return std::move(password).error();
  // Basic credentials split at the first ':'; the sealed text is base64url and never holds one.
  if (password->find(':') != std::string::npos) {
    return make_error(ErrorCode::internal, "registry password contains ':'");
  }

  const std::int64_t expires_at = claims.expires_at.time_since_epoch().count();
  log::info("ecr authorization token issued", {{"role_arn", claims.role_arn},
                                               {"role_session_name", claims.role_session_name},
                                               {"access_key_id", claims.access_key_id},
                                               {"source_address", call.source_address},
                                               {"expires_at", std::to_string(expires_at)}});
  nlohmann::json data{{"authorizationToken", base64::encode("AWS:" + *password)},
                      {"expiresAt", expires_at},
                      {"proxyEndpoint", services.options.public_url}};
  return EcrOutput{nlohmann::json{{"authorizationData", nlohmann::json::array({std::move(data)})}},
                   {audit_event(call, claims)}};
}

}  // namespace berth::aws

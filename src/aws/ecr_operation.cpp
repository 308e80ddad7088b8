#include "aws/ecr_operation.hpp"

#include "auth/audit_identity.hpp"
#include "aws/sts_service.hpp"
#include "common/names.hpp"

namespace berth::aws {
namespace {

constexpr std::size_t kMinRepositoryName = 2;
constexpr std::size_t kMaxRepositoryName = 256;

// `User: <assumed-role ARN> is not authorized to perform: <action> on resource: <resource> because
// no identity-based policy allows the <action> action`, as AWS words an implicit deny.
Error access_denied(const EcrServices& services, const EcrCall& call, std::string_view action,
                    std::string_view resource) {
  Result<AssumedRoleUser> user =
      assumed_role_user(call.session.role_arn, call.session.role_session_name, services.options.account);
  const std::string who = user ? user->arn : call.session.role_arn;
  return make_error(ErrorCode::aws_access_denied,
                    "User: " + who + " is not authorized to perform: " + std::string(action) +
                        " on resource: " + std::string(resource) + " because no identity-based policy allows the " +
                        std::string(action) + " action");
}

}  // namespace

Result<bool> may(EcrServices& services, const EcrCall& call, std::string_view action, std::string_view resource) {
  return services.permissions.allows(auth::session_view(call.session), action, resource);
}

Status authorize(EcrServices& services, const EcrCall& call, std::string_view action, std::string_view resource) {
  Result<bool> allowed = may(services, call, action, resource);
  if (!allowed) return std::move(allowed).error();
  if (!*allowed) return access_denied(services, call, action, resource);
  return {};
}

Error repository_not_found(const EcrServices& services, std::string_view repository) {
  return make_error(ErrorCode::aws_repository_not_found, "The repository with name '" + std::string(repository) +
                                                             "' does not exist in the registry with id '" +
                                                             services.options.account.account_id + "'");
}

Status check_registry_id(const EcrServices& services, const EcrJsonInput& input) {
  Result<std::optional<std::string>> registry_id = input.string("registryId");
  if (!registry_id) return std::move(registry_id).error();
  if (registry_id->has_value() && **registry_id != services.options.account.account_id) {
    return input.invalid("registryId", "Member must be this registry's id, " + services.options.account.account_id);
  }
  return {};
}

Status check_repository_name(const EcrJsonInput& input, std::string_view member, std::string_view name) {
  if (name.size() < kMinRepositoryName || name.size() > kMaxRepositoryName) {
    return input.invalid(member, "Member must have length between 2 and 256");
  }
  if (!is_valid_repository_name(name)) {
    return input.invalid(member,
                         "Member must satisfy regular expression pattern: "
                         "(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*");
  }
  return {};
}

Result<std::string> authorized_repository_name(EcrServices& services, const EcrCall& call, const EcrJsonInput& input,
                                               std::string_view action) {
  BERTH_TRY(check_registry_id(services, input));
  Result<std::string> name = input.required_string("repositoryName");
  if (!name) return std::move(name).error();
  BERTH_TRY(check_repository_name(input, "repositoryName", *name));
  BERTH_TRY(authorize(services, call, action, services.permissions.repository_arn(*name)));
  return name;
}

metadata::AuditEvent change_event(const EcrCall& call, std::string action, std::string_view repository) {
  const auth::SessionClaims& session = call.session;
  metadata::AuditEvent event = auth::audit_event_for(
      std::move(action), {session.role_arn, session.role_session_name, session.access_key_id, session.source},
      call.source_address, std::chrono::floor<std::chrono::seconds>(call.now));
  event.repository = repository;
  return event;
}

Result<std::string> open_repository(EcrServices& services, const EcrCall& call, const EcrJsonInput& input,
                                    std::string_view action) {
  Result<std::string> name = authorized_repository_name(services, call, input, action);
  if (!name) return std::move(name).error();
  Result<bool> exists = services.metadata.repository_exists(*name);
  if (!exists) return std::move(exists).error();
  if (!*exists) return repository_not_found(services, *name);
  return name;
}

}  // namespace berth::aws

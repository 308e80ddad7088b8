#include "auth/role_permissions.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <utility>

namespace berth::auth {
namespace {

constexpr std::size_t kMaxRoleNameLength = 64;

bool is_role_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         std::string_view("_+=,.@-").find(c) != std::string_view::npos;
}

std::string role_arn_prefix(const AccountSettings& account) { return "arn:aws:iam::" + account.account_id + ":role/"; }

// The role's `policies` column: a JSON array of permission policy documents.
Result<std::vector<PolicyDocument>> parse_role_policies(std::string_view role_name, std::string_view text) {
  auto array = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!array.is_array()) {
    return make_error(ErrorCode::internal, "role " + std::string(role_name) + ": stored policies are not a JSON array");
  }
  std::vector<PolicyDocument> documents;
  documents.reserve(array.size());
  for (const auto& element : array) {
    auto document = parse_policy(element.dump(), PolicyKind::permission);
    if (!document.ok()) {
      return make_error(ErrorCode::internal, "role " + std::string(role_name) +
                                                 ": stored policy no longer parses: " + document.error().message);
    }
    documents.push_back(std::move(*document));
  }
  return documents;
}

}  // namespace

bool is_valid_role_name(std::string_view name) {
  return !name.empty() && name.size() <= kMaxRoleNameLength && std::ranges::all_of(name, is_role_name_char);
}

Result<std::string> role_name_from_arn(std::string_view role_arn, const AccountSettings& account) {
  const std::string prefix = role_arn_prefix(account);
  if (!role_arn.starts_with(prefix)) {
    return make_error(ErrorCode::invalid_argument, "not a role of account " + account.account_id);
  }
  std::string_view name = role_arn.substr(prefix.size());
  if (!is_valid_role_name(name)) return make_error(ErrorCode::invalid_argument, "invalid role name in role ARN");
  return std::string(name);
}

std::string role_arn(std::string_view role_name, const AccountSettings& account) {
  return role_arn_prefix(account) + std::string(role_name);
}

std::string assumed_role_arn(std::string_view role_name, std::string_view session_name,
                             const AccountSettings& account) {
  return "arn:aws:sts::" + account.account_id + ":assumed-role/" + std::string(role_name) + "/" +
         std::string(session_name);
}

RolePermissions::RolePermissions(metadata::MetadataStore& metadata, AccountSettings account)
    : metadata_(metadata),
      account_(std::move(account)),
      repository_arn_prefix_("arn:aws:ecr:" + account_.region + ":" + account_.account_id + ":repository/") {}

std::string RolePermissions::repository_arn(std::string_view repository) const {
  return repository_arn_prefix_ + std::string(repository);
}

Result<bool> RolePermissions::allows(const SessionView& session, std::string_view action, std::string_view resource) {
  return allows_all(session, std::span<const std::string_view>(&action, 1), resource);
}

Result<bool> RolePermissions::allows_all(const SessionView& session, std::span<const std::string_view> actions,
                                         std::string_view resource) {
  auto repository = repository_policy(resource);
  if (!repository.ok()) return std::move(repository).error();
  const PolicyDocument* document = *repository != nullptr ? &(*repository)->front() : nullptr;
  return decide(session, actions, resource, document);
}

Result<bool> RolePermissions::allows_under(const SessionView& session, std::string_view action,
                                           std::string_view resource, const PolicyDocument& repository_policy) {
  return decide(session, std::span<const std::string_view>(&action, 1), resource, &repository_policy);
}

Result<bool> RolePermissions::decide(const SessionView& session, std::span<const std::string_view> actions,
                                     std::string_view resource, const PolicyDocument* repository_policy) {
  auto name = role_name_from_arn(session.role_arn, account_);
  if (!name.ok()) return std::move(name).error();
  auto role = role_policies(*name);
  if (!role.ok()) return std::move(role).error();
  if (*role == nullptr) return false;

  std::optional<PolicyDocument> session_policy;
  if (session.session_policy) {
    auto parsed = parse_policy(*session.session_policy, PolicyKind::session);
    if (!parsed.ok()) {
      return make_error(ErrorCode::internal, "session policy no longer parses: " + parsed.error().message);
    }
    session_policy = std::move(*parsed);
  }
  AwsCaller caller{account_.account_id, std::string(session.role_arn),
                   assumed_role_arn(*name, session.role_session_name, account_)};
  // The global condition keys IAM sets for a role session, so that policies can test them.
  RequestContext request{"", std::string(resource), "",
                         {{"aws:PrincipalArn", {caller.role_arn}},
                          {"aws:PrincipalAccount", {caller.account_id}},
                          {"aws:PrincipalType", {"AssumedRole"}}},
                         &caller};
  for (std::string_view action : actions) {
    request.action = action;
    Decision decision =
        evaluate_for_session(**role, repository_policy, session_policy ? &*session_policy : nullptr, request);
    if (decision != Decision::allow) return false;
  }
  return true;
}

template <typename Parse>
Result<RolePermissions::Policies> RolePermissions::cached(PolicyCache& cache, std::string_view key, std::string text,
                                                          Parse parse) {
  {
    std::lock_guard lock(mutex_);
    auto found = cache.find(key);
    if (found != cache.end() && found->second.text == text) return found->second.documents;
  }
  // Parsed outside the lock: two threads may both parse a changed document, and either result is right.
  Result<std::vector<PolicyDocument>> documents = parse(text);
  if (!documents.ok()) return std::move(documents).error();
  auto parsed = std::make_shared<const std::vector<PolicyDocument>>(std::move(*documents));
  std::lock_guard lock(mutex_);
  cache.insert_or_assign(std::string(key), CachedPolicies{std::move(text), parsed});
  return parsed;
}

void RolePermissions::forget(PolicyCache& cache, std::string_view key) {
  std::lock_guard lock(mutex_);
  if (auto stale = cache.find(key); stale != cache.end()) cache.erase(stale);
}

Result<RolePermissions::Policies> RolePermissions::role_policies(std::string_view role_name) {
  // The store is read on every call, so a deleted or changed role takes effect at once; only the
  // parsing is cached.
  auto role = metadata_.get_role(role_name);
  if (!role.ok()) return std::move(role).error();
  if (!*role) {
    forget(roles_, role_name);
    return Policies();
  }
  return cached(roles_, role_name, std::move((*role)->policies),
                [&](std::string_view text) { return parse_role_policies(role_name, text); });
}

Result<RolePermissions::Policies> RolePermissions::repository_policy(std::string_view resource) {
  if (!resource.starts_with(repository_arn_prefix_)) return Policies();
  std::string_view name = resource.substr(repository_arn_prefix_.size());
  auto policy = metadata_.get_repository_policy(name);
  if (!policy.ok()) return std::move(policy).error();
  if (!*policy) {
    forget(repositories_, name);
    return Policies();
  }
  return cached(repositories_, name, std::move(**policy),
                [&](std::string_view text) -> Result<std::vector<PolicyDocument>> {
                  auto document = parse_policy(text, PolicyKind::repository);
                  if (!document.ok()) {
                    return make_error(ErrorCode::internal, "repository " + std::string(name) +
                                                               ": stored policy no longer parses: " +
                                                               document.error().message);
                  }
                  return std::vector<PolicyDocument>{std::move(*document)};
                });
}

}  // namespace berth::auth

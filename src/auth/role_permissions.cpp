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

RolePermissions::RolePermissions(metadata::MetadataStore& metadata, AccountSettings account)
    : metadata_(metadata), account_(std::move(account)) {}

std::string RolePermissions::repository_arn(std::string_view repository) const {
  return "arn:aws:ecr:" + account_.region + ":" + account_.account_id + ":repository/" + std::string(repository);
}

Result<bool> RolePermissions::allows(std::string_view role_arn, const std::optional<std::string>& session_policy,
                                     std::string_view action, std::string_view resource) {
  return allows_all(role_arn, session_policy, std::span<const std::string_view>(&action, 1), resource);
}

Result<bool> RolePermissions::allows_all(std::string_view role_arn, const std::optional<std::string>& session_policy,
                                         std::span<const std::string_view> actions, std::string_view resource) {
  auto name = role_name_from_arn(role_arn, account_);
  if (!name.ok()) return std::move(name).error();
  auto policies = policies_of(*name);
  if (!policies.ok()) return std::move(policies).error();
  if (*policies == nullptr) return false;

  std::optional<PolicyDocument> session;
  if (session_policy) {
    auto parsed = parse_policy(*session_policy, PolicyKind::session);
    if (!parsed.ok()) {
      return make_error(ErrorCode::internal, "session policy no longer parses: " + parsed.error().message);
    }
    session = std::move(*parsed);
  }
  RequestContext request{"", std::string(resource), "", {}};
  for (std::string_view action : actions) {
    request.action = action;
    if (evaluate_with_session_policy(**policies, session ? &*session : nullptr, request) != Decision::allow) {
      return false;
    }
  }
  return true;
}

Result<std::shared_ptr<const std::vector<PolicyDocument>>> RolePermissions::policies_of(std::string_view role_name) {
  // The store is read on every call, so a deleted or changed role takes effect at once; only the
  // parsing is cached.
  auto role = metadata_.get_role(role_name);
  if (!role.ok()) return std::move(role).error();
  if (!*role) {
    std::lock_guard lock(mutex_);
    if (auto stale = cache_.find(role_name); stale != cache_.end()) cache_.erase(stale);
    return std::shared_ptr<const std::vector<PolicyDocument>>();
  }
  {
    std::lock_guard lock(mutex_);
    auto cached = cache_.find(role_name);
    if (cached != cache_.end() && cached->second.policies_text == (*role)->policies) {
      return cached->second.policies;
    }
  }
  // Parsed outside the lock: two threads may both parse a changed role, and either result is right.
  auto documents = parse_role_policies(role_name, (*role)->policies);
  if (!documents.ok()) return std::move(documents).error();
  auto policies = std::make_shared<const std::vector<PolicyDocument>>(std::move(*documents));
  std::lock_guard lock(mutex_);
  cache_.insert_or_assign(std::string(role_name),
                          CachedRole{std::move((*role)->policies), policies});
  return policies;
}

}  // namespace berth::auth

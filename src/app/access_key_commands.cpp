#include "app/access_key_commands.hpp"

#include <nlohmann/json.hpp>

#include <iostream>

#include "app/audit_command.hpp"
#include "app/data_stores.hpp"
#include "auth/access_key.hpp"
#include "auth/role_permissions.hpp"

namespace berth::app {
namespace {

int fail(const std::string& message, int code = 1) {
  std::cerr << "berth: " << message << "\n";
  return code;
}

// "never" for a key not used yet.
std::string time_text(std::int64_t unix_seconds) { return unix_seconds == 0 ? "never" : format_rfc3339(unix_seconds); }

}  // namespace

int create_access_key(const Settings& settings, std::string_view role_name, std::chrono::days lifetime) {
  if (!auth::is_valid_role_name(role_name)) return fail("invalid role name " + std::string(role_name), 2);
  if (lifetime.count() < 1) return fail("--expires-in-days must be at least 1", 2);
  auto metadata = open_metadata_or_report(settings.data_dir);
  if (!metadata) return 1;
  auto keys = load_key_ring(settings);
  if (!keys) return fail("cannot load the key ring: " + keys.error().message);
  const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  auto issued = auth::issue_access_key(*keys, role_name, now, lifetime);
  if (!issued) return fail(issued.error().message);
  Status stored = metadata->put_access_key(issued->record);
  if (!stored) return fail(stored.error().message);
  const nlohmann::json output{
      {"AccessKey",
       {{"AccessKeyId", issued->record.id},
        {"SecretAccessKey", issued->secret_access_key},
        {"RoleArn", auth::role_arn(role_name, {settings.account_id, settings.region})},
        {"CreateDate", time_text(issued->record.created_unix)},
        {"Expiration", time_text(issued->record.expires_unix)}}}};
  std::cout << output.dump(2) << "\n";
  return 0;
}

int list_access_keys(const Settings& settings, const std::optional<std::string>& role_name) {
  auto metadata = open_metadata_or_report(settings.data_dir);
  if (!metadata) return 1;
  std::optional<std::string_view> role;
  if (role_name) role = *role_name;
  auto listed = metadata->list_access_keys(role);
  if (!listed) return fail(listed.error().message);
  for (const metadata::AccessKeyRecord& key : *listed) {
    std::cout << key.id << "  role=" << key.role_name << "  created=" << time_text(key.created_unix)
              << "  expires=" << time_text(key.expires_unix) << "  last-used=" << time_text(key.last_used_unix)
              << "\n";
  }
  return 0;
}

int delete_access_key(const Settings& settings, std::string_view id) {
  auto metadata = open_metadata_or_report(settings.data_dir);
  if (!metadata) return 1;
  auto deleted = metadata->delete_access_key(id);
  if (!deleted) return fail(deleted.error().message);
  if (!*deleted) return fail("no access key " + std::string(id));
  std::cout << "deleted access key " << id << "\n";
  return 0;
}

}  // namespace berth::app

#include "app/role_commands.hpp"

#include <nlohmann/json.hpp>

#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>

#include "app/data_stores.hpp"
#include "auth/iam_policy.hpp"
#include "auth/role_permissions.hpp"

namespace berth::app {
namespace {

using nlohmann::json;

constexpr std::size_t kListPage = 1000;
// IAM's MaxSessionDuration range and default.
constexpr std::int64_t kMinSessionSeconds = 3600;
constexpr std::int64_t kMaxSessionSeconds = 43200;

constexpr std::string_view kRoleName = "RoleName";
constexpr std::string_view kTrustPolicy = "AssumeRolePolicyDocument";
constexpr std::string_view kPolicies = "Policies";
constexpr std::string_view kMaxSession = "MaxSessionDuration";

std::string role_arn(const Settings& settings, std::string_view name) {
  return auth::role_arn(name, {settings.account_id, settings.region});
}

// Prints why the input is refused; always nullopt, so callers can `return invalid(...)`.
std::nullopt_t invalid(const std::string& message) {
  std::cerr << "berth: " << message << "\n";
  return std::nullopt;
}

// A policy document given as an object, or as a JSON string holding one (as some AWS CLI input
// files have it), checked against `kind`. Returns the document's text.
std::optional<std::string> policy_text(const json& value, const std::string& field, auth::PolicyKind kind) {
  std::string text;
  if (value.is_object()) {
    text = value.dump();
  } else if (value.is_string()) {
    text = value.get<std::string>();
  } else {
    return invalid(field + ": must be a policy document (a JSON object)");
  }
  auto parsed = auth::parse_policy(text, kind);
  if (!parsed.ok()) return invalid(field + ": " + parsed.error().message);
  return text;
}

// The role described by `document`, or nullopt after printing what is wrong with it.
std::optional<metadata::RoleRecord> role_from_document(const json& document) {
  if (!document.is_object()) return invalid("a role file must hold a JSON object");
  for (const auto& [key, value] : document.items()) {
    if (key != kRoleName && key != kTrustPolicy && key != kPolicies && key != kMaxSession) {
      return invalid("unknown field '" + key +
                     "'; expected RoleName, AssumeRolePolicyDocument, Policies, "
                     "MaxSessionDuration");
    }
  }
  metadata::RoleRecord role;

  auto name = document.find(kRoleName);
  if (name == document.end() || !name->is_string()) return invalid("RoleName: required, a string");
  role.name = name->get<std::string>();
  if (!auth::is_valid_role_name(role.name)) {
    return invalid("RoleName: '" + role.name + "' must be 1 to 64 letters, digits or any of _+=,.@-");
  }

  auto trust = document.find(kTrustPolicy);
  if (trust == document.end()) return invalid("AssumeRolePolicyDocument: required");
  auto trust_text = policy_text(*trust, std::string(kTrustPolicy), auth::PolicyKind::trust);
  if (!trust_text) return std::nullopt;
  role.trust_policy = std::move(*trust_text);

  json policies = json::array();
  if (auto given = document.find(kPolicies); given != document.end()) {
    if (!given->is_array()) return invalid("Policies: must be a list of policy documents");
    for (std::size_t i = 0; i < given->size(); ++i) {
      auto text = policy_text((*given)[i], "Policies[" + std::to_string(i) + "]", auth::PolicyKind::permission);
      if (!text) return std::nullopt;
      policies.push_back(json::parse(*text));
    }
  }
  role.policies = policies.dump();

  role.max_session_duration_seconds = kMinSessionSeconds;
  if (auto duration = document.find(kMaxSession); duration != document.end()) {
    if (!duration->is_number_integer() || duration->get<std::int64_t>() < kMinSessionSeconds ||
        duration->get<std::int64_t>() > kMaxSessionSeconds) {
      return invalid("MaxSessionDuration: must be an integer number of seconds from 3600 to 43200");
    }
    role.max_session_duration_seconds = duration->get<std::int64_t>();
  }
  return role;
}

}  // namespace

int put_role(const Settings& settings, const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    std::cerr << "berth: cannot read " << file.string() << "\n";
    return 2;
  }
  std::stringstream content;
  content << in.rdbuf();
  json document = json::parse(content.str(), nullptr, /*allow_exceptions=*/false);
  if (document.is_discarded()) {
    std::cerr << "berth: " << file.string() << " is not JSON\n";
    return 2;
  }
  auto role = role_from_document(document);
  if (!role) return 2;

  auto metadata = open_metadata_or_report(settings.data_dir);
  if (!metadata) return 1;
  auto stored = metadata->put_role(*role);
  if (!stored.ok()) {
    std::cerr << "berth: " << stored.error().message << "\n";
    return 1;
  }
  std::cout << "stored role " << role->name << " (" << role_arn(settings, role->name) << ")\n";
  return 0;
}

int list_roles(const Settings& settings) {
  auto metadata = open_metadata_or_report(settings.data_dir);
  if (!metadata) return 1;
  std::string after;
  while (true) {
    auto page = metadata->list_roles(after, kListPage);
    if (!page.ok()) {
      std::cerr << "berth: " << page.error().message << "\n";
      return 1;
    }
    for (const auto& role : *page) {
      std::cout << role.name << "  " << role_arn(settings, role.name)
                << "  max-session=" << role.max_session_duration_seconds << "s\n";
    }
    if (page->size() < kListPage) return 0;
    after = page->back().name;
  }
}

int delete_role(const Settings& settings, std::string_view name) {
  auto metadata = open_metadata_or_report(settings.data_dir);
  if (!metadata) return 1;
  auto deleted = metadata->delete_role(name);
  if (!deleted.ok()) {
    std::cerr << "berth: " << deleted.error().message << "\n";
    return 1;
  }
  if (!*deleted) {
    std::cerr << "berth: no role named " << name << "\n";
    return 1;
  }
  std::cout << "deleted role " << name << "\n";
  return 0;
}

}  // namespace berth::app

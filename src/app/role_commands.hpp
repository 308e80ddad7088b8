// `berth role put|list|delete`: IAM roles (trust policy, permission policies, maximum session
// duration) in the metadata store. Until provisioning writes roles from declarations, operators and
// tests manage them with these commands. Each returns the process exit code and prints what it did
// (errors to stderr): 0 done, 1 the store failed or the role is absent, 2 invalid input.
#pragma once

#include <filesystem>
#include <string_view>

#include "app/settings.hpp"

namespace berth::app {

// Stores (or replaces) the role described by `file`: a JSON object with RoleName,
// AssumeRolePolicyDocument, Policies (a list of policy documents) and optional MaxSessionDuration.
// Nothing is stored unless every document is a valid IAM policy of its kind.
int put_role(const Settings& settings, const std::filesystem::path& file);
int list_roles(const Settings& settings);
int delete_role(const Settings& settings, std::string_view name);

}  // namespace berth::app

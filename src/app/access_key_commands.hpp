// `berth access-key create|list|delete`: long-lived access keys bound to a role
// (auth/access_key.hpp), for operators and automation that are not CI jobs. Each returns the
// process exit code (0 done, 1 the store failed or the role or key is absent, 2 invalid input).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "app/settings.hpp"

namespace berth::app {

// Prints the new key as JSON, the secret included: the only time it is shown.
int create_access_key(const Settings& settings, std::string_view role_name, std::chrono::days lifetime);
// Every key (of `role_name` when given): id, role, created, expires, last used; never a secret.
int list_access_keys(const Settings& settings, const std::optional<std::string>& role_name);
// Revokes the key: the next request signed with it is refused.
int delete_access_key(const Settings& settings, std::string_view id);

}  // namespace berth::app

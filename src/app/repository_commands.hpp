// `berth repository create|list|delete`: repositories exist before anyone pushes to them, as in
// ECR. Until provisioning declares them, operators manage them with these commands. Each returns
// the process exit code and prints what it did (errors to stderr).
#pragma once

#include <string_view>

#include "app/settings.hpp"

namespace berth::app {

int create_repository(const Settings& settings, std::string_view name);
int list_repositories(const Settings& settings);
// Refuses a repository that still holds images unless `force`.
int delete_repository(const Settings& settings, std::string_view name, bool force);

}  // namespace berth::app

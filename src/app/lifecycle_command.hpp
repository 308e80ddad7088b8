// `berth lifecycle run [--repository R] [--dry-run]`: applies the stored lifecycle policies now, on
// the data directory, and prints one line per image that expires (or would, with --dry-run):
//   <repository> <digest> tags=<a,b|-> pushed=<RFC 3339> rule=<priority> reason="..."
// then one summary line per repository.
#pragma once

#include <chrono>
#include <optional>
#include <ostream>
#include <string>

#include "app/settings.hpp"

namespace berth::app {

struct LifecycleCommandOptions {
  std::optional<std::string> repository;
  bool dry_run = false;
};

// Exit code: 0 done, 1 the store failed, 2 the repository has no lifecycle policy.
int run_lifecycle_command(const Settings& settings, const LifecycleCommandOptions& options, std::ostream& out,
                          std::chrono::system_clock::time_point now);

}  // namespace berth::app

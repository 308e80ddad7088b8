// ConfigMaps as YAML manifests for `berth apply --output DIR` (instead of calling the Kubernetes
// API): the same object the API publisher applies (interfaces.md §10.1), readable, values quoted by
// yaml-cpp's emitter wherever plain YAML would change their meaning, accepted by `kubectl apply -f`.
#pragma once

#include <filesystem>
#include <string>

#include "common/result.hpp"
#include "provision/desired_state.hpp"

namespace berth::provision {

std::string config_map_yaml(const ConfigMap& config_map);

// Writes <dir>/<namespace>-<name>.yaml crash-safely (temporary file, fsync, rename, fsync of the
// directory); `dir` must exist. internal error naming the path on I/O failure.
Status write_config_map_yaml(const ConfigMap& config_map, const std::filesystem::path& dir);

}  // namespace berth::provision

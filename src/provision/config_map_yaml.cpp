#include "provision/config_map_yaml.hpp"

#include <fcntl.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <cerrno>
#include <cstring>

#include "common/unique_fd.hpp"

namespace berth::provision {
namespace {

namespace fs = std::filesystem;

Error io_error(std::string_view operation, const fs::path& path, int error_number) {
  return make_error(ErrorCode::internal,
                    std::string(operation) + " " + path.string() + ": " + std::strerror(error_number));
}

Status write_all(int fd, std::string_view data, const fs::path& path) {
  while (!data.empty()) {
    const ssize_t written = ::write(fd, data.data(), data.size());
    if (written < 0 && errno == EINTR) continue;
    if (written < 0) return io_error("write", path, errno);
    data.remove_prefix(static_cast<std::size_t>(written));
  }
  return {};
}

}  // namespace

std::string config_map_yaml(const ConfigMap& config_map) {
  YAML::Emitter out;
  out << YAML::BeginMap;
  out << YAML::Key << "apiVersion" << YAML::Value << "v1";
  out << YAML::Key << "kind" << YAML::Value << "ConfigMap";
  out << YAML::Key << "metadata" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "name" << YAML::Value << config_map.name;
  out << YAML::Key << "namespace" << YAML::Value << config_map.namespace_name;
  out << YAML::EndMap;
  out << YAML::Key << "data" << YAML::Value << YAML::BeginMap;
  // Every value is a string in a ConfigMap; double quotes keep "123456789012" or "true" from being
  // read back as a number or a bool.
  for (const auto& [key, value] : config_map.data) {
    out << YAML::Key << key << YAML::Value << YAML::DoubleQuoted << value;
  }
  out << YAML::EndMap;
  out << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

Status write_config_map_yaml(const ConfigMap& config_map, const fs::path& dir) {
  const fs::path target = dir / (config_map.namespace_name + "-" + config_map.name + ".yaml");
  const fs::path temporary = dir / ("." + target.filename().string() + ".tmp");
  {
    UniqueFd fd(::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    if (!fd) return io_error("open", temporary, errno);
    Status written = write_all(fd.get(), config_map_yaml(config_map), temporary);
    if (written && ::fsync(fd.get()) != 0) written = io_error("fsync", temporary, errno);
    if (!written) {
      ::unlink(temporary.c_str());
      return written;
    }
  }
  if (::rename(temporary.c_str(), target.c_str()) != 0) {
    const int error_number = errno;
    ::unlink(temporary.c_str());
    return io_error("rename", target, error_number);
  }
  UniqueFd directory(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!directory || ::fsync(directory.get()) != 0) return io_error("fsync", dir, errno);
  return {};
}

}  // namespace berth::provision

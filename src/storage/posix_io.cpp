#include "storage/posix_io.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

namespace berth::storage {

Error errno_error(std::string_view operation, const std::filesystem::path& path, int error_number) {
  std::string message(operation);
  message += ' ';
  message += path.string();
  message += ": ";
  message += std::strerror(error_number);
  return make_error(ErrorCode::internal, std::move(message));
}

Result<UniqueFd> open_file(const std::filesystem::path& path, int flags, ErrorCode missing_code, mode_t mode) {
  int fd;
  do {
    fd = ::open(path.c_str(), flags | O_CLOEXEC, mode);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) {
    if (errno == ENOENT) return make_error(missing_code, "no such file: " + path.filename().string());
    return errno_error("open", path, errno);
  }
  return UniqueFd(fd);
}

Result<std::uint64_t> file_size(int fd, const std::filesystem::path& path) {
  struct stat info {};
  if (::fstat(fd, &info) != 0) return errno_error("fstat", path, errno);
  return static_cast<std::uint64_t>(info.st_size);
}

Status fsync_directory(const std::filesystem::path& directory) {
  auto fd = open_file(directory, O_RDONLY | O_DIRECTORY, ErrorCode::internal);
  if (!fd.ok()) return std::move(fd).error();
  if (::fsync(fd->get()) != 0) return errno_error("fsync", directory, errno);
  return {};
}

Status make_durable_directory(const std::filesystem::path& directory) {
  if (::mkdir(directory.c_str(), 0755) != 0) {
    if (errno == EEXIST) return {};
    return errno_error("mkdir", directory, errno);
  }
  return fsync_directory(directory.parent_path());
}

Result<std::uint64_t> hash_file(int fd, Hasher& hasher, const std::filesystem::path& path) {
  constexpr std::size_t kBufferSize = 1 << 20;
  std::vector<char> buffer(kBufferSize);
  std::uint64_t offset = 0;
  for (;;) {
    ssize_t n = ::pread(fd, buffer.data(), buffer.size(), static_cast<off_t>(offset));
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno_error("read", path, errno);
    }
    if (n == 0) return offset;
    hasher.update(buffer.data(), static_cast<std::size_t>(n));
    offset += static_cast<std::uint64_t>(n);
  }
}

}  // namespace berth::storage

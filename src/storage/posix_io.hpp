// Thin POSIX helpers for the filesystem blob store: errno as Error values, directory fsync, and
// hashing a file through a bounded buffer. No state; safe from any thread.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string_view>

#include "common/digest.hpp"
#include "common/result.hpp"
#include "common/unique_fd.hpp"

namespace berth::storage {

// An `internal` error naming the failed operation, the path and errno's text.
Error errno_error(std::string_view operation, const std::filesystem::path& path, int error_number);

// open(2) with O_CLOEXEC added; ENOENT is reported as `missing_code`, anything else as internal.
Result<UniqueFd> open_file(const std::filesystem::path& path, int flags, ErrorCode missing_code, mode_t mode = 0);

// Size from fstat(2).
Result<std::uint64_t> file_size(int fd, const std::filesystem::path& path);

// fsync(2) of a directory, making a rename or a new entry in it durable.
Status fsync_directory(const std::filesystem::path& directory);

// Creates `directory` if absent; when it was created, fsyncs its parent so the entry survives a crash.
Status make_durable_directory(const std::filesystem::path& directory);

// Streams the file behind `fd` from offset 0 to its end through `hasher` (1 MiB at a time, with
// pread so the fd's offset is untouched). Returns the bytes hashed.
Result<std::uint64_t> hash_file(int fd, Hasher& hasher, const std::filesystem::path& path);

}  // namespace berth::storage

#include "storage/fs_blob_store.hpp"

#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

#include "storage/posix_io.hpp"

namespace berth::storage {
namespace {

namespace fs = std::filesystem;

constexpr DigestAlgorithm kAlgorithms[] = {DigestAlgorithm::sha256, DigestAlgorithm::sha512};

std::string_view algorithm_name(DigestAlgorithm algorithm) {
  return algorithm == DigestAlgorithm::sha256 ? "sha256" : "sha512";
}

bool is_canonical_uuid(std::string_view id) {
  if (id.size() != 36) return false;
  for (std::size_t i = 0; i < id.size(); ++i) {
    char c = id[i];
    bool dash_position = i == 8 || i == 13 || i == 18 || i == 23;
    bool ok = dash_position ? c == '-' : ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
    if (!ok) return false;
  }
  return true;
}

Error filesystem_error(std::string_view operation, const fs::path& path, const std::error_code& error) {
  return errno_error(operation, path, error.value());
}

// Makes `lease`'s cached hash describe exactly the bytes in the file behind `fd`, hashed with
// `algorithm`; rebuilds it from disk when the cache is missing, stale (restart, crash) or uses
// another algorithm.
Status sync_hash_state(UploadStates::Lease& lease, int fd, const fs::path& path, DigestAlgorithm algorithm) {
  auto size = file_size(fd, path);
  BERTH_TRY(size);
  auto& state = lease.state();
  if (state && state->offset == *size && state->hasher.algorithm() == algorithm) return {};
  Hasher hasher(algorithm);
  auto hashed = hash_file(fd, hasher, path);
  BERTH_TRY(hashed);
  state.emplace(UploadHashState{std::move(hasher), *hashed});
  return {};
}

// Visits the blobs in one blobs/<alg>/<2 hex>/ directory.
Status visit_prefix_directory(const fs::path& directory, DigestAlgorithm algorithm,
                              const std::function<void(const BlobInfo&)>& visit) {
  std::string prefix = directory.filename().string();
  std::error_code error;
  for (fs::directory_iterator blob(directory, error), end; !error && blob != end; blob.increment(error)) {
    std::string name = blob->path().filename().string();
    auto digest = Digest::parse(std::string(algorithm_name(algorithm)) + ":" + name);
    // Stray names (not a digest, or filed under the wrong prefix) are not blobs of this store.
    if (!digest.ok() || name.compare(0, 2, prefix) != 0) continue;
    std::error_code size_error;
    auto size = blob->file_size(size_error);
    // A blob removed while we walk (garbage collection) is simply no longer there.
    if (size_error == std::errc::no_such_file_or_directory) continue;
    if (size_error) return filesystem_error("stat", blob->path(), size_error);
    visit(BlobInfo{std::move(*digest), size});
  }
  if (error) return filesystem_error("list", directory, error);
  return {};
}

class FsUploadWriter final : public UploadWriter {
 public:
  FsUploadWriter(UploadStates::Lease lease, UniqueFd fd, fs::path path)
      : lease_(std::move(lease)),
        fd_(std::move(fd)),
        path_(std::move(path)),
        writeback_started_(lease_.state()->offset) {}

  Status append(const char* data, std::size_t size) override {
    auto& state = *lease_.state();
    while (size > 0) {
      ssize_t n = ::write(fd_.get(), data, size);
      if (n < 0) {
        if (errno == EINTR) continue;
        return errno_error("write", path_, errno);
      }
      // Hash only what reached the file, so a failed write leaves hash and file in agreement.
      auto written = static_cast<std::size_t>(n);
      state.hasher.update(data, written);
      state.offset += written;
      data += written;
      size -= written;
    }
    start_writeback(state.offset);
    return {};
  }

  std::uint64_t size() const override { return lease_.state()->offset; }

 private:
  // Asks the kernel to start writing what arrived so far, without waiting for it. The commit
  // fsyncs the whole file before publishing it; starting early lets the disk work while the
  // network and the hash do, so that fsync finds little left to write.
  void start_writeback(std::uint64_t offset) {
    static constexpr std::uint64_t kWritebackStep = 8 * 1024 * 1024;
    if (offset - writeback_started_ < kWritebackStep) return;
    ::sync_file_range(fd_.get(), static_cast<off64_t>(writeback_started_),
                      static_cast<off64_t>(offset - writeback_started_), SYNC_FILE_RANGE_WRITE);
    writeback_started_ = offset;
  }

  UploadStates::Lease lease_;
  UniqueFd fd_;
  fs::path path_;
  std::uint64_t writeback_started_;
};

}  // namespace

FsBlobStore::FsBlobStore(const fs::path& root) : blobs_dir_(root / "blobs"), uploads_dir_(root / "uploads") {}

Result<std::unique_ptr<FsBlobStore>> FsBlobStore::open(const fs::path& root) {
  std::error_code error;
  fs::create_directories(root, error);
  if (error) return filesystem_error("create directories", root, error);
  std::unique_ptr<FsBlobStore> store(new FsBlobStore(root));
  BERTH_TRY(make_durable_directory(store->blobs_dir_));
  for (auto algorithm : kAlgorithms) {
    BERTH_TRY(make_durable_directory(store->blobs_dir_ / algorithm_name(algorithm)));
  }
  BERTH_TRY(make_durable_directory(store->uploads_dir_));
  return store;
}

fs::path FsBlobStore::blob_path(const Digest& digest) const {
  const std::string& hex = digest.hex();
  return blobs_dir_ / digest.algorithm_name() / hex.substr(0, 2) / hex;
}

Result<fs::path> FsBlobStore::upload_path(std::string_view upload_id) const {
  if (!is_canonical_uuid(upload_id)) {
    return make_error(ErrorCode::blob_upload_unknown, "malformed upload id");
  }
  return uploads_dir_ / upload_id;
}

Status FsBlobStore::create_upload(std::string_view upload_id) {
  auto path = upload_path(upload_id);
  BERTH_TRY(path);
  UniqueFd fd(::open(path->c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
  if (!fd) {
    if (errno == EEXIST) return make_error(ErrorCode::blob_upload_invalid, "upload already exists");
    return errno_error("create", *path, errno);
  }
  return {};
}

Result<std::unique_ptr<UploadWriter>> FsBlobStore::open_upload(std::string_view upload_id) {
  auto path = upload_path(upload_id);
  BERTH_TRY(path);
  auto lease = states_.acquire(upload_id);
  if (!lease.ok()) return std::move(lease).error();
  auto fd = open_file(*path, O_RDWR | O_APPEND, ErrorCode::blob_upload_unknown);
  if (!fd.ok()) return std::move(fd).error();
  BERTH_TRY(sync_hash_state(*lease, fd->get(), *path, DigestAlgorithm::sha256));
  return std::unique_ptr<UploadWriter>(new FsUploadWriter(std::move(*lease), std::move(*fd), std::move(*path)));
}

Result<std::uint64_t> FsBlobStore::upload_size(std::string_view upload_id) {
  auto path = upload_path(upload_id);
  BERTH_TRY(path);
  struct ::stat info {};
  if (::stat(path->c_str(), &info) != 0) {
    if (errno == ENOENT) return make_error(ErrorCode::blob_upload_unknown, "no such upload");
    return errno_error("stat", *path, errno);
  }
  return static_cast<std::uint64_t>(info.st_size);
}

Result<BlobInfo> FsBlobStore::commit_upload(std::string_view upload_id, const Digest& expected) {
  auto path = upload_path(upload_id);
  BERTH_TRY(path);
  auto lease = states_.acquire(upload_id);
  if (!lease.ok()) return std::move(lease).error();
  auto fd = open_file(*path, O_RDONLY, ErrorCode::blob_upload_unknown);
  if (!fd.ok()) return std::move(fd).error();
  BERTH_TRY(sync_hash_state(*lease, fd->get(), *path, expected.algorithm()));
  const UploadHashState& state = *lease->state();
  Digest actual = state.hasher.digest();
  if (actual != expected) {
    return make_error(ErrorCode::digest_invalid, "upload hashes to " + actual.str() + ", not " + expected.str());
  }
  std::uint64_t size = state.offset;
  if (::fdatasync(fd->get()) != 0) return errno_error("fdatasync", *path, errno);
  BERTH_TRY(publish(*path, expected));
  lease->drop();
  return BlobInfo{expected, size};
}

Status FsBlobStore::publish(const fs::path& upload, const Digest& digest) {
  fs::path target = blob_path(digest);
  fs::path directory = target.parent_path();
  BERTH_TRY(make_durable_directory(directory));
  // NOREPLACE: when the blob already exists (a concurrent or earlier push of the same bytes), the
  // stored copy wins and this upload is simply discarded.
  if (::renameat2(AT_FDCWD, upload.c_str(), AT_FDCWD, target.c_str(), RENAME_NOREPLACE) != 0) {
    if (errno != EEXIST) return errno_error("rename", upload, errno);
    if (::unlink(upload.c_str()) != 0) return errno_error("unlink", upload, errno);
    return {};
  }
  return fsync_directory(directory);
}

Status FsBlobStore::delete_upload(std::string_view upload_id) {
  auto path = upload_path(upload_id);
  BERTH_TRY(path);
  auto lease = states_.acquire(upload_id);
  if (!lease.ok()) return std::move(lease).error();
  if (::unlink(path->c_str()) != 0) {
    if (errno == ENOENT) return make_error(ErrorCode::blob_upload_unknown, "no such upload");
    return errno_error("unlink", *path, errno);
  }
  lease->drop();
  return {};
}

Result<std::vector<std::string>> FsBlobStore::list_uploads() {
  std::vector<std::string> ids;
  std::error_code error;
  for (fs::directory_iterator it(uploads_dir_, error), end; !error && it != end; it.increment(error)) {
    std::string name = it->path().filename().string();
    if (is_canonical_uuid(name)) ids.push_back(std::move(name));
  }
  if (error) return filesystem_error("list", uploads_dir_, error);
  return ids;
}

Result<std::optional<std::uint64_t>> FsBlobStore::stat(const Digest& digest) {
  fs::path path = blob_path(digest);
  struct ::stat info {};
  if (::stat(path.c_str(), &info) != 0) {
    if (errno == ENOENT) return std::optional<std::uint64_t>();
    return errno_error("stat", path, errno);
  }
  return std::optional<std::uint64_t>(static_cast<std::uint64_t>(info.st_size));
}

Result<OpenBlob> FsBlobStore::open(const Digest& digest) {
  fs::path path = blob_path(digest);
  auto fd = open_file(path, O_RDONLY, ErrorCode::blob_unknown);
  if (!fd.ok()) return std::move(fd).error();
  auto size = file_size(fd->get(), path);
  BERTH_TRY(size);
  return OpenBlob{std::move(*fd), *size};
}

Status FsBlobStore::remove(const Digest& digest) {
  fs::path path = blob_path(digest);
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) return errno_error("unlink", path, errno);
  return {};
}

Status FsBlobStore::for_each_blob(const std::function<void(const BlobInfo&)>& visit) {
  for (auto algorithm : kAlgorithms) {
    fs::path algorithm_dir = blobs_dir_ / algorithm_name(algorithm);
    std::error_code error;
    for (fs::directory_iterator prefix(algorithm_dir, error), end; !error && prefix != end; prefix.increment(error)) {
      BERTH_TRY(visit_prefix_directory(prefix->path(), algorithm, visit));
    }
    if (error) return filesystem_error("list", algorithm_dir, error);
  }
  return {};
}

Result<Digest> FsBlobStore::rehash(const Digest& digest) {
  fs::path path = blob_path(digest);
  auto fd = open_file(path, O_RDONLY, ErrorCode::blob_unknown);
  if (!fd.ok()) return std::move(fd).error();
  Hasher hasher(digest.algorithm());
  auto hashed = hash_file(fd->get(), hasher, path);
  BERTH_TRY(hashed);
  return hasher.digest();
}

}  // namespace berth::storage

// BlobStore: content-addressed, immutable blobs plus the in-progress uploads that become them.
//
// Contract (every implementation; the filesystem one is first, S3 is planned):
// - A blob becomes visible only when complete and verified: commit_upload checks the digest of
//   every byte written and publishes atomically (filesystem: fsync, rename, fsync the directory).
//   A crash leaves either no blob or the whole blob.
// - Committing a digest that already exists succeeds and keeps one copy; so two clients pushing
//   the same blob at once both succeed.
// - Uploads hash as bytes arrive. The running hash survives between requests in memory and is
//   rebuilt from the stored bytes after a restart.
// - Thread-safe. One writer per upload at a time: a second open_upload of the same id fails with
//   blob_upload_invalid until the first writer is destroyed.
// - Blob bytes never pass through memory whole: readers get a file descriptor for sendfile.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/digest.hpp"
#include "common/result.hpp"
#include "common/unique_fd.hpp"

namespace berth::storage {

// Appends to one upload. Destroying it releases the upload for the next writer; bytes already
// appended stay in the upload.
class UploadWriter {
 public:
  virtual ~UploadWriter() = default;
  // Hashes and writes `size` bytes at the end of the upload.
  virtual Status append(const char* data, std::size_t size) = 0;
  // Bytes in the upload so far.
  virtual std::uint64_t size() const = 0;
};

struct OpenBlob {
  UniqueFd fd;
  std::uint64_t size = 0;
};

struct BlobInfo {
  Digest digest;
  std::uint64_t size = 0;
};

class BlobStore {
 public:
  virtual ~BlobStore() = default;

  // Creates an empty upload. `upload_id` is a UUID chosen by the caller.
  virtual Status create_upload(std::string_view upload_id) = 0;
  // blob_upload_unknown when there is no such upload.
  virtual Result<std::unique_ptr<UploadWriter>> open_upload(std::string_view upload_id) = 0;
  virtual Result<std::uint64_t> upload_size(std::string_view upload_id) = 0;
  // Verifies that the upload hashes to `expected` (digest_invalid otherwise, and the upload is
  // kept so the client may retry), then publishes it as a blob and removes the upload.
  virtual Result<BlobInfo> commit_upload(std::string_view upload_id, const Digest& expected) = 0;
  virtual Status delete_upload(std::string_view upload_id) = 0;
  virtual Result<std::vector<std::string>> list_uploads() = 0;

  // nullopt when absent.
  virtual Result<std::optional<std::uint64_t>> stat(const Digest& digest) = 0;
  // blob_unknown when absent.
  virtual Result<OpenBlob> open(const Digest& digest) = 0;
  // Removing a blob that is not stored succeeds, as S3's DeleteObject does: a collection finishing
  // what a crashed one started must not fail on what is already gone.
  virtual Status remove(const Digest& digest) = 0;
  // Calls `visit` for every stored blob (fsck, garbage collection).
  virtual Status for_each_blob(const std::function<void(const BlobInfo&)>& visit) = 0;
  // Re-hashes the stored bytes (fsck).
  virtual Result<Digest> rehash(const Digest& digest) = 0;
};

}  // namespace berth::storage

// FsBlobStore: the BlobStore contract on a local filesystem (layout: docs design.md §4).
//
//   <root>/blobs/<alg>/<first 2 hex>/<hex>   immutable, published complete by rename
//   <root>/uploads/<uuid>                    bytes of an upload in progress
//
// Uploads live on the same filesystem as blobs, so an upload file is its own temp file: commit
// verifies the digest, fdatasyncs it, renames it into blobs/ and fsyncs the directory. Nothing under
// blobs/ is ever partial; a crash leaves at most garbage under uploads/. Upload ids must be lower-case
// canonical UUIDs before any path is built from them.
#pragma once

#include <filesystem>
#include <memory>

#include "storage/blob_store.hpp"
#include "storage/upload_states.hpp"

namespace berth::storage {

class FsBlobStore final : public BlobStore {
 public:
  // Creates the directories under `root` when missing.
  static Result<std::unique_ptr<FsBlobStore>> open(const std::filesystem::path& root);

  Status create_upload(std::string_view upload_id) override;
  Result<std::unique_ptr<UploadWriter>> open_upload(std::string_view upload_id) override;
  Result<std::uint64_t> upload_size(std::string_view upload_id) override;
  Result<BlobInfo> commit_upload(std::string_view upload_id, const Digest& expected) override;
  Status delete_upload(std::string_view upload_id) override;
  Result<std::vector<std::string>> list_uploads() override;

  Result<std::optional<std::uint64_t>> stat(const Digest& digest) override;
  Result<OpenBlob> open(const Digest& digest) override;
  Status remove(const Digest& digest) override;
  Status for_each_blob(const std::function<void(const BlobInfo&)>& visit) override;
  Result<Digest> rehash(const Digest& digest) override;

  // Where the blob with `digest` is (or would be) stored.
  std::filesystem::path blob_path(const Digest& digest) const;

 private:
  explicit FsBlobStore(const std::filesystem::path& root);

  // blob_upload_unknown for anything but a canonical lower-case UUID.
  Result<std::filesystem::path> upload_path(std::string_view upload_id) const;
  Status publish(const std::filesystem::path& upload, const Digest& digest);

  std::filesystem::path blobs_dir_;
  std::filesystem::path uploads_dir_;
  UploadStates states_;
};

}  // namespace berth::storage

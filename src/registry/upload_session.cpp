#include "registry/upload_session.hpp"

#include <chrono>

#include "registry/upload_id.hpp"

namespace berth::registry {

Result<std::string> open_upload_session(metadata::MetadataStore& metadata, storage::BlobStore& blobs,
                                        std::string_view repository) {
  auto id = new_upload_id();
  if (!id) return id;
  BERTH_TRY(blobs.create_upload(*id));
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  auto recorded = metadata.create_upload(
      {*id, std::string(repository), std::chrono::duration_cast<std::chrono::seconds>(now).count()});
  if (!recorded) {
    (void)blobs.delete_upload(*id);
    return std::move(recorded).error();
  }
  return id;
}

Status find_upload_session(metadata::MetadataStore& metadata, std::string_view repository, std::string_view id) {
  if (!is_valid_upload_id(id)) return make_error(ErrorCode::blob_upload_unknown, "blob upload unknown to registry");
  auto record = metadata.get_upload(id);
  if (!record) return std::move(record).error();
  if (!*record || (*record)->repository != repository) {
    return make_error(ErrorCode::blob_upload_unknown, "blob upload unknown to registry");
  }
  return {};
}

void discard_upload_session(metadata::MetadataStore& metadata, storage::BlobStore& blobs, std::string_view id) {
  (void)blobs.delete_upload(id);
  (void)metadata.delete_upload(id);
}

Result<std::uint64_t> publish_upload(metadata::MetadataStore& metadata, storage::BlobStore& blobs,
                                     std::string_view repository, std::string_view id, const Digest& digest) {
  BERTH_TRY(metadata.mark_blob_used(digest, [&] { return blobs.remove(digest); }));
  auto committed = blobs.commit_upload(id, digest);
  if (!committed) return std::move(committed).error();
  BERTH_TRY(metadata.link_blob(repository, digest, committed->size));
  BERTH_TRY(metadata.delete_upload(id));
  return committed->size;
}

}  // namespace berth::registry

#include "app/data_stores.hpp"

#include <system_error>

#include "metadata/sqlite_metadata_store.hpp"
#include "storage/fs_blob_store.hpp"

namespace berth::app {

Result<DataStores> open_data_stores(const std::filesystem::path& data_dir) {
  std::error_code ec;
  std::filesystem::create_directories(data_dir, ec);
  if (ec) {
    return make_error(ErrorCode::internal, "cannot create data directory " + data_dir.string() + ": " + ec.message());
  }
  auto blobs = storage::FsBlobStore::open(data_dir);
  if (!blobs.ok()) return std::move(blobs).error();
  auto metadata = metadata::SqliteMetadataStore::open(data_dir / "berth.db");
  if (!metadata.ok()) return std::move(metadata).error();
  return DataStores{std::move(blobs).value(), std::move(metadata).value()};
}

}  // namespace berth::app

#include "app/data_stores.hpp"

#include <iostream>
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

Result<auth::KeyRing> load_key_ring(const Settings& settings) {
  if (!settings.keys.empty()) return auth::KeyRing::from_keys(settings.keys);
  return auth::KeyRing::load_or_create(std::filesystem::path(settings.data_dir) / "keys");
}

std::unique_ptr<metadata::MetadataStore> open_metadata_or_report(const std::filesystem::path& data_dir) {
  auto stores = open_data_stores(data_dir);
  if (!stores.ok()) {
    std::cerr << "berth: " << stores.error().message << "\n";
    return nullptr;
  }
  return std::move(stores->metadata);
}

}  // namespace berth::app

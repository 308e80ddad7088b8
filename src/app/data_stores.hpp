// Opens the embedded default backends under one data directory (design.md §4): filesystem blobs
// and SQLite metadata, and the key ring. Shared by `serve` and the management commands.
#pragma once

#include <filesystem>
#include <memory>

#include "app/settings.hpp"
#include "auth/key_ring.hpp"
#include "common/result.hpp"
#include "metadata/metadata_store.hpp"
#include "storage/blob_store.hpp"

namespace berth::app {

struct DataStores {
  std::unique_ptr<storage::BlobStore> blobs;
  std::unique_ptr<metadata::MetadataStore> metadata;
};

Result<DataStores> open_data_stores(const std::filesystem::path& data_dir);

// The key ring of `settings.keys`, or the data directory's own (created on first use).
Result<auth::KeyRing> load_key_ring(const Settings& settings);

// For the management commands: the metadata store, or nullptr after printing why it cannot open.
std::unique_ptr<metadata::MetadataStore> open_metadata_or_report(const std::filesystem::path& data_dir);

}  // namespace berth::app

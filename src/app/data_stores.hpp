// Opens the embedded default backends under one data directory (design.md §4): filesystem blobs
// and SQLite metadata. Shared by `serve` and `fsck`.
#pragma once

#include <filesystem>
#include <memory>

#include "common/result.hpp"
#include "metadata/metadata_store.hpp"
#include "storage/blob_store.hpp"

namespace berth::app {

struct DataStores {
  std::unique_ptr<storage::BlobStore> blobs;
  std::unique_ptr<metadata::MetadataStore> metadata;
};

Result<DataStores> open_data_stores(const std::filesystem::path& data_dir);

// For the management commands: the metadata store, or nullptr after printing why it cannot open.
std::unique_ptr<metadata::MetadataStore> open_metadata_or_report(const std::filesystem::path& data_dir);

}  // namespace berth::app

// fsck: checks that blob storage and metadata agree, without changing either.
//
// Every stored blob must re-hash to its name; every blob link must point at a stored blob of the
// recorded size; every manifest's bytes must hash to its digest, and what it references must exist
// (a blob: stored and linked in the manifest's repository; a manifest: present in that repository);
// every tag must point at a manifest of its repository. Uploads in progress are counted, not
// reported. Reads every blob once, so it takes as long as reading the whole store.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "metadata/metadata_store.hpp"
#include "storage/blob_store.hpp"

namespace berth::app {

struct FsckProblem {
  // One of: blob_corrupt, blob_unreadable, link_blob_missing, link_size_mismatch, manifest_corrupt,
  // reference_blob_missing, reference_blob_unlinked, reference_manifest_missing, tag_dangling.
  std::string kind;
  std::string subject;  // what is wrong: a digest, `repository@digest` or `repository:tag`
  std::string detail;
};

struct FsckReport {
  std::size_t blobs_checked = 0;
  std::size_t manifests_checked = 0;
  std::size_t tags_checked = 0;
  std::size_t uploads_in_progress = 0;
  std::vector<FsckProblem> problems;

  bool clean() const { return problems.empty(); }
};

// Fails only when a store cannot be walked; everything found wrong is in the report.
Result<FsckReport> run_fsck(storage::BlobStore& blobs, metadata::MetadataStore& metadata);

}  // namespace berth::app

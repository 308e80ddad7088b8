// Online garbage collection: frees what lost its last reference, while clients push and pull.
//
// The metadata store queues a review of every blob and manifest that loses a reference, in the
// transaction that removes it (metadata_store.hpp, "Garbage collection"). A run deletes, in order:
// 1. manifests whose review is due and that nothing keeps (the untagged children of a deleted index,
//    referrers whose subject is gone), repeatedly, since each deletion queues its own children;
// 2. blobs whose review is due and that no manifest references: one transaction condemns them (their
//    links go, so nothing can reference them again), a second removes their bytes and forgets them,
//    so a crash at any point leaves no link to missing bytes, and the next run finishes the work;
// 3. upload sessions older than the abandoned-upload age, bytes and record.
//
// Why no push can lose a layer: an upload marks its blob used (MetadataStore::mark_blob_used) before
// publishing bytes, removing first the old bytes of a condemned blob, a mount links and marks in
// one transaction, a HEAD of a queued blob marks it, and a manifest's references are checked in
// the transaction that stores it. Each of these either runs before the condemning transaction, and
// its mark or reference keeps the blob, or after it and sees the blob gone (the client uploads it
// again); bytes are removed only while their blob is still condemned. Nothing lives in memory
// between runs, so any node may run the collector against a shared store.
#pragma once

#include <chrono>
#include <cstdint>
#include <vector>

#include "common/result.hpp"
#include "metadata/metadata_store.hpp"
#include "storage/blob_store.hpp"

namespace berth::gc {

struct GcOptions {
  // How long a blob or manifest stays after losing its last reference.
  std::chrono::seconds grace_period{24 * 60 * 60};
  // How long an uploaded, mounted or checked blob stays while no manifest references it yet: the
  // time a client has between pushing a layer and pushing the manifest that uses it.
  std::chrono::seconds upload_grace{24 * 60 * 60};
  // An upload session this old is abandoned.
  std::chrono::seconds upload_max_age{24 * 60 * 60};
  bool dry_run = false;  // report what is due now; delete nothing
  std::int64_t now_unix = 0;
};

struct GcReport {
  std::vector<metadata::ManifestKey> manifests;  // deleted, or due for a dry run
  std::vector<storage::BlobInfo> blobs;          // likewise; size 0 when the bytes were already gone
  std::uint64_t bytes_freed = 0;
  std::uint64_t uploads_purged = 0;
};

// A failure of a store stops the run; what was deleted before it stays deleted. A dry run reports
// the manifests and blobs due now, not those their deletion would queue.
Result<GcReport> collect_garbage(metadata::MetadataStore& metadata, storage::BlobStore& blobs,
                                 const GcOptions& options);

}  // namespace berth::gc

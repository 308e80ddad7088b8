#include "gc/garbage_collector.hpp"

#include <optional>
#include <utility>

namespace berth::gc {
namespace {

// Small enough that a batch's transaction, which keeps writers waiting while it removes bytes,
// stays short; large enough to amortise its commit.
constexpr std::size_t kBatch = 256;

// Deleting a manifest queues its children and referrers, which may be due at once with a zero
// grace period. Deeper chains than this wait for the next run.
constexpr int kManifestPasses = 8;

std::int64_t before(const GcOptions& options, std::chrono::seconds age) { return options.now_unix - age.count(); }

metadata::GcCutoffs cutoffs(const GcOptions& options) {
  return {before(options, options.grace_period), before(options, options.upload_grace)};
}

// One walk over the due manifest reviews; answers how many manifests it deleted (or found due).
Result<std::size_t> manifest_pass(metadata::MetadataStore& metadata, const GcOptions& options, GcReport& report) {
  const std::int64_t cutoff = before(options, options.grace_period);
  std::optional<metadata::ManifestKey> after;
  std::size_t found = 0;
  for (;;) {
    auto due = metadata.due_manifest_reviews(cutoff, after, kBatch);
    if (!due) return std::move(due).error();
    if (due->empty()) return found;
    auto handled = options.dry_run ? metadata.collectable_manifests(*due, cutoff) : metadata.collect_manifests(*due, cutoff);
    if (!handled) return std::move(handled).error();
    found += handled->size();
    report.manifests.insert(report.manifests.end(), handled->begin(), handled->end());
    after = std::move(due->back());
  }
}

Status collect_manifests(metadata::MetadataStore& metadata, const GcOptions& options, GcReport& report) {
  for (int pass = 0; pass < kManifestPasses; ++pass) {
    auto found = manifest_pass(metadata, options, report);
    if (!found) return std::move(found).error();
    if (*found == 0 || options.dry_run) break;
  }
  return {};
}

// Records a blob and its bytes in the report; bytes already gone (a crash after an earlier removal,
// before its commit) count as none.
void record_blob(GcReport& report, const Digest& digest, std::optional<std::uint64_t> size) {
  report.blobs.push_back({digest, size.value_or(0)});
  report.bytes_freed += size.value_or(0);
}

Status remove_blob(storage::BlobStore& blobs, const Digest& digest, GcReport& report) {
  auto size = blobs.stat(digest);
  if (!size) return std::move(size).error();
  BERTH_TRY(blobs.remove(digest));
  record_blob(report, digest, *size);
  return {};
}

Status report_due_blobs(metadata::MetadataStore& metadata, storage::BlobStore& blobs, std::span<const Digest> due,
                        const metadata::GcCutoffs& limits, GcReport& report) {
  auto collectable = metadata.collectable_blobs(due, limits);
  if (!collectable) return std::move(collectable).error();
  for (const Digest& digest : *collectable) {
    auto size = blobs.stat(digest);
    if (!size) return std::move(size).error();
    record_blob(report, digest, *size);
  }
  return {};
}

Status collect_blobs(metadata::MetadataStore& metadata, storage::BlobStore& blobs, const GcOptions& options,
                     GcReport& report) {
  const metadata::GcCutoffs limits = cutoffs(options);
  std::string after;
  for (;;) {
    auto due = metadata.due_blob_reviews(limits, after, kBatch);
    if (!due) return std::move(due).error();
    if (due->empty()) return {};
    if (options.dry_run) {
      BERTH_TRY(report_due_blobs(metadata, blobs, *due, limits, report));
    } else {
      auto condemned = metadata.condemn_blobs(*due, limits);
      if (!condemned) return std::move(condemned).error();
    }
    after = due->back().str();
  }
}

// Removes the bytes of every condemned blob: this run's, and those of runs that crashed.
Status remove_condemned(metadata::MetadataStore& metadata, storage::BlobStore& blobs, GcReport& report) {
  std::string after;
  for (;;) {
    auto condemned = metadata.condemned_blobs(after, kBatch);
    if (!condemned) return std::move(condemned).error();
    if (condemned->empty()) return {};
    auto removed = metadata.remove_condemned_blobs(
        *condemned, [&](const Digest& digest) { return remove_blob(blobs, digest, report); });
    if (!removed) return std::move(removed).error();
    after = condemned->back().str();
  }
}

Status purge_uploads(metadata::MetadataStore& metadata, storage::BlobStore& blobs, const GcOptions& options,
                     GcReport& report) {
  const std::int64_t cutoff = before(options, options.upload_max_age);
  for (;;) {
    auto stale = metadata.uploads_created_before(cutoff, kBatch);
    if (!stale) return std::move(stale).error();
    if (options.dry_run) {
      report.uploads_purged += stale->size();
      return {};
    }
    std::size_t purged = 0;
    for (const metadata::UploadRecord& upload : *stale) {
      Status removed = blobs.delete_upload(upload.id);
      // A client still writing to a session this old keeps it until the next run.
      if (!removed && removed.error().code == ErrorCode::blob_upload_invalid) continue;
      if (!removed && removed.error().code != ErrorCode::blob_upload_unknown) return removed;
      BERTH_TRY(metadata.delete_upload(upload.id));
      ++purged;
    }
    report.uploads_purged += purged;
    if (purged == 0) return {};
  }
}

}  // namespace

Result<GcReport> collect_garbage(metadata::MetadataStore& metadata, storage::BlobStore& blobs,
                                 const GcOptions& options) {
  GcReport report;
  BERTH_TRY(collect_manifests(metadata, options, report));
  BERTH_TRY(collect_blobs(metadata, blobs, options, report));
  if (!options.dry_run) BERTH_TRY(remove_condemned(metadata, blobs, report));
  BERTH_TRY(purge_uploads(metadata, blobs, options, report));
  return report;
}

}  // namespace berth::gc

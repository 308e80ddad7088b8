#include "gc/gc_schedule.hpp"

#include "common/log.hpp"

namespace berth::gc {
namespace {

std::int64_t now_unix() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace

GcSchedule::GcSchedule(metadata::MetadataStore& metadata, storage::BlobStore& blobs, const GcOptions& options,
                       std::chrono::seconds interval)
    : metadata_(metadata), blobs_(blobs), options_(options), task_(interval, [this] { run(); }) {}

void GcSchedule::run() {
  GcOptions options = options_;
  options.dry_run = false;
  options.now_unix = now_unix();
  auto report = collect_garbage(metadata_, blobs_, options);
  ++totals_.runs;
  if (!report) {
    log::error("garbage collection failed; retrying at the next interval", {{"error", report.error().message}});
    return;
  }
  totals_.manifests_deleted += report->manifests.size();
  totals_.blobs_deleted += report->blobs.size();
  totals_.bytes_freed += report->bytes_freed;
  totals_.uploads_purged += report->uploads_purged;
  totals_.last_run_unix = now_unix();
  if (report->manifests.empty() && report->blobs.empty() && report->uploads_purged == 0) return;
  log::info("garbage collected", {{"manifests", std::to_string(report->manifests.size())},
                                  {"blobs", std::to_string(report->blobs.size())},
                                  {"bytes", std::to_string(report->bytes_freed)},
                                  {"uploads", std::to_string(report->uploads_purged)}});
}

}  // namespace berth::gc

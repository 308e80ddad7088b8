// Runs garbage collection inside `berth serve` once per interval (common/periodic_task.hpp), and
// keeps the totals the metrics expose. A failed run is logged and retried at the next interval.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

#include "common/periodic_task.hpp"
#include "gc/garbage_collector.hpp"

namespace berth::gc {

struct GcTotals {
  std::atomic<std::uint64_t> runs = 0;
  std::atomic<std::uint64_t> manifests_deleted = 0;
  std::atomic<std::uint64_t> blobs_deleted = 0;
  std::atomic<std::uint64_t> bytes_freed = 0;
  std::atomic<std::uint64_t> uploads_purged = 0;
  std::atomic<std::int64_t> last_run_unix = 0;  // when the last successful run finished
};

class GcSchedule {
 public:
  // `options` gives the ages; its now_unix and dry_run are ignored.
  GcSchedule(metadata::MetadataStore& metadata, storage::BlobStore& blobs, const GcOptions& options,
             std::chrono::seconds interval);

  // Ends the thread, after the run in progress (if any) has finished. Idempotent.
  void stop() { task_.stop(); }

  const GcTotals& totals() const { return totals_; }

 private:
  void run();

  metadata::MetadataStore& metadata_;
  storage::BlobStore& blobs_;
  const GcOptions options_;
  GcTotals totals_;
  PeriodicTask task_;  // last: its thread starts once the rest exists
};

}  // namespace berth::gc

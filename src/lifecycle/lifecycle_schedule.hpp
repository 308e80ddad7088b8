// Runs the lifecycle policies inside `berth serve`: once per interval on a thread of its own, the
// first run one interval after start (a restart never expires images by surprise). Each run's
// result is logged: per repository, how many images expired; a failed run is logged and retried at
// the next interval.
//
// One node for now: with several nodes on one database, the run must be claimed through the
// metadata store (issue 10); until then every node would evaluate, and the deletes are idempotent.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

#include "common/periodic_task.hpp"
#include "metadata/metadata_store.hpp"

namespace berth::lifecycle {

class LifecycleSchedule {
 public:
  LifecycleSchedule(metadata::MetadataStore& store, std::chrono::seconds interval);

  // Ends the thread, after the run in progress (if any) has finished. Idempotent.
  void stop() { task_.stop(); }

  std::uint64_t runs() const { return runs_; }
  std::uint64_t images_expired() const { return images_expired_; }

 private:
  void run();

  metadata::MetadataStore& store_;
  std::atomic<std::uint64_t> runs_ = 0;
  std::atomic<std::uint64_t> images_expired_ = 0;
  PeriodicTask task_;  // last: its thread starts once the counters exist
};

}  // namespace berth::lifecycle

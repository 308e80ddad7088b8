// Runs the lifecycle policies inside `berth serve`: once per interval on a thread of its own, the
// first run one interval after start (a restart never expires images by surprise). Each run's
// result is logged: per repository, how many images expired; a failed run is logged and retried at
// the next interval.
//
// One node for now: with several nodes on one database, the run must be claimed through the
// metadata store (issue 10); until then every node would evaluate, and the deletes are idempotent.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>

#include "metadata/metadata_store.hpp"

namespace berth::lifecycle {

class LifecycleSchedule {
 public:
  LifecycleSchedule(metadata::MetadataStore& store, std::chrono::seconds interval);
  ~LifecycleSchedule();
  LifecycleSchedule(const LifecycleSchedule&) = delete;
  LifecycleSchedule& operator=(const LifecycleSchedule&) = delete;

  // Ends the thread, after the run in progress (if any) has finished. Idempotent.
  void stop();

  std::uint64_t runs() const;
  std::uint64_t images_expired() const;

 private:
  void loop();

  metadata::MetadataStore& store_;
  const std::chrono::seconds interval_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::uint64_t runs_ = 0;
  std::uint64_t images_expired_ = 0;
  std::thread thread_;
};

}  // namespace berth::lifecycle

#include "lifecycle/lifecycle_schedule.hpp"

#include "common/log.hpp"
#include "lifecycle/lifecycle_runner.hpp"

namespace berth::lifecycle {

LifecycleSchedule::LifecycleSchedule(metadata::MetadataStore& store, std::chrono::seconds interval)
    : store_(store), interval_(interval), thread_([this] { loop(); }) {}

LifecycleSchedule::~LifecycleSchedule() { stop(); }

void LifecycleSchedule::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

std::uint64_t LifecycleSchedule::runs() const {
  std::lock_guard lock(mutex_);
  return runs_;
}

std::uint64_t LifecycleSchedule::images_expired() const {
  std::lock_guard lock(mutex_);
  return images_expired_;
}

void LifecycleSchedule::loop() {
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      if (wake_.wait_for(lock, interval_, [this] { return stopping_; })) return;
    }
    const auto now = std::chrono::system_clock::now();
    const LifecycleRunOptions options{std::nullopt, false,
                                      std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count()};
    auto outcomes = run_lifecycle(store_, options);
    std::uint64_t expired = 0;
    if (!outcomes) {
      log::error("lifecycle run failed; retrying at the next interval", {{"error", outcomes.error().message}});
    } else {
      for (const RepositoryOutcome& outcome : *outcomes) {
        expired += outcome.expired.size();
        if (outcome.expired.empty()) continue;
        log::info("lifecycle expired images", {{"repository", outcome.repository},
                                               {"expired", std::to_string(outcome.expired.size())},
                                               {"images", std::to_string(outcome.images)}});
      }
    }
    std::lock_guard lock(mutex_);
    ++runs_;
    images_expired_ += expired;
  }
}

}  // namespace berth::lifecycle

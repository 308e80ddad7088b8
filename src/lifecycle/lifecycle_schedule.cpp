#include "lifecycle/lifecycle_schedule.hpp"

#include "common/log.hpp"
#include "lifecycle/lifecycle_runner.hpp"

namespace berth::lifecycle {

LifecycleSchedule::LifecycleSchedule(metadata::MetadataStore& store, std::chrono::seconds interval)
    : store_(store), task_(interval, [this] { run(); }) {}

void LifecycleSchedule::run() {
  const auto now = std::chrono::system_clock::now();
  const LifecycleRunOptions options{std::nullopt, false,
                                    std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count()};
  auto outcomes = run_lifecycle(store_, options);
  if (!outcomes) {
    log::error("lifecycle run failed; retrying at the next interval", {{"error", outcomes.error().message}});
  } else {
    for (const RepositoryOutcome& outcome : *outcomes) {
      images_expired_ += outcome.expired.size();
      if (outcome.expired.empty()) continue;
      log::info("lifecycle expired images", {{"repository", outcome.repository},
                                             {"expired", std::to_string(outcome.expired.size())},
                                             {"images", std::to_string(outcome.images)}});
    }
  }
  ++runs_;
}

}  // namespace berth::lifecycle

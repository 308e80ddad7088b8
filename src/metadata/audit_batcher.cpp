#include "metadata/audit_batcher.hpp"

#include <boost/asio/use_awaitable.hpp>

namespace berth::metadata {

AuditBatcher::AuditBatcher(MetadataStore& store) : store_(store), writer_([this] { write_batches(); }) {}

AuditBatcher::~AuditBatcher() { stop(); }

boost::asio::awaitable<Result<std::int64_t>> AuditBatcher::append(AuditEvent event) {
  Result<std::int64_t> id = co_await async_append(std::move(event), boost::asio::use_awaitable);
  co_return id;
}

void AuditBatcher::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  queued_.notify_one();
  if (writer_.joinable()) writer_.join();
}

void AuditBatcher::enqueue(AuditEvent event, std::unique_ptr<Waiter> waiter) {
  {
    std::lock_guard lock(mutex_);
    if (!stopping_) {
      events_.push_back(std::move(event));
      waiters_.push_back(std::move(waiter));
      // Only the writer waits on the condition, and only when both vectors are empty.
      if (events_.size() == 1) queued_.notify_one();
      return;
    }
  }
  waiter->complete(make_error(ErrorCode::unavailable, "the audit trail is shut down"));
}

// No batch size limit: a batch holds what arrived during one commit, which the number of requests
// in flight bounds, and a larger batch only makes the next commit cheaper per event.
void AuditBatcher::write_batches() {
  std::vector<AuditEvent> events;
  std::vector<std::unique_ptr<Waiter>> waiters;
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      queued_.wait(lock, [this] { return !events_.empty() || stopping_; });
      if (events_.empty()) return;
      events.swap(events_);
      waiters.swap(waiters_);
    }
    std::vector<Result<std::int64_t>> results = store_.append_audit_events(events);
    commits_.fetch_add(1, std::memory_order_relaxed);
    events_written_.fetch_add(events.size(), std::memory_order_relaxed);
    for (std::size_t i = 0; i < waiters.size(); ++i) waiters[i]->complete(std::move(results[i]));
    events.clear();
    waiters.clear();
  }
}

}  // namespace berth::metadata

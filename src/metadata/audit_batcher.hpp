// Group commit for audit events. With synchronous=FULL every commit is an fsync, and a credential
// is handed out only once its audit event is durable; one commit per request capped
// AssumeRoleWithWebIdentity at the disk's fsync rate. The batcher's writer thread takes every event
// that queued while the previous commit was running and appends them in one transaction
// (MetadataStore::append_audit_events), so concurrent requests share one fsync.
//
// Waiters are coroutines suspended on the batcher, not threads: a request waiting for its commit
// holds neither an io thread nor a thread of the blocking pool, so a batch is as large as the number
// of requests that arrived during the previous commit. Each waiter resumes on its own executor.
//
//   metadata::AuditBatcher audit(store);
//   Result<std::int64_t> id = co_await audit.append(event);  // the event's id once durable
//
// Thread-safe. stop() (or destruction) commits what is queued before the writer exits, so a server
// that stops after its last request was answered loses no event.
#pragma once

#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/asio/associated_executor.hpp>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include "common/result.hpp"
#include "metadata/metadata_store.hpp"

namespace berth::metadata {

class AuditBatcher {
 public:
  explicit AuditBatcher(MetadataStore& store);
  ~AuditBatcher();
  AuditBatcher(const AuditBatcher&) = delete;
  AuditBatcher& operator=(const AuditBatcher&) = delete;

  // Appends `event` with the next commit. Completes with the event's id once it is durable, or with
  // its own error (one event's failure does not fail the others in its batch); `unavailable` after
  // stop(). The completion runs on the handler's associated executor, never on the writer thread.
  template <typename CompletionToken>
  auto async_append(AuditEvent event, CompletionToken&& token) {
    return boost::asio::async_initiate<CompletionToken, void(Result<std::int64_t>)>(
        [this](auto handler, AuditEvent queued) {
          enqueue(std::move(queued), std::make_unique<HandlerWaiter<decltype(handler)>>(std::move(handler)));
        },
        token, std::move(event));
  }

  boost::asio::awaitable<Result<std::int64_t>> append(AuditEvent event);

  // Commits every queued event, then ends the writer thread. Idempotent.
  void stop();

  // Transactions written so far: one per batch, however many events it held.
  std::uint64_t commits() const { return commits_.load(std::memory_order_relaxed); }
  // Events those transactions held; events_written() / commits() is the mean batch size.
  std::uint64_t events_written() const { return events_written_.load(std::memory_order_relaxed); }

 private:
  struct Waiter {
    virtual ~Waiter() = default;
    virtual void complete(Result<std::int64_t> result) = 0;
  };

  // Keeps the waiter's executor from running out of work while the event waits for its commit.
  template <typename Handler>
  class HandlerWaiter final : public Waiter {
   public:
    explicit HandlerWaiter(Handler handler)
        : work_(boost::asio::prefer(boost::asio::get_associated_executor(handler),
                                    boost::asio::execution::outstanding_work.tracked)),
          handler_(std::move(handler)) {}

    void complete(Result<std::int64_t> result) override {
      boost::asio::post(work_, [handler = std::move(handler_), result = std::move(result)]() mutable {
        std::move(handler)(std::move(result));
      });
    }

   private:
    std::decay_t<decltype(boost::asio::prefer(boost::asio::get_associated_executor(std::declval<Handler&>()),
                                              boost::asio::execution::outstanding_work.tracked))>
        work_;
    Handler handler_;
  };

  void enqueue(AuditEvent event, std::unique_ptr<Waiter> waiter);
  void write_batches();

  MetadataStore& store_;
  std::mutex mutex_;
  std::condition_variable queued_;
  // Parallel: waiters_[i] waits for events_[i]. Two vectors so a batch goes to the store as one span.
  std::vector<AuditEvent> events_;
  std::vector<std::unique_ptr<Waiter>> waiters_;
  bool stopping_ = false;
  std::atomic<std::uint64_t> commits_{0};
  std::atomic<std::uint64_t> events_written_{0};
  std::thread writer_;
};

}  // namespace berth::metadata

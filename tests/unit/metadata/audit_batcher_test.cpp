// AuditBatcher on a real SQLite store. To make batches deterministic, a second connection holds
// SQLite's write lock: the writer thread then stalls in its first BEGIN IMMEDIATE, and everything
// appended meanwhile must wait for the next commit.
#include "metadata/audit_batcher.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include <chrono>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "metadata/sqlite_metadata_store.hpp"
#include "storage/scoped_temp_dir.hpp"

namespace berth::metadata {
namespace {

AuditEvent event(std::string action, std::string access_key_id) {
  AuditEvent e;
  e.time_unix = 1795000000;
  e.action = std::move(action);
  e.access_key_id = std::move(access_key_id);
  return e;
}

class WriteLock {
 public:
  explicit WriteLock(const std::filesystem::path& file) {
    EXPECT_EQ(sqlite3_open_v2(file.c_str(), &db_, SQLITE_OPEN_READWRITE, nullptr), SQLITE_OK);
    EXPECT_EQ(sqlite3_exec(db_, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);
  }
  ~WriteLock() {
    release();
    sqlite3_close(db_);
  }
  void release() {
    if (held_) {
      EXPECT_EQ(sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr), SQLITE_OK);
    }
    held_ = false;
  }

 private:
  sqlite3* db_ = nullptr;
  bool held_ = true;
};

class AuditBatcherTest : public ::testing::Test {
 protected:
  AuditBatcherTest() {
    auto store = SqliteMetadataStore::open(file());
    EXPECT_TRUE(store.ok()) << store.error().message;
    store_ = std::move(store).value();
  }
  std::filesystem::path file() const { return dir_.path() / "berth.db"; }

  // Starts one append per event on io_; each result lands in results_ at the event's index.
  void append_all(AuditBatcher& batcher, const std::vector<AuditEvent>& events) {
    results_.assign(events.size(), std::nullopt);
    threads_.assign(events.size(), std::thread::id());
    for (std::size_t i = 0; i < events.size(); ++i) {
      boost::asio::co_spawn(
          io_,
          [this, &batcher, i, e = events[i]]() -> boost::asio::awaitable<void> {
            Result<std::int64_t> id = co_await batcher.append(e);
            results_[i] = std::move(id);
            threads_[i] = std::this_thread::get_id();
          },
          boost::asio::detached);
    }
  }

  std::vector<AuditEvent> stored() {
    auto events = store_->list_audit_events({});
    EXPECT_TRUE(events.ok());
    return events.ok() ? *events : std::vector<AuditEvent>{};
  }

  berth::test::ScopedTempDir dir_;
  std::unique_ptr<SqliteMetadataStore> store_;
  boost::asio::io_context io_;
  std::vector<std::optional<Result<std::int64_t>>> results_;
  std::vector<std::thread::id> threads_;
};

TEST_F(AuditBatcherTest, ConcurrentAppendsShareOneCommitAndAllBecomeDurable) {
  constexpr std::size_t kEvents = 100;
  std::vector<AuditEvent> events;
  for (std::size_t i = 0; i < kEvents; ++i) events.push_back(event("sts:AssumeRoleWithWebIdentity", std::to_string(i)));
  WriteLock lock(file());
  AuditBatcher batcher(*store_);
  append_all(batcher, events);
  io_.poll();  // every append is queued; at most the first few reached the stalled writer
  lock.release();
  io_.run();

  // The writer took at most one batch before the lock went away and the rest in the next one.
  EXPECT_LE(batcher.commits(), 2u);
  std::set<std::int64_t> ids;
  for (std::size_t i = 0; i < kEvents; ++i) {
    ASSERT_TRUE(results_[i].has_value()) << i;
    ASSERT_TRUE(results_[i]->ok()) << results_[i]->error().message;
    ids.insert(**results_[i]);
    EXPECT_EQ(threads_[i], std::this_thread::get_id()) << "completed off the waiter's executor";
  }
  EXPECT_EQ(ids.size(), kEvents);
  const std::vector<AuditEvent> durable = stored();
  ASSERT_EQ(durable.size(), kEvents);
  for (const AuditEvent& e : durable) {
    const std::size_t index = std::stoul(e.access_key_id);
    EXPECT_EQ(e.id, **results_[index]);
  }
}

TEST_F(AuditBatcherTest, AFailingEventFailsAloneInItsBatch) {
  WriteLock lock(file());
  AuditBatcher batcher(*store_);
  // Whichever way the writer splits these, the event without an action shares a batch with another.
  append_all(batcher, {event("sts:AssumeRoleWithWebIdentity", "first"), event("", "broken"),
                       event("ecr:GetAuthorizationToken", "last")});
  io_.poll();
  lock.release();
  io_.run();

  ASSERT_TRUE(results_[0] && results_[1] && results_[2]);
  EXPECT_TRUE(results_[0]->ok());
  ASSERT_FALSE(results_[1]->ok());
  EXPECT_EQ(results_[1]->error().code, ErrorCode::invalid_argument);
  EXPECT_TRUE(results_[2]->ok());
  EXPECT_LE(batcher.commits(), 2u);
  const std::vector<AuditEvent> durable = stored();
  ASSERT_EQ(durable.size(), 2u);
  EXPECT_EQ(durable[0].access_key_id, "first");
  EXPECT_EQ(durable[1].access_key_id, "last");
}

TEST_F(AuditBatcherTest, StopCommitsWhatIsQueuedThenRefusesNewEvents) {
  WriteLock lock(file());
  AuditBatcher batcher(*store_);
  std::vector<AuditEvent> events;
  for (int i = 0; i < 10; ++i) events.push_back(event("registry:PutManifest", std::to_string(i)));
  append_all(batcher, events);
  io_.poll();
  // stop() must wait for the stalled writer to finish the queue, not drop it.
  std::thread releaser([&lock] {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    lock.release();
  });
  batcher.stop();
  releaser.join();
  EXPECT_EQ(stored().size(), events.size());
  io_.run();
  for (const auto& result : results_) {
    ASSERT_TRUE(result.has_value());
    EXPECT_TRUE(result->ok()) << result->error().message;
  }

  io_.restart();
  append_all(batcher, {event("registry:DeleteTag", "late")});
  io_.run();
  ASSERT_TRUE(results_[0].has_value());
  ASSERT_FALSE(results_[0]->ok());
  EXPECT_EQ(results_[0]->error().code, ErrorCode::unavailable);
  EXPECT_EQ(stored().size(), events.size());
}

}  // namespace
}  // namespace berth::metadata

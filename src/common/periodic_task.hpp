// Calls a function on a thread of its own once per interval until stopped, the first call one
// interval after start: a restart never runs maintenance (lifecycle expiry, garbage collection) by
// surprise. The function reports its own failures; the next call comes at the next interval.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace berth {

class PeriodicTask {
 public:
  PeriodicTask(std::chrono::seconds interval, std::function<void()> run);
  ~PeriodicTask();
  PeriodicTask(const PeriodicTask&) = delete;
  PeriodicTask& operator=(const PeriodicTask&) = delete;

  // Ends the thread after the call in progress (if any) has returned. Idempotent.
  void stop();

 private:
  void loop();

  const std::chrono::seconds interval_;
  const std::function<void()> run_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace berth

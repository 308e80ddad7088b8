// Process-wide counters exported at GET /metrics in the Prometheus text format (version 0.0.4).
//
// Hot-path cost: recording a request is a few relaxed atomic adds on a (route, status) cell found
// under a shared lock; new cells are created under an exclusive lock once.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace berth {

class Metrics {
 public:
  // One finished request: its route, status, bytes received and sent, and how long it took.
  void record_request(std::string_view route, int status, std::uint64_t bytes_in, std::uint64_t bytes_out,
                      std::chrono::nanoseconds duration);
  void request_started() { in_flight_.fetch_add(1, std::memory_order_relaxed); }
  void request_finished() { in_flight_.fetch_sub(1, std::memory_order_relaxed); }
  std::int64_t in_flight() const { return in_flight_.load(std::memory_order_relaxed); }

  // A value another component keeps (a commit count, a queue length), read each time /metrics is
  // served. `name` and `help` follow the Prometheus text format; they are not escaped.
  enum class Kind { counter, gauge };
  void expose(std::string name, std::string help, Kind kind, std::function<double()> read);

  std::string render_prometheus() const;

 private:
  static constexpr std::size_t kBuckets = 12;  // see kBucketBounds in metrics.cpp
  struct RouteStats {
    std::atomic<std::uint64_t> bytes_in{0};
    std::atomic<std::uint64_t> bytes_out{0};
    std::atomic<std::uint64_t> duration_buckets[kBuckets + 1]{};  // last = +Inf
    std::atomic<std::uint64_t> duration_count{0};
    std::atomic<std::uint64_t> duration_sum_ns{0};
  };
  RouteStats& route(std::string_view route);
  std::atomic<std::uint64_t>& request_counter(std::string_view route, int status);

  mutable std::shared_mutex mutex_;
  std::map<std::string, std::unique_ptr<RouteStats>, std::less<>> routes_;
  std::map<std::pair<std::string, int>, std::unique_ptr<std::atomic<std::uint64_t>>, std::less<>> requests_;
  std::atomic<std::int64_t> in_flight_{0};
  struct Exposed {
    std::string name;
    std::string help;
    Kind kind;
    std::function<double()> read;
  };
  std::vector<Exposed> exposed_;
};

}  // namespace berth

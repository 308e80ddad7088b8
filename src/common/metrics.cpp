#include "common/metrics.hpp"

#include <fmt/format.h>

#include <mutex>

namespace berth {
namespace {

// Seconds. Small requests land in the first buckets; blob transfers in the last ones.
constexpr double kBucketBounds[] = {0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 120};

}  // namespace

Metrics::RouteStats& Metrics::route(std::string_view name) {
  {
    std::shared_lock lock(mutex_);
    auto it = routes_.find(name);
    if (it != routes_.end()) return *it->second;
  }
  std::unique_lock lock(mutex_);
  auto [it, inserted] = routes_.try_emplace(std::string(name), nullptr);
  if (inserted) it->second = std::make_unique<RouteStats>();
  return *it->second;
}

std::atomic<std::uint64_t>& Metrics::request_counter(std::string_view name, int status) {
  auto key = std::make_pair(std::string(name), status);
  {
    std::shared_lock lock(mutex_);
    auto it = requests_.find(key);
    if (it != requests_.end()) return *it->second;
  }
  std::unique_lock lock(mutex_);
  auto [it, inserted] = requests_.try_emplace(std::move(key), nullptr);
  if (inserted) it->second = std::make_unique<std::atomic<std::uint64_t>>(0);
  return *it->second;
}

void Metrics::record_request(std::string_view name, int status, std::uint64_t bytes_in, std::uint64_t bytes_out,
                             std::chrono::nanoseconds duration) {
  request_counter(name, status).fetch_add(1, std::memory_order_relaxed);
  RouteStats& stats = route(name);
  stats.bytes_in.fetch_add(bytes_in, std::memory_order_relaxed);
  stats.bytes_out.fetch_add(bytes_out, std::memory_order_relaxed);
  double seconds = std::chrono::duration<double>(duration).count();
  std::size_t bucket = 0;
  while (bucket < kBuckets && seconds > kBucketBounds[bucket]) ++bucket;
  stats.duration_buckets[bucket].fetch_add(1, std::memory_order_relaxed);
  stats.duration_count.fetch_add(1, std::memory_order_relaxed);
  stats.duration_sum_ns.fetch_add(static_cast<std::uint64_t>(duration.count()), std::memory_order_relaxed);
}

void Metrics::expose(std::string name, std::string help, Kind kind, std::function<double()> read) {
  std::unique_lock lock(mutex_);
  exposed_.push_back({std::move(name), std::move(help), kind, std::move(read)});
}

std::string Metrics::render_prometheus() const {
  std::string out;
  std::shared_lock lock(mutex_);
  out += "# HELP berth_http_requests_total HTTP requests by route and status.\n";
  out += "# TYPE berth_http_requests_total counter\n";
  for (const auto& [key, counter] : requests_) {
    out += fmt::format("berth_http_requests_total{{route=\"{}\",status=\"{}\"}} {}\n", key.first, key.second,
                       counter->load(std::memory_order_relaxed));
  }
  out += "# HELP berth_http_received_bytes_total Request body bytes received, by route.\n";
  out += "# TYPE berth_http_received_bytes_total counter\n";
  for (const auto& [name, stats] : routes_) {
    out += fmt::format("berth_http_received_bytes_total{{route=\"{}\"}} {}\n", name, stats->bytes_in.load());
  }
  out += "# HELP berth_http_sent_bytes_total Response body bytes sent, by route.\n";
  out += "# TYPE berth_http_sent_bytes_total counter\n";
  for (const auto& [name, stats] : routes_) {
    out += fmt::format("berth_http_sent_bytes_total{{route=\"{}\"}} {}\n", name, stats->bytes_out.load());
  }
  out += "# HELP berth_http_request_duration_seconds Request durations by route (blob uploads and downloads "
         "are the blob_* routes).\n";
  out += "# TYPE berth_http_request_duration_seconds histogram\n";
  for (const auto& [name, stats] : routes_) {
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i <= kBuckets; ++i) {
      cumulative += stats->duration_buckets[i].load(std::memory_order_relaxed);
      std::string bound = i < kBuckets ? fmt::format("{}", kBucketBounds[i]) : "+Inf";
      out += fmt::format("berth_http_request_duration_seconds_bucket{{route=\"{}\",le=\"{}\"}} {}\n", name, bound,
                         cumulative);
    }
    out += fmt::format("berth_http_request_duration_seconds_sum{{route=\"{}\"}} {}\n", name,
                       static_cast<double>(stats->duration_sum_ns.load()) / 1e9);
    out += fmt::format("berth_http_request_duration_seconds_count{{route=\"{}\"}} {}\n", name,
                       stats->duration_count.load());
  }
  out += "# HELP berth_http_requests_in_flight Requests being served now.\n";
  out += "# TYPE berth_http_requests_in_flight gauge\n";
  out += fmt::format("berth_http_requests_in_flight {}\n", in_flight_.load());
  for (const Exposed& value : exposed_) {
    out += fmt::format("# HELP {} {}\n# TYPE {} {}\n{} {}\n", value.name, value.help, value.name,
                       value.kind == Kind::counter ? "counter" : "gauge", value.name, value.read());
  }
  return out;
}

}  // namespace berth

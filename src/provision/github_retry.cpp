#include "provision/github_retry.hpp"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <string>

namespace berth::provision {
namespace {

std::optional<std::int64_t> header_integer(const HttpResponse& response, std::string_view name) {
  const std::optional<std::string> text = response.header(name);
  if (!text || text->empty()) return std::nullopt;
  std::int64_t value = 0;
  const auto [end, error] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (error != std::errc{} || end != text->data() + text->size() || value < 0) return std::nullopt;
  return value;
}

std::chrono::milliseconds capped(std::chrono::milliseconds wait) {
  return std::clamp<std::chrono::milliseconds>(wait, std::chrono::milliseconds(0), kMaxGithubWait);
}

// The wait the server asked for, if it asked.
std::optional<std::chrono::milliseconds> server_wait(const HttpResponse& response,
                                                     std::chrono::system_clock::time_point now) {
  if (auto seconds = header_integer(response, "retry-after")) return capped(std::chrono::seconds(*seconds));
  if (header_integer(response, "x-ratelimit-remaining") == 0) {
    if (auto reset = header_integer(response, "x-ratelimit-reset")) {
      const auto reset_at = std::chrono::system_clock::time_point(std::chrono::seconds(*reset));
      return capped(std::chrono::duration_cast<std::chrono::milliseconds>(reset_at - now) + std::chrono::seconds(1));
    }
  }
  return std::nullopt;
}

bool is_secondary_rate_limit(const HttpResponse& response) {
  return response.header("retry-after") || response.header("x-ratelimit-remaining") == "0" ||
         response.body.find("secondary rate limit") != std::string::npos;
}

}  // namespace

std::chrono::milliseconds github_backoff(int attempt, std::chrono::milliseconds initial_backoff, double jitter) {
  const auto base = initial_backoff * (std::int64_t{1} << std::clamp(attempt - 1, 0, 16));
  const auto extra =
      std::chrono::milliseconds(static_cast<std::int64_t>(static_cast<double>(base.count()) * jitter / 2));
  return capped(base + extra);
}

std::optional<std::chrono::milliseconds> github_retry_delay(const HttpResponse& response, int attempt,
                                                            std::chrono::milliseconds initial_backoff, double jitter,
                                                            std::chrono::system_clock::time_point now) {
  const long status = response.status;
  const bool retryable = status >= 500 || status == 429 || (status == 403 && is_secondary_rate_limit(response));
  if (!retryable) return std::nullopt;
  if (auto wait = server_wait(response, now)) return wait;
  return github_backoff(attempt, initial_backoff, jitter);
}

}  // namespace berth::provision

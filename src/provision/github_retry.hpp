// When to try a GitHub request again, and after how long (GitHub's REST guidance on rate limits):
// 5xx and 429 are retried with exponential backoff plus jitter; a 403 is retried only when it is a
// secondary rate limit. `retry-after` (seconds) is honoured whenever sent; otherwise
// `x-ratelimit-remaining: 0` waits until `x-ratelimit-reset` (epoch seconds). Pure; thread-safe.
#pragma once

#include <chrono>
#include <optional>

#include "provision/http_client.hpp"

namespace berth::provision {

// A server-given wait is capped here so a bogus header cannot park apply for hours.
inline constexpr std::chrono::seconds kMaxGithubWait{300};

// nullopt: do not retry (success or a final error). `attempt` counts from 1; the backoff for
// attempt n is initial_backoff * 2^(n-1) plus up to half of that again as jitter (`jitter` in [0,1)).
std::optional<std::chrono::milliseconds> github_retry_delay(const HttpResponse& response, int attempt,
                                                            std::chrono::milliseconds initial_backoff, double jitter,
                                                            std::chrono::system_clock::time_point now);

// The backoff alone, for transport errors (no response at all).
std::chrono::milliseconds github_backoff(int attempt, std::chrono::milliseconds initial_backoff, double jitter);

}  // namespace berth::provision

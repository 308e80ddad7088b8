#include "provision/github_retry.hpp"

#include <gtest/gtest.h>

namespace berth::provision {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

const auto kNow = std::chrono::system_clock::time_point(seconds(1'700'000'000));

HttpResponse response(long status, std::map<std::string, std::string> headers = {}, std::string body = {}) {
  return HttpResponse{.status = status, .body = std::move(body), .headers = std::move(headers)};
}

std::optional<milliseconds> delay(const HttpResponse& answer, int attempt = 1, double jitter = 0.0) {
  return github_retry_delay(answer, attempt, milliseconds(100), jitter, kNow);
}

TEST(GithubRetry, FinalAnswersAreNotRetried) {
  for (long status : {200L, 201L, 204L, 400L, 401L, 404L, 409L, 422L}) EXPECT_FALSE(delay(response(status))) << status;
}

TEST(GithubRetry, PlainForbiddenIsNotARateLimit) {
  EXPECT_FALSE(delay(response(403, {}, R"({"message":"Resource not accessible by integration"})")));
  EXPECT_FALSE(delay(response(403, {{"x-ratelimit-remaining", "12"}})));
}

TEST(GithubRetry, ServerErrorsAndTooManyRequestsBackOffExponentially) {
  EXPECT_EQ(delay(response(502), 1), milliseconds(100));
  EXPECT_EQ(delay(response(500), 2), milliseconds(200));
  EXPECT_EQ(delay(response(503), 4), milliseconds(800));
  EXPECT_EQ(delay(response(429), 3), milliseconds(400));
}

TEST(GithubRetry, JitterAddsUpToHalfTheBackoff) {
  EXPECT_EQ(delay(response(502), 2, 0.5), milliseconds(250));
  EXPECT_EQ(delay(response(502), 2, 0.999), milliseconds(299));
}

TEST(GithubRetry, RetryAfterIsHonoured) {
  EXPECT_EQ(delay(response(403, {{"retry-after", "7"}})), seconds(7));
  EXPECT_EQ(delay(response(429, {{"retry-after", "2"}})), seconds(2));
  EXPECT_EQ(delay(response(503, {{"retry-after", "0"}})), milliseconds(0));
}

TEST(GithubRetry, ExhaustedQuotaWaitsUntilTheReset) {
  const auto reset = std::to_string(1'700'000'000 + 30);
  EXPECT_EQ(delay(response(403, {{"x-ratelimit-remaining", "0"}, {"x-ratelimit-reset", reset}})), seconds(31));
}

TEST(GithubRetry, SecondaryRateLimitMessageWithoutHeadersBacksOff) {
  EXPECT_EQ(delay(response(403, {}, R"({"message":"You have exceeded a secondary rate limit."})"), 2),
            milliseconds(200));
}

TEST(GithubRetry, ServerWaitsAreCapped) {
  EXPECT_EQ(delay(response(403, {{"retry-after", "86400"}})), kMaxGithubWait);
  EXPECT_EQ(github_backoff(30, milliseconds(500), 0.0), kMaxGithubWait);
}

TEST(GithubRetry, MalformedRetryAfterFallsBackToBackoff) {
  EXPECT_EQ(delay(response(503, {{"retry-after", "soon"}})), milliseconds(100));
}

}  // namespace
}  // namespace berth::provision

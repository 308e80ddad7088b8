// The GitHub REST client behind GithubPublisher (interfaces.md §9): Actions variables and secrets
// of a repository or of one of its environments, and environments themselves. Blocking (libcurl);
// one publisher may be shared between threads. Requests carry the token as `Authorization: Bearer`;
// neither the token nor a secret value ever appears in an error message or a log line.
//
//   auto github = make_github_publisher({.token = token});
//   BERTH_TRY(github->put_secret({"acme", "app", ""}, "ECR_ROLE_TO_ASSUME", arn));
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "provision/publishers.hpp"

namespace berth::provision {

struct GithubPublisherOptions {
  // GitHub Enterprise Server: "https://HOST/api/v3". Plain http only to 127.0.0.1/localhost.
  std::string api_url = "https://api.github.com";
  std::string token;  // from the environment, never logged
  // Tries per request, counting the first, for 5xx, 429, secondary rate limits and lost connections.
  int max_attempts = 5;
  std::chrono::milliseconds initial_backoff{500};
};

// Errors: "github: PUT /repos/o/r/actions/secrets/X: 422 <message from GitHub's JSON body>", with
// code denied (401/403), not_found (404), conflict (409), invalid_argument (400/422, bad base URL),
// unavailable (5xx, 429, rate limits or no answer after max_attempts), internal otherwise.
std::unique_ptr<GithubPublisher> make_github_publisher(const GithubPublisherOptions& options);

}  // namespace berth::provision

#include "provision/github_publisher.hpp"

#include <algorithm>
#include <initializer_list>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>
#include <utility>

#include "provision/github_retry.hpp"
#include "provision/http_client.hpp"
#include "provision/sealed_box.hpp"

namespace berth::provision {
namespace {

using Json = nlohmann::json;

struct PublicKey {
  std::string key_id;
  std::string key;
};

double random_jitter() {
  thread_local std::mt19937 generator{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(generator);
}

class RestGithubPublisher final : public GithubPublisher {
 public:
  explicit RestGithubPublisher(GithubPublisherOptions options) : options_(std::move(options)) {
    while (options_.api_url.ends_with('/')) options_.api_url.pop_back();
  }

  Result<GithubRepositoryIds> repository_ids(std::string_view owner, std::string_view repository) override {
    const std::string path = repository_path(GithubScope{std::string(owner), std::string(repository), ""});
    // Not following a 301: it means the repository now has another name, and tokens carry that one.
    Result<HttpResponse> response = call("GET", path, "", {200, 301, 404});
    if (!response) return std::move(response).error();
    if (response->status == 404) {
      return make_error(ErrorCode::not_found,
                        "github: GET " + path + ": 404: no such repository, or the token cannot see it");
    }
    if (response->status == 301) {
      return make_error(
          ErrorCode::invalid_argument,
          "github: GET " + path + ": 301: the repository was renamed or transferred; declare its new name");
    }
    const Json body = Json::parse(response->body, nullptr, false);
    const bool shaped = body.is_object() && body.contains("id") && body["id"].is_number_integer() &&
                        body.contains("name") && body["name"].is_string() && body.contains("owner") &&
                        body["owner"].is_object() && body["owner"].contains("id") &&
                        body["owner"]["id"].is_number_integer() && body["owner"].contains("login") &&
                        body["owner"]["login"].is_string();
    if (!shaped) {
      return make_error(ErrorCode::internal, "github: GET " + path + ": 200 without integer id and owner.id");
    }
    const std::string login = body["owner"]["login"].get<std::string>();
    const std::string name = body["name"].get<std::string>();
    if (login != owner || name != repository) {
      // GitHub matches names case-insensitively, tokens carry its spelling, and trust compares exactly.
      return make_error(ErrorCode::invalid_argument, "github: GET " + path + ": GitHub names it " + login + "/" + name +
                                                         ", which its tokens carry; declare it so");
    }
    return GithubRepositoryIds{body["owner"]["id"].get<std::int64_t>(), body["id"].get<std::int64_t>()};
  }

  Status ensure_environment(const GithubScope& scope) override {
    const std::string path = repository_path(scope) + "/environments/" + encode_path_segment(scope.environment);
    // A PUT on an existing environment could reset its protection rules, so only a missing one is created.
    Result<HttpResponse> existing = call("GET", path, "", {200, 404});
    if (!existing) return existing.error();
    if (existing->status == 200) return {};
    return status_of(call("PUT", path, "{}", {200}));
  }

  Status put_variable(const GithubScope& scope, std::string_view name, std::string_view value) override {
    const std::string body = Json{{"name", name}, {"value", value}}.dump();
    const std::string collection = scope_path(scope) + "/variables";
    Result<HttpResponse> created = call("POST", collection, body, {201, 409});
    if (!created) return created.error();
    if (created->status == 201) return {};
    return status_of(call("PATCH", collection + "/" + encode_path_segment(name), body, {204}));
  }

  Status put_secret(const GithubScope& scope, std::string_view name, std::string_view value) override {
    Result<PublicKey> key = public_key(scope);
    if (!key) return key.error();
    Result<std::string> sealed = seal_secret(key->key, value);
    if (!sealed) {
      return make_error(sealed.error().code,
                        "github: public key of " + scope_path(scope) + ": " + sealed.error().message);
    }
    const std::string body = Json{{"encrypted_value", *sealed}, {"key_id", key->key_id}}.dump();
    const std::string path = scope_path(scope) + "/secrets/" + encode_path_segment(name);
    return status_of(call("PUT", path, body, {201, 204}));
  }

  Status delete_variable(const GithubScope& scope, std::string_view name) override {
    return remove(scope_path(scope) + "/variables/" + encode_path_segment(name));
  }

  Status delete_secret(const GithubScope& scope, std::string_view name) override {
    return remove(scope_path(scope) + "/secrets/" + encode_path_segment(name));
  }

 private:
  static Status status_of(Result<HttpResponse> response) {
    if (!response) return std::move(response).error();
    return {};
  }

  static std::string repository_path(const GithubScope& scope) {
    return "/repos/" + encode_path_segment(scope.owner) + "/" + encode_path_segment(scope.repository);
  }

  // Where a scope's variables and secrets live: the repository's Actions, or the environment.
  static std::string scope_path(const GithubScope& scope) {
    if (scope.environment.empty()) return repository_path(scope) + "/actions";
    return repository_path(scope) + "/environments/" + encode_path_segment(scope.environment);
  }

  Status remove(const std::string& path) { return status_of(call("DELETE", path, "", {204, 404})); }

  Result<PublicKey> public_key(const GithubScope& scope) {
    {
      std::lock_guard lock(mutex_);
      if (auto found = public_keys_.find(scope); found != public_keys_.end()) return found->second;
    }
    const std::string path = scope_path(scope) + "/secrets/public-key";
    Result<HttpResponse> response = call("GET", path, "", {200});
    if (!response) return std::move(response).error();
    const Json body = Json::parse(response->body, nullptr, false);
    if (!body.is_object() || !body.contains("key_id") || !body["key_id"].is_string() || !body.contains("key") ||
        !body["key"].is_string()) {
      return make_error(ErrorCode::internal, "github: GET " + path + ": 200 without string key_id and key");
    }
    PublicKey key{body["key_id"].get<std::string>(), body["key"].get<std::string>()};
    std::lock_guard lock(mutex_);
    public_keys_.insert_or_assign(scope, key);
    return key;
  }

  Error describe(const std::string& method, const std::string& path, const HttpResponse& response) const {
    return make_error(
        error_code_for_status(response.status),
        "github: " + method + " " + path + ": " + std::to_string(response.status) + " " + error_message(response));
  }

  // Sends with retries; a final status outside `accepted` is an error.
  Result<HttpResponse> call(const std::string& method, const std::string& path, const std::string& body,
                            std::initializer_list<long> accepted) {
    Result<HttpResponse> result = send_with_retries(method, path, body);
    if (result && std::find(accepted.begin(), accepted.end(), result->status) == accepted.end()) {
      result = describe(method, path, *result);
    }
    return result;
  }

  Result<HttpResponse> send_with_retries(const std::string& method, const std::string& path, const std::string& body) {
    if (options_.token.empty()) {
      return make_error(ErrorCode::denied, "github: " + method + " " + path + ": no token configured");
    }
    if (Status base = check_base_url(options_.api_url); !base) {
      return make_error(ErrorCode::invalid_argument, "github: " + base.error().message);
    }
    HttpRequest request{method,
                        options_.api_url + path,
                        {"Accept: application/vnd.github+json", "Authorization: Bearer " + options_.token,
                         "X-GitHub-Api-Version: 2022-11-28", "Content-Type: application/json"},
                        body};
    const int attempts = std::max(options_.max_attempts, 1);
    for (int attempt = 1;; ++attempt) {
      Result<HttpResponse> response = client_.send(request);
      std::optional<std::chrono::milliseconds> delay;
      if (!response) {
        if (attempt >= attempts) {
          return make_error(ErrorCode::unavailable, "github: " + method + " " + path + ": " + response.error().message);
        }
        delay = github_backoff(attempt, options_.initial_backoff, random_jitter());
      } else {
        delay = github_retry_delay(*response, attempt, options_.initial_backoff, random_jitter(),
                                   std::chrono::system_clock::now());
        if (!delay || attempt >= attempts) return response;
      }
      std::this_thread::sleep_for(*delay);
    }
  }

  GithubPublisherOptions options_;
  HttpClient client_;
  std::mutex mutex_;
  std::map<GithubScope, PublicKey> public_keys_;
};

}  // namespace

std::unique_ptr<GithubPublisher> make_github_publisher(const GithubPublisherOptions& options) {
  return std::make_unique<RestGithubPublisher>(options);
}

}  // namespace berth::provision

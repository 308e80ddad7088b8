#include "provision/github_publisher.hpp"

#include <gtest/gtest.h>
#include <sodium.h>

#include <atomic>
#include <nlohmann/json.hpp>
#include <set>

#include "recording_http_server.hpp"

namespace berth::provision {
namespace {

using testing::RecordedRequest;
using testing::RecordingHttpServer;
using testing::ScriptedResponse;
using Json = nlohmann::json;

constexpr char kToken[] = "ghp_test-token-1234567890";
const GithubScope kRepository{"acme", "app", ""};
const GithubScope kEnvironment{"acme", "app", "prod/eu"};

std::string base64(const unsigned char* bytes, std::size_t size) {
  std::string encoded(sodium_base64_encoded_len(size, sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(encoded.data(), encoded.size(), bytes, size, sodium_base64_VARIANT_ORIGINAL);
  encoded.pop_back();
  return encoded;
}

// Just enough of GitHub's Actions API (interfaces.md §9) to follow the contract's status codes.
class FakeGithub {
 public:
  FakeGithub() {
    EXPECT_GE(sodium_init(), 0);
    crypto_box_keypair(public_key_, secret_key_);
  }

  ScriptedResponse handle(const RecordedRequest& request) {
    if (request.header("authorization") != std::string("Bearer ") + kToken) {
      return {401, R"({"message":"Bad credentials"})"};
    }
    const std::string& path = request.target;
    if (request.method == "GET" && path == "/repos/acme/app") return {200, repository_json("acme", 65, "app", 74)};
    if (request.method == "GET" && path.ends_with("/secrets/public-key")) {
      return {200, Json{{"key_id", "key-7"}, {"key", base64(public_key_, sizeof public_key_)}}.dump()};
    }
    if (request.method == "POST" && path.ends_with("/variables")) {
      const std::string name = Json::parse(request.body).at("name");
      if (!variables_.insert(path + "/" + name).second) {
        return {409, R"({"message":"Already exists - Variable already exists"})"};
      }
      return {201, "{}"};
    }
    if (request.method == "PATCH") return {variables_.contains(path) ? 204 : 404, ""};
    if (request.method == "PUT" && path.find("/secrets/") != std::string::npos) {
      return {secrets_.insert(path).second ? 201 : 204, ""};
    }
    if (is_environment(path)) {
      if (request.method == "PUT") environments_.insert(path);
      if (request.method == "PUT" || environments_.contains(path)) return {200, R"({"name":"environment"})"};
      return {404, R"({"message":"Not Found"})"};
    }
    if (request.method == "DELETE") {
      const bool existed = variables_.erase(path) + secrets_.erase(path) > 0;
      return {existed ? 204 : 404, existed ? "" : R"({"message":"Not Found"})"};
    }
    return {404, R"({"message":"Not Found"})"};
  }

  // GitHub's repository object (GET /repos/{owner}/{repo}), with the fields of its REST contract
  // that matter here and a few of the many others.
  static std::string repository_json(const std::string& owner, std::int64_t owner_id, const std::string& name,
                                     std::int64_t id) {
    return Json{{"id", id},
                {"node_id", "R_kgDOAAAA" + std::to_string(id)},
                {"name", name},
                {"full_name", owner + "/" + name},
                {"private", true},
                {"owner",
                 {{"login", owner},
                  {"id", owner_id},
                  {"node_id", "O_kgDOAAAA" + std::to_string(owner_id)},
                  {"type", "Organization"},
                  {"site_admin", false}}},
                {"html_url", "https://github.com/" + owner + "/" + name},
                {"default_branch", "main"}}
        .dump();
  }

  // "/repos/o/r/environments/<name>", nothing after the name.
  static bool is_environment(const std::string& path) {
    constexpr std::string_view kSegment = "/environments/";
    const std::size_t at = path.find(kSegment);
    return at != std::string::npos && path.find('/', at + kSegment.size()) == std::string::npos;
  }

  std::string open(const std::string& sealed_base64) const {
    std::vector<unsigned char> sealed(sealed_base64.size());
    std::size_t length = 0;
    if (sodium_base642bin(sealed.data(), sealed.size(), sealed_base64.data(), sealed_base64.size(), nullptr, &length,
                          nullptr, sodium_base64_VARIANT_ORIGINAL) != 0 ||
        length < crypto_box_SEALBYTES) {
      return "<not base64>";
    }
    std::string plain(length - crypto_box_SEALBYTES, '\0');
    if (crypto_box_seal_open(reinterpret_cast<unsigned char*>(plain.data()), sealed.data(), length, public_key_,
                             secret_key_) != 0) {
      return "<does not open>";
    }
    return plain;
  }

 private:
  unsigned char public_key_[crypto_box_PUBLICKEYBYTES];
  unsigned char secret_key_[crypto_box_SECRETKEYBYTES];
  std::set<std::string> variables_;
  std::set<std::string> secrets_;
  std::set<std::string> environments_;
};

std::unique_ptr<GithubPublisher> publisher_for(const RecordingHttpServer& server, int max_attempts = 5,
                                               const std::string& prefix = "") {
  return make_github_publisher({.api_url = server.base_url() + prefix,
                                .token = kToken,
                                .max_attempts = max_attempts,
                                .initial_backoff = std::chrono::milliseconds(1)});
}

std::vector<std::string> methods_and_paths(const std::vector<RecordedRequest>& requests) {
  std::vector<std::string> result;
  for (const auto& request : requests) result.push_back(request.method + " " + request.target);
  return result;
}

TEST(GithubPublisher, CreatesARepositoryVariableWithTheDocumentedHeaders) {
  FakeGithub github;
  RecordingHttpServer server([&](const RecordedRequest& request) { return github.handle(request); });
  ASSERT_TRUE(publisher_for(server)->put_variable(kRepository, "ECR_REGION", "eu-west-2").ok());

  const auto requests = server.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].method, "POST");
  EXPECT_EQ(requests[0].target, "/repos/acme/app/actions/variables");
  EXPECT_EQ(requests[0].header("accept"), "application/vnd.github+json");
  EXPECT_EQ(requests[0].header("authorization"), std::string("Bearer ") + kToken);
  EXPECT_EQ(requests[0].header("x-github-api-version"), "2022-11-28");
  EXPECT_EQ(requests[0].header("content-type"), "application/json");
  EXPECT_EQ(requests[0].header("user-agent"), "berth");
  EXPECT_EQ(Json::parse(requests[0].body), (Json{{"name", "ECR_REGION"}, {"value", "eu-west-2"}}));
}

TEST(GithubPublisher, ReadsTheRepositoryAndOwnerIds) {
  FakeGithub github;
  RecordingHttpServer server([&](const RecordedRequest& request) { return github.handle(request); });
  auto ids = publisher_for(server)->repository_ids("acme", "app");
  ASSERT_TRUE(ids.ok()) << ids.error().message;
  EXPECT_EQ(*ids, (GithubRepositoryIds{65, 74}));

  const auto requests = server.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].method, "GET");
  EXPECT_EQ(requests[0].target, "/repos/acme/app");
  EXPECT_EQ(requests[0].header("accept"), "application/vnd.github+json");
  EXPECT_EQ(requests[0].header("authorization"), std::string("Bearer ") + kToken);
  EXPECT_EQ(requests[0].header("x-github-api-version"), "2022-11-28");
  EXPECT_EQ(requests[0].body, "");
}

TEST(GithubPublisher, MissingRepositoryIsNotFound) {
  FakeGithub github;
  RecordingHttpServer server([&](const RecordedRequest& request) { return github.handle(request); });
  auto ids = publisher_for(server)->repository_ids("acme", "gone");
  ASSERT_FALSE(ids.ok());
  EXPECT_EQ(ids.error().code, ErrorCode::not_found);
  EXPECT_EQ(ids.error().message, "github: GET /repos/acme/gone: 404: no such repository, or the token cannot see it");
  EXPECT_EQ(server.requests().size(), 1u);
}

TEST(GithubPublisher, RenamedRepositoryIsNotFollowed) {
  // GitHub answers a renamed repository's old name with 301 to /repositories/{id}.
  RecordingHttpServer server([](const RecordedRequest&) {
    return ScriptedResponse{301,
                            R"({"message":"Moved Permanently","url":"https://api.github.com/repositories/74",)"
                            R"("documentation_url":"https://docs.github.com/rest"})",
                            {"Location: https://api.github.com/repositories/74"}};
  });
  auto ids = publisher_for(server)->repository_ids("acme", "old-name");
  ASSERT_FALSE(ids.ok());
  EXPECT_EQ(ids.error().code, ErrorCode::invalid_argument);
  EXPECT_EQ(ids.error().message,
            "github: GET /repos/acme/old-name: 301: the repository was renamed or transferred; declare its new name");
  EXPECT_EQ(server.requests().size(), 1u);
}

TEST(GithubPublisher, RepositoryGithubSpellsDifferentlyIsRefused) {
  // GitHub finds names case-insensitively; tokens carry its own spelling.
  RecordingHttpServer server([](const RecordedRequest&) {
    return ScriptedResponse{200, FakeGithub::repository_json("Acme", 65, "App", 74)};
  });
  auto ids = publisher_for(server)->repository_ids("acme", "app");
  ASSERT_FALSE(ids.ok());
  EXPECT_EQ(ids.error().code, ErrorCode::invalid_argument);
  EXPECT_EQ(ids.error().message,
            "github: GET /repos/acme/app: GitHub names it Acme/App, which its tokens carry; "
            "declare it so");
}

TEST(GithubPublisher, ExistingVariableIsUpdatedAfterConflict) {
  FakeGithub github;
  RecordingHttpServer server([&](const RecordedRequest& request) { return github.handle(request); });
  auto publisher = publisher_for(server);
  ASSERT_TRUE(publisher->put_variable(kRepository, "ECR_REPOSITORY", "team/old").ok());
  ASSERT_TRUE(publisher->put_variable(kRepository, "ECR_REPOSITORY", "team/new").ok());

  const auto requests = server.requests();
  EXPECT_EQ(
      methods_and_paths(requests),
      (std::vector<std::string>{"POST /repos/acme/app/actions/variables", "POST /repos/acme/app/actions/variables",
                                "PATCH /repos/acme/app/actions/variables/ECR_REPOSITORY"}));
  EXPECT_EQ(Json::parse(requests[2].body), (Json{{"name", "ECR_REPOSITORY"}, {"value", "team/new"}}));
}

TEST(GithubPublisher, EnvironmentNamesArePercentEncoded) {
  FakeGithub github;
  RecordingHttpServer server([&](const RecordedRequest& request) { return github.handle(request); });
  auto publisher = publisher_for(server);
  ASSERT_TRUE(publisher->ensure_environment(kEnvironment).ok());
  ASSERT_TRUE(publisher->put_variable(kEnvironment, "PRODUCTION_ECR_REGION", "eu-west-2").ok());
  EXPECT_EQ(methods_and_paths(server.requests()),
            (std::vector<std::string>{"GET /repos/acme/app/environments/prod%2Feu",
                                      "PUT /repos/acme/app/environments/prod%2Feu",
                                      "POST /repos/acme/app/environments/prod%2Feu/variables"}));
}

TEST(GithubPublisher, ExistingEnvironmentIsLeftAlone) {
  FakeGithub github;
  RecordingHttpServer server([&](const RecordedRequest& request) { return github.handle(request); });
  auto publisher = publisher_for(server);
  ASSERT_TRUE(publisher->ensure_environment(kEnvironment).ok());
  ASSERT_TRUE(publisher->ensure_environment(kEnvironment).ok());
  EXPECT_EQ(methods_and_paths(server.requests()),
            (std::vector<std::string>{"GET /repos/acme/app/environments/prod%2Feu",
                                      "PUT /repos/acme/app/environments/prod%2Feu",
                                      "GET /repos/acme/app/environments/prod%2Feu"}));
}

TEST(GithubPublisher, SecretsAreSealedForTheScopesPublicKey) {
  FakeGithub github;
  RecordingHttpServer server([&](const RecordedRequest& request) { return github.handle(request); });
  auto publisher = publisher_for(server);
  const std::string arn = "arn:aws:iam::123456789012:role/berth-ecr-0123456789abcdef-github";
  ASSERT_TRUE(publisher->put_secret(kRepository, "ECR_ROLE_TO_ASSUME", arn).ok());
  ASSERT_TRUE(publisher->put_secret(kRepository, "ECR_REGISTRY_URL", "registry.example.com").ok());
  ASSERT_TRUE(publisher->put_secret(kEnvironment, "ECR_ROLE_TO_ASSUME", arn).ok());

  const auto requests = server.requests();
  // The public key is fetched once per scope.
  EXPECT_EQ(methods_and_paths(requests),
            (std::vector<std::string>{"GET /repos/acme/app/actions/secrets/public-key",
                                      "PUT /repos/acme/app/actions/secrets/ECR_ROLE_TO_ASSUME",
                                      "PUT /repos/acme/app/actions/secrets/ECR_REGISTRY_URL",
                                      "GET /repos/acme/app/environments/prod%2Feu/secrets/public-key",
                                      "PUT /repos/acme/app/environments/prod%2Feu/secrets/ECR_ROLE_TO_ASSUME"}));
  const Json body = Json::parse(requests[1].body);
  EXPECT_EQ(body.size(), 2u);
  EXPECT_EQ(body.at("key_id"), "key-7");
  EXPECT_EQ(github.open(body.at("encrypted_value")), arn);
  EXPECT_EQ(github.open(Json::parse(requests[2].body).at("encrypted_value")), "registry.example.com");
  EXPECT_EQ(requests[1].body.find(arn), std::string::npos);
}

TEST(GithubPublisher, DeletingWhatIsAbsentSucceeds) {
  FakeGithub github;
  RecordingHttpServer server([&](const RecordedRequest& request) { return github.handle(request); });
  auto publisher = publisher_for(server);
  ASSERT_TRUE(publisher->put_variable(kRepository, "ECR_REGION", "eu-west-2").ok());
  EXPECT_TRUE(publisher->delete_variable(kRepository, "ECR_REGION").ok());
  EXPECT_TRUE(publisher->delete_variable(kRepository, "ECR_REGION").ok());
  EXPECT_TRUE(publisher->delete_secret(kEnvironment, "ECR_ROLE_TO_ASSUME").ok());
  const auto requests = server.requests();
  ASSERT_EQ(requests.size(), 4u);
  EXPECT_EQ(requests[1].method + " " + requests[1].target, "DELETE /repos/acme/app/actions/variables/ECR_REGION");
  EXPECT_EQ(requests[3].method + " " + requests[3].target,
            "DELETE /repos/acme/app/environments/prod%2Feu/secrets/ECR_ROLE_TO_ASSUME");
}

TEST(GithubPublisher, ServerErrorsAreRetried) {
  FakeGithub github;
  std::atomic<int> failures{2};
  RecordingHttpServer server([&](const RecordedRequest& request) {
    if (failures-- > 0) return ScriptedResponse{502, "bad gateway"};
    return github.handle(request);
  });
  ASSERT_TRUE(publisher_for(server)->put_variable(kRepository, "ECR_REGION", "eu-west-2").ok());
  EXPECT_EQ(server.requests().size(), 3u);
}

TEST(GithubPublisher, GivesUpAfterMaxAttempts) {
  RecordingHttpServer server([](const RecordedRequest&) {
    return ScriptedResponse{503, R"({"message":"Service Unavailable"})"};
  });
  Status status = publisher_for(server, 3)->put_variable(kRepository, "ECR_REGION", "eu-west-2");
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, ErrorCode::unavailable);
  EXPECT_EQ(status.error().message, "github: POST /repos/acme/app/actions/variables: 503 Service Unavailable");
  EXPECT_EQ(server.requests().size(), 3u);
}

TEST(GithubPublisher, SecondaryRateLimitHonoursRetryAfter) {
  FakeGithub github;
  std::atomic<bool> limited{true};
  RecordingHttpServer server([&](const RecordedRequest& request) {
    if (limited.exchange(false)) {
      return ScriptedResponse{403, R"({"message":"You have exceeded a secondary rate limit."})", {"Retry-After: 1"}};
    }
    return github.handle(request);
  });
  const auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(publisher_for(server)->delete_secret(kRepository, "ECR_REGISTRY_URL").ok());
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(950));
  EXPECT_EQ(server.requests().size(), 2u);
}

TEST(GithubPublisher, ForbiddenWithoutRateLimitIsFinal) {
  RecordingHttpServer server([](const RecordedRequest&) {
    return ScriptedResponse{403, R"({"message":"Resource not accessible by integration"})"};
  });
  Status status = publisher_for(server)->ensure_environment(kEnvironment);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, ErrorCode::denied);
  EXPECT_EQ(status.error().message,
            "github: GET /repos/acme/app/environments/prod%2Feu: 403 Resource not accessible by integration");
  EXPECT_EQ(server.requests().size(), 1u);
}

TEST(GithubPublisher, ErrorsNameTheRequestButNeitherTokenNorSecret) {
  FakeGithub github;
  RecordingHttpServer server([&](const RecordedRequest& request) {
    if (request.method == "PUT") return ScriptedResponse{422, R"({"message":"Bad request: key_id is stale"})"};
    return github.handle(request);
  });
  Status status = publisher_for(server)->put_secret(kRepository, "ECR_ROLE_TO_ASSUME", "very-secret-value");
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, ErrorCode::invalid_argument);
  EXPECT_EQ(status.error().message,
            "github: PUT /repos/acme/app/actions/secrets/ECR_ROLE_TO_ASSUME: 422 Bad request: key_id is stale");
  EXPECT_EQ(status.error().message.find(kToken), std::string::npos);
  EXPECT_EQ(status.error().message.find("very-secret-value"), std::string::npos);
}

TEST(GithubPublisher, EnterpriseBaseUrlKeepsItsPrefix) {
  FakeGithub github;
  RecordingHttpServer server([&](const RecordedRequest& request) {
    RecordedRequest without_prefix = request;
    without_prefix.target = request.target.substr(std::string("/api/v3").size());
    return github.handle(without_prefix);
  });
  ASSERT_TRUE(publisher_for(server, 5, "/api/v3/")->put_variable(kRepository, "ECR_REGION", "eu-west-2").ok());
  EXPECT_EQ(server.requests().at(0).target, "/api/v3/repos/acme/app/actions/variables");
}

TEST(GithubPublisher, PlainHttpIsRefusedBeyondLoopback) {
  Status status = make_github_publisher({.api_url = "http://github.example.com/api/v3", .token = kToken})
                      ->put_variable(kRepository, "ECR_REGION", "eu-west-2");
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, ErrorCode::invalid_argument);
}

TEST(GithubPublisher, UnreachableServerIsUnavailable) {
  std::string url;
  {
    RecordingHttpServer closed([](const RecordedRequest&) { return ScriptedResponse{}; });
    url = closed.base_url();
  }
  Status status =
      make_github_publisher(
          {.api_url = url, .token = kToken, .max_attempts = 2, .initial_backoff = std::chrono::milliseconds(1)})
          ->delete_variable(kRepository, "ECR_REGION");
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, ErrorCode::unavailable);
  EXPECT_TRUE(status.error().message.starts_with("github: DELETE /repos/acme/app/actions/variables/ECR_REGION: "))
      << status.error().message;
}

}  // namespace
}  // namespace berth::provision

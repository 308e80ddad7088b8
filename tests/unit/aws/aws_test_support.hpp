// Shared by the aws unit tests: requests with in-memory bodies, SigV4 signing the way botocore
// signs (every header sent is signed), and running a front door coroutine to completion.
#pragma once

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <nlohmann/json.hpp>

#include <chrono>
#include <exception>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "http/message.hpp"
#include "oidc/http_fetcher.hpp"
#include "oidc/jwks.hpp"

namespace berth::aws::test {

class StringBody final : public http::BodyReader {
 public:
  explicit StringBody(std::string data) : data_(std::move(data)) {}
  std::optional<std::uint64_t> content_length() const override { return data_.size(); }
  http::Task<Result<std::size_t>> read_some(std::span<char> buffer) override;

 private:
  std::string data_;
  std::size_t position_ = 0;
};

// A request and the body it reads from.
struct TestRequest {
  http::Request request;
  std::unique_ptr<StringBody> body;
  std::string body_text;
};

using HeaderList = std::vector<std::pair<std::string, std::string>>;

// `target` is the path plus an optional `?query`; Host is added first.
TestRequest make_request(http::Method method, const std::string& target, std::string body,
                         const HeaderList& headers = {}, std::string host = "sts.eu-west-2.amazonaws.com");

struct SigningCredentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;
};

// Adds X-Amz-Date and (unless the credentials are a long-lived key's, without a token)
// X-Amz-Security-Token, then an Authorization header over every header present.
void sign(TestRequest& request, const SigningCredentials& credentials, std::string_view region,
          std::string_view service, std::chrono::system_clock::time_point at);

// Serves documents from memory by URL; everything else (or everything, while `down`) fails as an
// unreachable identity provider would.
class FakeFetcher final : public oidc::HttpFetcher {
 public:
  Result<oidc::FetchedDocument> get(const std::string& url) override;
  void set(const std::string& url, std::string body);
  void set_down(bool down);
  std::size_t fetches() const;

 private:
  mutable std::mutex mutex_;
  std::map<std::string, std::string> documents_;
  bool down_ = false;
  std::size_t fetches_ = 0;
};

// A test OIDC issuer published through a FakeFetcher: discovery at `<issuer>/.well-known/openid-
// configuration`, JWKS at `<issuer>/jwks`, RS256 tokens with GitHub Actions' claims.
class TestIssuer {
 public:
  TestIssuer(std::string issuer, FakeFetcher& fetcher);

  const std::string& issuer() const { return issuer_; }
  const std::string& kid() const { return kid_; }
  // A new signing key under `kid`; the JWKS then publishes only that key.
  void rotate(std::string kid);
  // GitHub Actions claims for octo-org/octo-repo on main, valid for five minutes around `now`.
  nlohmann::json github_claims(std::chrono::system_clock::time_point now) const;
  std::string token(const nlohmann::json& claims) const;
  // Signed by a key the issuer never published, under the published kid.
  std::string token_signed_by_stranger(const nlohmann::json& claims) const;

 private:
  std::string issuer_;
  FakeFetcher& fetcher_;
  std::string kid_;
  std::size_t generation_ = 0;
  EVP_PKEY* key_ = nullptr;  // from a per-process pool: RSA key generation is slow
};

// The text between `<tag>` and `</tag>` (the first occurrence), or "<absent>".
std::string xml_value(std::string_view xml, std::string_view tag);
std::string body_text(const http::Response& response);

template <typename T>
T run(http::Task<T> task) {
  boost::asio::io_context io;
  std::optional<T> result;
  std::exception_ptr failure;
  boost::asio::co_spawn(io, std::move(task), [&](std::exception_ptr error, T value) {
    failure = error;
    if (!error) result.emplace(std::move(value));
  });
  io.run();
  if (failure) std::rethrow_exception(failure);
  return std::move(*result);
}

}  // namespace berth::aws::test

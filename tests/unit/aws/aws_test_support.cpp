#include "aws/aws_test_support.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <cctype>
#include <cstring>

#include <fmt/chrono.h>
#include <fmt/format.h>

#include "auth/sigv4.hpp"
#include "common/digest.hpp"
#include "oidc/test_signer.hpp"

namespace berth::aws::test {

http::Task<Result<std::size_t>> StringBody::read_some(std::span<char> buffer) {
  const std::size_t count = std::min(buffer.size(), data_.size() - position_);
  std::memcpy(buffer.data(), data_.data() + position_, count);
  position_ += count;
  co_return count;
}

TestRequest make_request(http::Method method, const std::string& target, std::string body, const HeaderList& headers,
                         std::string host) {
  TestRequest test;
  test.request.method = method;
  test.request.method_text = std::string(http::method_name(method));
  test.request.target = target;
  const auto question = target.find('?');
  test.request.path = target.substr(0, question);
  test.request.raw_query = question == std::string::npos ? "" : target.substr(question + 1);
  test.request.query = http::Query::parse(test.request.raw_query);
  test.request.remote_address = "192.0.2.7:40000";
  test.request.headers.add("Host", std::move(host));
  for (const auto& [name, value] : headers) test.request.headers.add(name, value);
  test.body_text = body;
  test.body = std::make_unique<StringBody>(std::move(body));
  test.request.body = test.body.get();
  return test;
}

void sign(TestRequest& test, const SigningCredentials& credentials, std::string_view region, std::string_view service,
          std::chrono::system_clock::time_point at) {
  http::Request& request = test.request;
  const auto seconds = std::chrono::floor<std::chrono::seconds>(at);
  const std::string amz_date =
      fmt::format("{:%Y%m%dT%H%M%SZ}", fmt::gmtime(std::chrono::system_clock::to_time_t(seconds)));
  request.headers.set("X-Amz-Date", amz_date);
  if (!credentials.session_token.empty()) request.headers.set("X-Amz-Security-Token", credentials.session_token);

  auth::ParsedAuthorization parsed;
  parsed.credential = {credentials.access_key_id, amz_date.substr(0, 8), std::string(region), std::string(service)};
  parsed.amz_date = amz_date;
  for (const auto& header : request.headers.all()) {
    std::string name = header.first;
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
    parsed.signed_headers.push_back(std::move(name));
  }
  std::sort(parsed.signed_headers.begin(), parsed.signed_headers.end());

  const auth::SignedRequest signed_request{request.method_text, request.path, request.raw_query, request.headers.all(),
                                           Hasher::of(test.body_text).hex()};
  const std::string to_sign = auth::string_to_sign(parsed, auth::canonical_request(signed_request, parsed));
  const std::string key = auth::signing_key(credentials.secret_access_key, parsed.credential.date, region, service);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_length = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(to_sign.data()),
       to_sign.size(), mac, &mac_length);
  std::string signature;
  for (unsigned int i = 0; i < mac_length; ++i) signature += fmt::format("{:02x}", mac[i]);

  request.headers.add(
      "Authorization",
      fmt::format("AWS4-HMAC-SHA256 Credential={}/{}/{}/{}/aws4_request, SignedHeaders={}, Signature={}",
                  credentials.access_key_id, parsed.credential.date, region, service,
                  fmt::join(parsed.signed_headers, ";"), signature));
}

Result<oidc::FetchedDocument> FakeFetcher::get(const std::string& url) {
  std::lock_guard lock(mutex_);
  ++fetches_;
  const auto found = documents_.find(url);
  if (down_ || found == documents_.end()) {
    return make_error(ErrorCode::aws_idp_communication_error, "fake fetcher: cannot fetch " + url);
  }
  return oidc::FetchedDocument{found->second, std::nullopt};
}

void FakeFetcher::set(const std::string& url, std::string body) {
  std::lock_guard lock(mutex_);
  documents_[url] = std::move(body);
}

void FakeFetcher::set_down(bool down) {
  std::lock_guard lock(mutex_);
  down_ = down;
}

std::size_t FakeFetcher::fetches() const {
  std::lock_guard lock(mutex_);
  return fetches_;
}

namespace {

// RSA keys generated once per test process, shared by every TestIssuer (keys are never mutated).
EVP_PKEY* pooled_rsa_key(std::size_t index) {
  static std::mutex mutex;
  static std::vector<oidc::UniqueEvpPkey> pool;
  std::lock_guard lock(mutex);
  while (pool.size() <= index) pool.push_back(oidc::testing::generate_rsa_key(2048));
  return pool[index].get();
}

}  // namespace

TestIssuer::TestIssuer(std::string issuer, FakeFetcher& fetcher) : issuer_(std::move(issuer)), fetcher_(fetcher) {
  fetcher_.set(issuer_ + "/.well-known/openid-configuration",
               nlohmann::json{{"issuer", issuer_}, {"jwks_uri", issuer_ + "/jwks"}}.dump());
  rotate("k1");
}

void TestIssuer::rotate(std::string kid) {
  kid_ = std::move(kid);
  key_ = pooled_rsa_key(generation_++);
  fetcher_.set(issuer_ + "/jwks",
               oidc::testing::jwks_document(nlohmann::json::array({oidc::testing::public_jwk(key_, kid_)})));
}

nlohmann::json TestIssuer::github_claims(std::chrono::system_clock::time_point now) const {
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  return {{"jti", "example-id"},
          {"iss", issuer_},
          {"aud", "sts.amazonaws.com"},
          {"sub", "repo:octo-org/octo-repo:ref:refs/heads/main"},
          {"ref", "refs/heads/main"},
          {"sha", "example-sha"},
          {"repository", "octo-org/octo-repo"},
          {"repository_owner", "octo-org"},
          {"repository_id", "74"},
          {"run_id", "42"},
          {"actor", "octocat"},
          {"workflow", "build"},
          {"event_name", "push"},
          {"ref_protected", true},
          {"iat", seconds - 60},
          {"nbf", seconds - 60},
          {"exp", seconds + 240}};
}

std::string TestIssuer::token(const nlohmann::json& claims) const {
  return oidc::testing::sign_jwt(key_, "RS256", kid_, claims);
}

std::string TestIssuer::token_signed_by_stranger(const nlohmann::json& claims) const {
  return oidc::testing::sign_jwt(pooled_rsa_key(generation_ + 1), "RS256", kid_, claims);
}

std::string xml_value(std::string_view xml, std::string_view tag) {
  const std::string open = "<" + std::string(tag) + ">";
  const std::string close = "</" + std::string(tag) + ">";
  const auto start = xml.find(open);
  if (start == std::string_view::npos) return "<absent>";
  const auto end = xml.find(close, start);
  if (end == std::string_view::npos) return "<absent>";
  return std::string(xml.substr(start + open.size(), end - start - open.size()));
}

std::string body_text(const http::Response& response) {
  const auto* text = std::get_if<std::string>(&response.body);
  return text == nullptr ? "<no string body>" : *text;
}

}  // namespace berth::aws::test

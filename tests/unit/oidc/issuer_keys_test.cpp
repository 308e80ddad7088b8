#include "oidc/issuer_keys.hpp"

#include <gtest/gtest.h>

#include "oidc/canned_http_server.hpp"
#include "oidc/test_signer.hpp"

namespace berth::oidc {
namespace {

using std::chrono::hours;
using std::chrono::seconds;
using testing::CannedHttpServer;
using testing::CannedResponse;

constexpr const char* kDiscoveryPath = "/.well-known/openid-configuration";

CurlFetcherOptions insecure_options(std::size_t max_body_bytes = 1024 * 1024) {
  CurlFetcherOptions options;
  options.allow_insecure = true;
  options.max_body_bytes = max_body_bytes;
  return options;
}

class IssuerKeysTest : public ::testing::Test {
 protected:
  IssuerKeysTest() {
    server_.set(kDiscoveryPath, CannedResponse(200, discovery_document(server_.base_url())));
    serve_keys("k1", {"Cache-Control: max-age=300"});
  }

  static std::string discovery_document(const std::string& issuer) {
    return nlohmann::json{{"issuer", issuer}, {"jwks_uri", issuer + "/jwks"}}.dump();
  }

  void serve_keys(std::string_view kid, std::vector<std::string> headers = {}) {
    auto key = testing::generate_ec_key("P-256");
    const auto jwks = testing::jwks_document(nlohmann::json::array({testing::public_jwk(key.get(), kid, "ES256")}));
    server_.set("/jwks", CannedResponse(200, jwks, std::move(headers)));
  }

  IssuerKeys make_keys(CurlFetcherOptions options = insecure_options()) {
    return IssuerKeys(server_.base_url(), std::make_shared<CurlHttpFetcher>(options), true);
  }

  std::size_t request_count() const { return server_.requested_paths().size(); }

  CannedHttpServer server_;
  const std::chrono::system_clock::time_point t0_{seconds(1'800'000'000)};
};

TEST_F(IssuerKeysTest, FetchesDiscoveryThenJwksAndCaches) {
  auto issuer_keys = make_keys();
  auto first = issuer_keys.keys(t0_);
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_NE((*first)->find("k1"), nullptr);
  EXPECT_EQ(server_.requested_paths(), (std::vector<std::string>{kDiscoveryPath, "/jwks"}));

  auto second = issuer_keys.keys(t0_ + seconds(30));
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->get(), first->get());
  EXPECT_EQ(request_count(), 2u);
}

TEST_F(IssuerKeysTest, KeepsKeysForTheJwksMaxAge) {
  auto issuer_keys = make_keys();
  ASSERT_TRUE(issuer_keys.keys(t0_).ok());
  serve_keys("k2", {"Cache-Control: max-age=300"});

  auto cached = issuer_keys.keys(t0_ + seconds(299));
  ASSERT_TRUE(cached.ok());
  EXPECT_NE((*cached)->find("k1"), nullptr);
  EXPECT_EQ(request_count(), 2u);

  auto refetched = issuer_keys.keys(t0_ + seconds(300));
  ASSERT_TRUE(refetched.ok()) << refetched.error().message;
  EXPECT_EQ((*refetched)->find("k1"), nullptr);
  EXPECT_NE((*refetched)->find("k2"), nullptr);
  EXPECT_EQ(request_count(), 4u);
}

TEST_F(IssuerKeysTest, ClampsTheLifetime) {
  struct Case {
    std::vector<std::string> headers;
    seconds lifetime;
  };
  for (const Case& c :
       {Case{{"Cache-Control: max-age=5"}, kMinKeysLifetime}, Case{{"Cache-Control: no-cache"}, kDefaultKeysLifetime},
        Case{{}, kDefaultKeysLifetime}, Case{{"Cache-Control: max-age=9999999"}, kMaxKeysLifetime}}) {
    serve_keys("k1", c.headers);
    auto issuer_keys = make_keys();
    server_.clear_requested_paths();
    ASSERT_TRUE(issuer_keys.keys(t0_).ok());
    ASSERT_TRUE(issuer_keys.keys(t0_ + c.lifetime - seconds(1)).ok());
    EXPECT_EQ(request_count(), 2u) << c.lifetime.count();
    ASSERT_TRUE(issuer_keys.keys(t0_ + c.lifetime).ok());
    EXPECT_EQ(request_count(), 4u) << c.lifetime.count();
  }
}

TEST_F(IssuerKeysTest, UnknownKidRefreshIsRateLimited) {
  auto issuer_keys = make_keys();
  ASSERT_TRUE(issuer_keys.keys(t0_).ok());
  serve_keys("k2", {"Cache-Control: max-age=300"});

  for (int second = 1; second < 60; second += 7) {
    auto keys = issuer_keys.refresh_for_unknown_kid(t0_ + seconds(second));
    ASSERT_TRUE(keys.ok());
    EXPECT_EQ((*keys)->find("k2"), nullptr);
  }
  EXPECT_EQ(request_count(), 2u);

  auto refreshed = issuer_keys.refresh_for_unknown_kid(t0_ + seconds(60));
  ASSERT_TRUE(refreshed.ok()) << refreshed.error().message;
  EXPECT_NE((*refreshed)->find("k2"), nullptr);
  EXPECT_EQ(request_count(), 4u);

  ASSERT_TRUE(issuer_keys.refresh_for_unknown_kid(t0_ + seconds(61)).ok());
  EXPECT_EQ(request_count(), 4u);
}

TEST_F(IssuerKeysTest, RefusesADiscoveryDocumentForAnotherIssuer) {
  server_.set(kDiscoveryPath, CannedResponse(200, discovery_document("https://evil.example")));
  auto issuer_keys = make_keys();
  auto keys = issuer_keys.keys(t0_);
  ASSERT_FALSE(keys.ok());
  EXPECT_EQ(keys.error().code, ErrorCode::aws_idp_communication_error);
  EXPECT_EQ(server_.requested_paths(), std::vector<std::string>{kDiscoveryPath});
}

TEST_F(IssuerKeysTest, RefusesNon200AndOversizeJwks) {
  server_.set("/jwks", CannedResponse(404, "gone"));
  auto missing = make_keys().keys(t0_);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::aws_idp_communication_error);

  server_.set("/jwks", CannedResponse(200, std::string(2048, ' ') + R"({"keys": []})"));
  auto oversize = make_keys(insecure_options(1024)).keys(t0_);
  ASSERT_FALSE(oversize.ok());
  EXPECT_EQ(oversize.error().code, ErrorCode::aws_idp_communication_error);
  EXPECT_NE(oversize.error().message.find("larger than 1024"), std::string::npos) << oversize.error().message;
}

TEST_F(IssuerKeysTest, FailedRefreshKeepsServingUnexpiredKeys) {
  auto issuer_keys = make_keys();
  ASSERT_TRUE(issuer_keys.keys(t0_).ok());
  server_.set("/jwks", CannedResponse(404, "gone"));

  auto kept = issuer_keys.refresh_for_unknown_kid(t0_ + seconds(60));
  ASSERT_TRUE(kept.ok()) << kept.error().message;
  EXPECT_NE((*kept)->find("k1"), nullptr);
  EXPECT_EQ(request_count(), 4u);

  auto expired = issuer_keys.keys(t0_ + seconds(300));
  ASSERT_FALSE(expired.ok());
  EXPECT_EQ(expired.error().code, ErrorCode::aws_idp_communication_error);
  EXPECT_EQ(request_count(), 6u);
}

TEST_F(IssuerKeysTest, FailedFetchIsNotRetriedWithinTheInterval) {
  server_.set("/jwks", CannedResponse(404, "gone"));
  auto issuer_keys = make_keys();
  ASSERT_FALSE(issuer_keys.keys(t0_).ok());
  serve_keys("k1");

  auto again = issuer_keys.keys(t0_ + seconds(59));
  ASSERT_FALSE(again.ok());
  EXPECT_NE(again.error().message.find("404"), std::string::npos) << again.error().message;
  EXPECT_EQ(request_count(), 2u);

  ASSERT_TRUE(issuer_keys.keys(t0_ + seconds(60)).ok());
  EXPECT_EQ(request_count(), 4u);
}

TEST_F(IssuerKeysTest, RequiresHttpsUnlessInsecureIsAllowed) {
  auto strict_fetcher = IssuerKeys(server_.base_url(), std::make_shared<CurlHttpFetcher>(), true);
  ASSERT_FALSE(strict_fetcher.keys(t0_).ok());
  EXPECT_EQ(request_count(), 0u);

  // The fetcher would take http, but the issuer cache does not accept an http jwks_uri.
  auto strict_cache = IssuerKeys(server_.base_url(), std::make_shared<CurlHttpFetcher>(insecure_options()));
  auto keys = strict_cache.keys(t0_);
  ASSERT_FALSE(keys.ok());
  EXPECT_EQ(keys.error().code, ErrorCode::aws_idp_communication_error);
  EXPECT_EQ(server_.requested_paths(), std::vector<std::string>{kDiscoveryPath});
}

}  // namespace
}  // namespace berth::oidc

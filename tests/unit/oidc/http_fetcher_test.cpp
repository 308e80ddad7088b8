#include "oidc/http_fetcher.hpp"

#include <gtest/gtest.h>

#include "oidc/canned_http_server.hpp"

namespace berth::oidc {
namespace {

using std::chrono::seconds;
using testing::CannedHttpServer;
using testing::CannedResponse;

CurlHttpFetcher insecure_fetcher(std::size_t max_body_bytes = 1024 * 1024) {
  CurlFetcherOptions options;
  options.allow_insecure = true;
  options.max_body_bytes = max_body_bytes;
  return CurlHttpFetcher(options);
}

TEST(ParseMaxAge, ReadsTheDirectiveAmongOthers) {
  EXPECT_EQ(parse_max_age("max-age=300"), seconds(300));
  EXPECT_EQ(parse_max_age("public, MAX-AGE=3600, must-revalidate"), seconds(3600));
  EXPECT_EQ(parse_max_age("public,max-age=0"), seconds(0));
}

TEST(ParseMaxAge, IgnoresAbsentOrMalformedValues) {
  EXPECT_EQ(parse_max_age(""), std::nullopt);
  EXPECT_EQ(parse_max_age("no-cache"), std::nullopt);
  EXPECT_EQ(parse_max_age("max-age="), std::nullopt);
  EXPECT_EQ(parse_max_age("max-age=-5"), std::nullopt);
  EXPECT_EQ(parse_max_age("max-age=12x"), std::nullopt);
  EXPECT_EQ(parse_max_age("s-maxage=60"), std::nullopt);
}

TEST(CurlHttpFetcher, ReturnsBodyAndMaxAge) {
  CannedHttpServer server;
  server.set("/doc", CannedResponse(200, R"({"a":1})", {"Cache-Control: public, max-age=120"}));
  auto document = insecure_fetcher().get(server.base_url() + "/doc");
  ASSERT_TRUE(document.ok()) << document.error().message;
  EXPECT_EQ(document->body, R"({"a":1})");
  EXPECT_EQ(document->max_age, seconds(120));
  EXPECT_EQ(server.requested_paths(), std::vector<std::string>{"/doc"});
}

TEST(CurlHttpFetcher, NoCacheControlMeansNoMaxAge) {
  CannedHttpServer server;
  server.set("/doc", CannedResponse(200, "x"));
  auto document = insecure_fetcher().get(server.base_url() + "/doc");
  ASSERT_TRUE(document.ok()) << document.error().message;
  EXPECT_EQ(document->max_age, std::nullopt);
}

TEST(CurlHttpFetcher, RefusesNon200Answers) {
  CannedHttpServer server;
  server.set("/moved", CannedResponse(302, "", {"Location: /doc"}));
  server.set("/doc", CannedResponse(200, "x"));
  for (const char* path : {"/missing", "/moved"}) {
    auto document = insecure_fetcher().get(server.base_url() + path);
    ASSERT_FALSE(document.ok()) << path;
    EXPECT_EQ(document.error().code, ErrorCode::aws_idp_communication_error);
    EXPECT_NE(document.error().message.find("HTTP status"), std::string::npos) << document.error().message;
  }
  // The redirect was not followed.
  EXPECT_EQ(server.requested_paths(), (std::vector<std::string>{"/missing", "/moved"}));
}

TEST(CurlHttpFetcher, RefusesOversizeBodiesWithAndWithoutContentLength) {
  CannedHttpServer server;
  server.set("/sized", CannedResponse(200, std::string(2048, 'x')));
  server.set("/unsized", CannedResponse(200, std::string(2048, 'x'), {}, false));
  server.set("/fits", CannedResponse(200, std::string(1024, 'x'), {}, false));
  for (const char* path : {"/sized", "/unsized"}) {
    auto document = insecure_fetcher(1024).get(server.base_url() + path);
    ASSERT_FALSE(document.ok()) << path;
    EXPECT_EQ(document.error().code, ErrorCode::aws_idp_communication_error);
    EXPECT_NE(document.error().message.find("larger than 1024"), std::string::npos) << document.error().message;
  }
  auto document = insecure_fetcher(1024).get(server.base_url() + "/fits");
  ASSERT_TRUE(document.ok()) << document.error().message;
  EXPECT_EQ(document->body.size(), 1024u);
}

TEST(CurlHttpFetcher, RequiresHttpsUnlessInsecureIsAllowed) {
  CannedHttpServer server;
  server.set("/doc", CannedResponse(200, "x"));
  CurlHttpFetcher fetcher;
  for (const std::string& url :
       {server.base_url() + "/doc", std::string("ftp://127.0.0.1/doc"), std::string("file:///etc/hostname")}) {
    auto document = fetcher.get(url);
    ASSERT_FALSE(document.ok()) << url;
    EXPECT_EQ(document.error().code, ErrorCode::aws_idp_communication_error);
  }
  EXPECT_TRUE(server.requested_paths().empty());
  EXPECT_FALSE(insecure_fetcher().get("file:///etc/hostname").ok());
}

TEST(CurlHttpFetcher, ReportsConnectionFailures) {
  std::string url;
  {
    CannedHttpServer server;
    url = server.base_url() + "/doc";
  }  // nothing listens there any more
  auto document = insecure_fetcher().get(url);
  ASSERT_FALSE(document.ok());
  EXPECT_EQ(document.error().code, ErrorCode::aws_idp_communication_error);
}

}  // namespace
}  // namespace berth::oidc

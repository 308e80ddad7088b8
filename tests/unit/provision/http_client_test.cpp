#include "provision/http_client.hpp"

#include <gtest/gtest.h>

#include "recording_http_server.hpp"

namespace berth::provision {
namespace {

using testing::RecordedRequest;
using testing::RecordingHttpServer;
using testing::ScriptedResponse;

TEST(HttpClient, OnlyHttpsOrLoopbackHttp) {
  for (const char* url : {"https://api.github.com", "HTTPS://ghe.example.com/api/v3", "http://127.0.0.1",
                          "http://127.0.0.1:8080/api", "http://localhost:1/x"}) {
    EXPECT_TRUE(check_base_url(url).ok()) << url;
  }
  for (const char* url : {"http://api.github.com", "http://127.0.0.1.example.com/", "http://localhost.evil.com",
                          "ftp://127.0.0.1", "https://", "", "api.github.com"}) {
    EXPECT_FALSE(check_base_url(url).ok()) << url;
  }
}

TEST(HttpClient, EncodesOnePathSegment) {
  EXPECT_EQ(encode_path_segment("ECR_REGION"), "ECR_REGION");
  EXPECT_EQ(encode_path_segment("prod/eu west"), "prod%2Feu%20west");
  EXPECT_EQ(encode_path_segment("a.b-c~d"), "a.b-c~d");
  EXPECT_EQ(encode_path_segment("?#%é"), "%3F%23%25%C3%A9");
}

TEST(HttpClient, StatusesMapToErrorCodes) {
  EXPECT_EQ(error_code_for_status(401), ErrorCode::denied);
  EXPECT_EQ(error_code_for_status(403), ErrorCode::denied);
  EXPECT_EQ(error_code_for_status(404), ErrorCode::not_found);
  EXPECT_EQ(error_code_for_status(409), ErrorCode::conflict);
  EXPECT_EQ(error_code_for_status(422), ErrorCode::invalid_argument);
  EXPECT_EQ(error_code_for_status(429), ErrorCode::unavailable);
  EXPECT_EQ(error_code_for_status(502), ErrorCode::unavailable);
  EXPECT_EQ(error_code_for_status(418), ErrorCode::internal);
}

TEST(HttpClient, ErrorMessageComesFromTheJsonBody) {
  EXPECT_EQ(error_message(HttpResponse{.status = 422, .body = R"({"message":"Invalid request."})", .headers = {}}),
            "Invalid request.");
  EXPECT_EQ(error_message(HttpResponse{.status = 502, .body = "<html>bad gateway</html>", .headers = {}}),
            "<html>bad gateway</html>");
  EXPECT_EQ(error_message(HttpResponse{.status = 500, .body = std::string(300, 'x'), .headers = {}}).size(), 200u);
}

TEST(HttpClient, SendsMethodHeadersAndBodyAndReadsTheAnswer) {
  RecordingHttpServer server([](const RecordedRequest&) {
    return ScriptedResponse{207, "answer", {"X-Ratelimit-Remaining: 0", "Retry-After: 3"}};
  });
  HttpClient client;
  Result<HttpResponse> response =
      client.send({"PATCH", server.base_url() + "/x?y=1", {"Content-Type: application/json"}, R"({"a":1})"});
  ASSERT_TRUE(response.ok()) << response.error().message;
  EXPECT_EQ(response->status, 207);
  EXPECT_EQ(response->body, "answer");
  EXPECT_EQ(response->header("x-ratelimit-remaining"), "0");
  EXPECT_EQ(response->header("retry-after"), "3");
  EXPECT_FALSE(response->header("absent"));
  const auto requests = server.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].method, "PATCH");
  EXPECT_EQ(requests[0].target, "/x?y=1");
  EXPECT_EQ(requests[0].header("content-type"), "application/json");
  EXPECT_EQ(requests[0].body, R"({"a":1})");
}

TEST(HttpClient, EmptyPutStillSendsAContentLength) {
  RecordingHttpServer server([](const RecordedRequest&) { return ScriptedResponse{200}; });
  ASSERT_TRUE(HttpClient().send({"PUT", server.base_url() + "/", {}, ""}).ok());
  EXPECT_EQ(server.requests().at(0).header("content-length"), "0");
}

TEST(HttpClient, OversizedAnswersAreRefused) {
  RecordingHttpServer server([](const RecordedRequest&) { return ScriptedResponse{200, std::string(5000, 'x')}; });
  Result<HttpResponse> response =
      HttpClient({.tls = {}, .max_body_bytes = 1000}).send({"GET", server.base_url() + "/", {}, ""});
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.error().code, ErrorCode::unavailable);
}

}  // namespace
}  // namespace berth::provision

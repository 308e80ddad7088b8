#include "http/server.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>

#include "server_fixture.hpp"

namespace berth::http::testing {
namespace {

using namespace std::chrono_literals;

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    file_data_ = pseudo_random_bytes(3 * 1024 * 1024 + 17);
    write_file(dir_.path() / "blob", file_data_);
  }
  ServerOptions short_timeouts() {
    ServerOptions options;
    options.header_timeout = 1s;
    options.idle_timeout = 1s;
    options.max_header_bytes = 2048;
    return options;
  }
  TestServer start(ServerOptions options = {}) {
    return TestServer(std::move(options), make_test_handler(dir_.path() / "blob"));
  }

  TempDir dir_;
  std::string file_data_;
};

TEST_F(ServerTest, KeepAliveServesTwoRequestsOnOneConnection) {
  TestServer server(ServerOptions{}, make_test_handler(dir_.path() / "blob"));
  RawClient client(server.port());
  ASSERT_TRUE(client.send("GET /echo?a=x%20y HTTP/1.1\r\nHost: t\r\n\r\n"));
  auto first = client.read_response();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->status, 200);
  EXPECT_EQ(first->header("x-query-a"), "x y");
  EXPECT_EQ(first->header("x-method"), "GET");
  EXPECT_EQ(first->header("x-tls"), "0");
  EXPECT_EQ(first->header("x-remote").rfind("127.0.0.1:", 0), 0u);
  EXPECT_FALSE(first->header("date").empty());
  EXPECT_NE(first->header("connection"), "close");

  ASSERT_TRUE(client.send("GET /ech%6F HTTP/1.1\r\nHost: t\r\n\r\n"));
  auto second = client.read_response();
  ASSERT_TRUE(second);
  EXPECT_EQ(second->status, 200);
  EXPECT_EQ(second->header("x-path"), "/echo");
}

TEST_F(ServerTest, PipelinedRequestsAreAnsweredInOrder) {
  TestServer server = start();
  RawClient client(server.port());
  ASSERT_TRUE(
      client.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n\r\nabc"
                  "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\n\r\nde"));
  auto first = client.read_response();
  auto second = client.read_response();
  ASSERT_TRUE(first && second);
  EXPECT_EQ(first->body, "abc");
  EXPECT_EQ(second->body, "de");
}

TEST_F(ServerTest, ContentLengthBodyIsStreamedToTheHandler) {
  TestServer server = start();
  RawClient client(server.port());
  std::string body = pseudo_random_bytes(300 * 1000);
  ASSERT_TRUE(client.send("PUT /echo HTTP/1.1\r\nHost: t\r\nContent-Length: " + std::to_string(body.size()) +
                          "\r\n\r\n" + body.substr(0, 1000)));
  std::this_thread::sleep_for(50ms);
  ASSERT_TRUE(client.send(std::string_view(body).substr(1000)));
  auto response = client.read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->header("x-declared"), "length");
  EXPECT_EQ(response->body.size(), body.size());
  EXPECT_TRUE(response->body == body);
}

TEST_F(ServerTest, ChunkedBodyIsDecoded) {
  TestServer server = start();
  RawClient client(server.port());
  ASSERT_TRUE(client.send("PATCH /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n"));
  std::this_thread::sleep_for(50ms);
  ASSERT_TRUE(client.send("6\r\n world\r\n0\r\n\r\n"));
  auto response = client.read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->header("x-declared"), "chunked");
  EXPECT_EQ(response->body, "hello world");
  // The connection stays usable after a chunked body.
  ASSERT_TRUE(client.send("GET /echo HTTP/1.1\r\nHost: t\r\n\r\n"));
  auto next = client.read_response();
  ASSERT_TRUE(next);
  EXPECT_EQ(next->status, 200);
}

TEST_F(ServerTest, ExpectContinueGets100BeforeTheBody) {
  TestServer server = start();
  RawClient client(server.port());
  ASSERT_TRUE(client.send("PUT /echo HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n"));
  auto interim = client.read_response();
  ASSERT_TRUE(interim);
  EXPECT_EQ(interim->status, 100);
  ASSERT_TRUE(client.send("12345"));
  auto response = client.read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "12345");
}

TEST_F(ServerTest, ExpectContinueRefusedEarlyClosesWithoutInvitingTheBody) {
  TestServer server = start();
  RawClient client(server.port());
  ASSERT_TRUE(
      client.send("PUT /reject HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 5000000\r\n\r\n"));
  auto response = client.read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 401);
  EXPECT_EQ(response->header("connection"), "close");
  EXPECT_TRUE(client.closed_within(2s));
}

TEST_F(ServerTest, UnreadSmallBodyIsDrainedAndConnectionKept) {
  TestServer server = start();
  RawClient client(server.port());
  ASSERT_TRUE(client.send("POST /reject HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\n0123456789"));
  auto response = client.read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 401);
  ASSERT_TRUE(client.send("GET /echo HTTP/1.1\r\nHost: t\r\n\r\n"));
  auto next = client.read_response();
  ASSERT_TRUE(next);
  EXPECT_EQ(next->status, 200);
}

TEST_F(ServerTest, FileBodyIsServedWholeAndAsRange) {
  TestServer server = start();
  RawClient client(server.port());
  ASSERT_TRUE(client.send("GET /file HTTP/1.1\r\nHost: t\r\n\r\n"));
  auto whole = client.read_response();
  ASSERT_TRUE(whole);
  EXPECT_EQ(whole->status, 200);
  EXPECT_EQ(whole->header("content-length"), std::to_string(file_data_.size()));
  EXPECT_TRUE(whole->body == file_data_);

  ASSERT_TRUE(client.send("GET /file?offset=1000&length=70000 HTTP/1.1\r\nHost: t\r\n\r\n"));
  auto range = client.read_response();
  ASSERT_TRUE(range);
  EXPECT_EQ(range->header("content-length"), "70000");
  EXPECT_TRUE(range->body == file_data_.substr(1000, 70000));
}

TEST_F(ServerTest, HeadAnnouncesLengthButSendsNoBody) {
  TestServer server = start();
  RawClient client(server.port());
  ASSERT_TRUE(client.send("HEAD /head HTTP/1.1\r\nHost: t\r\n\r\n"));
  auto head = client.read_response(/*head=*/true);
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 200);
  EXPECT_EQ(head->header("content-length"), "1234");
  // HEAD of a file route too: no body bytes, so the next response parses cleanly.
  ASSERT_TRUE(client.send("HEAD /file HTTP/1.1\r\nHost: t\r\n\r\n"));
  auto head_file = client.read_response(/*head=*/true);
  ASSERT_TRUE(head_file);
  EXPECT_EQ(head_file->header("content-length"), std::to_string(file_data_.size()));
  ASSERT_TRUE(client.send("GET /echo?a=after HTTP/1.1\r\nHost: t\r\n\r\n"));
  auto next = client.read_response();
  ASSERT_TRUE(next);
  EXPECT_EQ(next->status, 200);
  EXPECT_EQ(next->header("x-query-a"), "after");
}

TEST_F(ServerTest, OversizeHeaderGets431AndClose) {
  TestServer server = start(short_timeouts());
  RawClient client(server.port());
  ASSERT_TRUE(client.send("GET /echo HTTP/1.1\r\nHost: t\r\nX-Big: " + std::string(4096, 'a') + "\r\n\r\n"));
  auto response = client.read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 431);
  EXPECT_EQ(response->header("connection"), "close");
  EXPECT_TRUE(client.closed_within(2s));
}

TEST_F(ServerTest, MalformedRequestGets400) {
  TestServer server = start();
  RawClient client(server.port());
  ASSERT_TRUE(client.send("NOT HTTP AT ALL\r\n\r\n"));
  auto response = client.read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 400);
}

// RFC 9112 framing: refused before the handler runs or any body byte is read, then closed, so a
// body the server cannot frame can never be taken for the next request.
TEST_F(ServerTest, TransferEncodingOtherThanChunkedIsRefusedAndClosed) {
  TestServer server = start();
  const std::vector<std::pair<std::string, int>> cases = {
      {"Transfer-Encoding: xchunked", 400}, {"Transfer-Encoding: chunked, identity", 400},
      {"Transfer-Encoding: gzip, chunked", 501}, {"Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked", 400}};
  for (const auto& [header, status] : cases) {
    RawClient client(server.port());
    ASSERT_TRUE(client.send("PATCH /echo HTTP/1.1\r\nHost: t\r\n" + header +
                            "\r\n\r\n5\r\nhello\r\n0\r\n\r\nGET /echo HTTP/1.1\r\nHost: t\r\n\r\n"));
    auto response = client.read_response();
    ASSERT_TRUE(response) << header;
    EXPECT_EQ(response->status, status) << header;
    EXPECT_EQ(response->header("connection"), "close") << header;
    EXPECT_TRUE(client.closed_within(2s)) << header;
  }
  EXPECT_EQ(server.metrics().render_prometheus().find("route=\"echo\""), std::string::npos);
}

TEST_F(ServerTest, MissingDuplicateOrInvalidHostIsRefused) {
  TestServer server = start();
  for (const std::string& head : {std::string("GET /echo HTTP/1.1\r\n\r\n"),
                                  std::string("GET /echo HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n"),
                                  std::string("GET /echo HTTP/1.1\r\nHost: a b\r\n\r\n")}) {
    RawClient client(server.port());
    ASSERT_TRUE(client.send(head));
    auto response = client.read_response();
    ASSERT_TRUE(response) << head;
    EXPECT_EQ(response->status, 400) << head;
    EXPECT_TRUE(client.closed_within(2s)) << head;
  }
  EXPECT_EQ(server.metrics().render_prometheus().find("route=\"echo\""), std::string::npos);
  RawClient old(server.port());
  ASSERT_TRUE(old.send("GET /echo HTTP/1.0\r\n\r\n"));
  auto response = old.read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
}

TEST_F(ServerTest, SlowlorisIsCutOffAtTheHeaderTimeout) {
  TestServer server = start(short_timeouts());
  RawClient client(server.port());
  const auto started = std::chrono::steady_clock::now();
  std::string header = "GET /echo HTTP/1.1\r\nHost: t\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
  bool closed = false;
  for (char c : header) {
    if (!client.send(std::string_view(&c, 1)) || client.closed_within(200ms)) {
      closed = true;
      break;
    }
    if (std::chrono::steady_clock::now() - started > 5s) break;
  }
  EXPECT_TRUE(closed);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 3s);
}

TEST_F(ServerTest, IdleKeepAliveConnectionIsClosed) {
  TestServer server = start(short_timeouts());
  RawClient client(server.port());
  ASSERT_TRUE(client.send("GET /echo HTTP/1.1\r\nHost: t\r\n\r\n"));
  ASSERT_TRUE(client.read_response());
  EXPECT_TRUE(client.closed_within(3s));
}

TEST_F(ServerTest, StalledBodyIsCutOffAtTheIdleTimeout) {
  TestServer server = start(short_timeouts());
  RawClient client(server.port());
  ASSERT_TRUE(client.send("PUT /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n\r\nonly-ten!!"));
  const auto started = std::chrono::steady_clock::now();
  // Whatever the handler answers, the connection must not outlive the stall by much.
  while (client.read_response()) {
  }
  EXPECT_LT(std::chrono::steady_clock::now() - started, 3s);
}

TEST_F(ServerTest, HandlerExceptionBecomes500) {
  TestServer server = start();
  RawClient client(server.port());
  ASSERT_TRUE(client.send("GET /throw HTTP/1.1\r\nHost: t\r\n\r\n"));
  auto response = client.read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 500);
}

TEST_F(ServerTest, MetricsCountRequestsByRouteAndStatus) {
  TestServer server = start();
  {
    RawClient client(server.port());
    for (int i = 0; i < 2; ++i) {
      ASSERT_TRUE(client.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\n\r\nabcd"));
      ASSERT_TRUE(client.read_response());
    }
    ASSERT_TRUE(client.send("GET /missing HTTP/1.1\r\nHost: t\r\n\r\n"));
    ASSERT_TRUE(client.read_response());
  }
  // Metrics are recorded after the response is written; a drained server has recorded everything.
  server.server().stop();
  ASSERT_TRUE(server.join_within(3s));
  std::string text = server.metrics().render_prometheus();
  EXPECT_NE(text.find("berth_http_requests_total{route=\"echo\",status=\"200\"} 2"), std::string::npos) << text;
  EXPECT_NE(text.find("berth_http_requests_total{route=\"other\",status=\"404\"} 1"), std::string::npos) << text;
  EXPECT_EQ(server.metrics().in_flight(), 0);
}

TEST_F(ServerTest, StopLetsAnInFlightRequestFinishAndClosesIdleConnections) {
  TestServer server = start();
  RawClient idle(server.port());
  ASSERT_TRUE(idle.send("GET /echo HTTP/1.1\r\nHost: t\r\n\r\n"));
  ASSERT_TRUE(idle.read_response());

  RawClient busy(server.port());
  ASSERT_TRUE(busy.send("GET /slow HTTP/1.1\r\nHost: t\r\n\r\n"));
  std::this_thread::sleep_for(200ms);
  server.server().stop();

  EXPECT_TRUE(idle.closed_within(2s));
  auto response = busy.read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "done");
  EXPECT_EQ(response->header("connection"), "close");
  EXPECT_TRUE(server.join_within(3s));
}

TEST_F(ServerTest, ShutdownGraceBoundsAStuckRequest) {
  ServerOptions options;
  options.shutdown_grace = std::chrono::seconds(0);
  TestServer server = start(options);
  RawClient busy(server.port());
  ASSERT_TRUE(busy.send("GET /slow HTTP/1.1\r\nHost: t\r\n\r\n"));
  std::this_thread::sleep_for(100ms);
  server.server().stop();
  EXPECT_TRUE(server.join_within(500ms));
}

TEST_F(ServerTest, ListenReportsAddressInUse) {
  TestServer first = start();
  Metrics metrics;
  ServerOptions options;
  options.port = first.port();
  Server second(options, make_test_handler(dir_.path() / "blob"), metrics);
  auto port = second.listen();
  ASSERT_FALSE(port.ok());
  EXPECT_EQ(port.error().code, ErrorCode::unavailable);
}

TEST_F(ServerTest, ListenReportsUnreadableTlsFiles) {
  Metrics metrics;
  ServerOptions options;
  options.port = 0;
  options.tls = TlsFiles{(dir_.path() / "missing.pem").string(), (dir_.path() / "missing.key").string()};
  Server server(options, make_test_handler(dir_.path() / "blob"), metrics);
  auto port = server.listen();
  ASSERT_FALSE(port.ok());
  EXPECT_EQ(port.error().code, ErrorCode::invalid_argument);
}

}  // namespace
}  // namespace berth::http::testing

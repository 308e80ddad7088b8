#include <gtest/gtest.h>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/write.hpp>

#include <cstdlib>
#include <string>

#include "http/server.hpp"
#include "server_fixture.hpp"

namespace berth::http::testing {
namespace {

namespace asio = boost::asio;

// Sends one request with `Connection: close` over TLS (trusting `certificate`) and returns the raw
// response bytes up to the server's close.
std::string tls_exchange(std::uint16_t port, const std::string& certificate, const std::string& request) {
  asio::io_context io;
  asio::ssl::context context(asio::ssl::context::tls_client);
  context.load_verify_file(certificate);
  asio::ssl::stream<asio::ip::tcp::socket> stream(io, context);
  stream.set_verify_mode(asio::ssl::verify_peer);
  stream.lowest_layer().connect({asio::ip::make_address("127.0.0.1"), port});
  stream.handshake(asio::ssl::stream_base::client);
  asio::write(stream, asio::buffer(request));
  std::string response;
  boost::system::error_code ec;
  char buffer[65536];
  for (;;) {
    std::size_t n = stream.read_some(asio::buffer(buffer), ec);
    response.append(buffer, n);
    if (ec) break;  // eof or stream_truncated: the server closes without close_notify
  }
  return response;
}

class TlsServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    certificate_ = (dir_.path() / "cert.pem").string();
    key_ = (dir_.path() / "key.pem").string();
    std::string command = "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout " + key_ +
                          " -out " + certificate_ +
                          " -days 1 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 >/dev/null 2>&1";
    ASSERT_EQ(std::system(command.c_str()), 0);
    file_data_ = pseudo_random_bytes(2 * 1024 * 1024 + 5);
    write_file(dir_.path() / "blob", file_data_);
  }
  ServerOptions tls_options() {
    ServerOptions options;
    options.tls = TlsFiles{certificate_, key_};
    return options;
  }

  TempDir dir_;
  std::string certificate_;
  std::string key_;
  std::string file_data_;
};

TEST_F(TlsServerTest, EchoRoundTrip) {
  TestServer server(tls_options(), make_test_handler(dir_.path() / "blob"));
  std::string response =
      tls_exchange(server.port(), certificate_,
                   "POST /echo?a=1 HTTP/1.1\r\nHost: t\r\nConnection: close\r\nContent-Length: 11\r\n\r\nhello world");
  EXPECT_EQ(response.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << response;
  EXPECT_NE(response.find("X-Tls: 1\r\n"), std::string::npos);
  EXPECT_NE(response.find("Connection: close\r\n"), std::string::npos);
  EXPECT_EQ(response.substr(response.size() - 11), "hello world");
}

TEST_F(TlsServerTest, FileBodyOverTls) {
  TestServer server(tls_options(), make_test_handler(dir_.path() / "blob"));
  std::string response =
      tls_exchange(server.port(), certificate_, "GET /file?offset=7 HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
  auto end = response.find("\r\n\r\n");
  ASSERT_NE(end, std::string::npos);
  EXPECT_NE(response.find("Content-Length: " + std::to_string(file_data_.size() - 7)), std::string::npos);
  EXPECT_TRUE(response.substr(end + 4) == file_data_.substr(7));
}

}  // namespace
}  // namespace berth::http::testing

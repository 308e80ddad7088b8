// Test helpers for the HTTP server: a server on port 0 running in a background thread, a raw POSIX
// socket client, a temporary directory, and a small handler covering the server's paths.
#pragma once

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <atomic>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>

#include "common/metrics.hpp"
#include "http/server.hpp"

namespace berth::http::testing {

class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "berth-http-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

inline std::string pseudo_random_bytes(std::size_t size) {
  std::string out(size, '\0');
  std::uint32_t state = 2463534242u;
  for (auto& c : out) {
    state ^= state << 13;
    state ^= state >> 17;
    state ^= state << 5;
    c = static_cast<char>(state & 0xff);
  }
  return out;
}

inline void write_file(const std::filesystem::path& path, const std::string& data) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::write(fd, data.data(), data.size()), static_cast<ssize_t>(data.size()));
  ::close(fd);
}

// Routes used by the tests:
//   /echo   reads the whole body and returns it (route "echo"), with request facts in X- headers
//   /file   serves `file_path` as a FileBody, ?offset=&length= for a range
//   /head   empty body announcing Content-Length 1234 (meant for HEAD)
//   /slow   answers "done" after 700 ms
//   /reject 401 without reading the body
//   /throw  throws
inline Handler make_test_handler(std::filesystem::path file_path) {
  return [file_path = std::move(file_path)](Request& request) -> Task<Response> {
    if (request.path == "/echo") {
      auto body = co_await request.body->read_all(8 << 20);
      if (!body.ok()) co_return Response::text(400, body.error().message);
      Response response = Response::text(200, std::move(*body));
      response.route = "echo";
      response.headers.set("X-Method", request.method_text);
      response.headers.set("X-Path", request.path);
      response.headers.set("X-Query-A", std::string(request.query.get("a").value_or("")));
      response.headers.set("X-Tls", request.tls ? "1" : "0");
      response.headers.set("X-Remote", request.remote_address);
      response.headers.set("X-Declared", request.body->content_length() ? "length" : "chunked");
      co_return response;
    }
    if (request.path == "/file") {
      Response response = Response::empty(200);
      FileBody file;
      file.fd = UniqueFd(::open(file_path.c_str(), O_RDONLY | O_CLOEXEC));
      file.offset = std::stoull(std::string(request.query.get("offset").value_or("0")));
      file.length = request.query.has("length") ? std::stoull(std::string(*request.query.get("length")))
                                                : std::filesystem::file_size(file_path) - file.offset;
      response.body = std::move(file);
      response.route = "file";
      co_return response;
    }
    if (request.path == "/head") {
      Response response = Response::empty(200);
      response.content_length = 1234;
      co_return response;
    }
    if (request.path == "/slow") {
      boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor, std::chrono::milliseconds(700));
      co_await timer.async_wait(boost::asio::use_awaitable);
      co_return Response::text(200, "done");
    }
    if (request.path == "/reject") co_return Response::text(401, "no");
    if (request.path == "/throw") throw std::runtime_error("handler bug");
    co_return Response::text(404, "not found");
  };
}

// A Server on 127.0.0.1:0 served by a background thread; stops and joins on destruction.
class TestServer {
 public:
  TestServer(ServerOptions options, Handler handler)
      : server_(with_defaults(std::move(options)), std::move(handler), metrics_) {
    auto port = server_.listen();
    if (!port.ok()) throw std::runtime_error(port.error().message);
    port_ = *port;
    thread_ = std::thread([this] {
      server_.run();
      returned_.store(true);
    });
  }
  ~TestServer() {
    server_.stop();
    if (thread_.joinable()) thread_.join();
  }
  std::uint16_t port() const { return port_; }
  Server& server() { return server_; }
  Metrics& metrics() { return metrics_; }
  // Waits for run() to return; false if it has not within `limit`.
  bool join_within(std::chrono::milliseconds limit) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
      if (returned_.load()) {
        thread_.join();
        return true;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  }

 private:
  static ServerOptions with_defaults(ServerOptions options) {
    options.host = "127.0.0.1";
    options.port = 0;
    if (options.threads == 0) options.threads = 2;
    return options;
  }
  Metrics metrics_;
  Server server_;
  std::uint16_t port_ = 0;
  std::atomic<bool> returned_{false};
  std::thread thread_;
};

struct RawResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
  }
};

// Blocking HTTP/1.1 client over a POSIX socket, with a 5 s receive timeout so tests cannot hang.
class RawClient {
 public:
  explicit RawClient(std::uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
      throw std::runtime_error("connect failed");
    }
    timeval timeout{5, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  }
  ~RawClient() { ::close(fd_); }
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;

  // False when the peer has gone.
  bool send(std::string_view data) {
    while (!data.empty()) {
      ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      data.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
  }

  // Reads one response. `head`: the response carries no body whatever Content-Length says.
  std::optional<RawResponse> read_response(bool head = false) {
    std::size_t end;
    while ((end = pending_.find("\r\n\r\n")) == std::string::npos) {
      if (!fill()) return std::nullopt;
    }
    RawResponse response;
    std::string head_text = pending_.substr(0, end);
    pending_.erase(0, end + 4);
    std::size_t line_end = head_text.find("\r\n");
    std::string status_line = head_text.substr(0, line_end);
    if (status_line.size() < 12) return std::nullopt;
    response.status = std::stoi(status_line.substr(9, 3));
    std::size_t pos = line_end == std::string::npos ? head_text.size() : line_end + 2;
    while (pos < head_text.size()) {
      std::size_t next = head_text.find("\r\n", pos);
      if (next == std::string::npos) next = head_text.size();
      std::string line = head_text.substr(pos, next - pos);
      auto colon = line.find(':');
      std::string name = line.substr(0, colon);
      for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      std::string value = line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.erase(0, 1);
      response.headers[name] = value;
      pos = next + 2;
    }
    if (head || response.status < 200 || response.status == 204 || response.status == 304) return response;
    std::size_t length =
        std::stoull(response.header("content-length").empty() ? "0" : response.header("content-length"));
    while (pending_.size() < length) {
      if (!fill()) return std::nullopt;
    }
    response.body = pending_.substr(0, length);
    pending_.erase(0, length);
    return response;
  }

  // True when the server closes the connection within `wait` (EOF or reset), without other data.
  bool closed_within(std::chrono::milliseconds wait) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(wait.count())) <= 0) return false;
    char c;
    ssize_t n = ::recv(fd_, &c, 1, 0);
    return n <= 0;
  }

  int fd() const { return fd_; }

 private:
  bool fill() {
    char buffer[65536];
    ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
    if (n <= 0) return false;
    pending_.append(buffer, static_cast<std::size_t>(n));
    return true;
  }

  int fd_ = -1;
  std::string pending_;
};

}  // namespace berth::http::testing

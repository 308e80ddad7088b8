#include "oidc/canned_http_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>

namespace berth::oidc::testing {
namespace {

const char* reason_phrase(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 302:
      return "Found";
    case 404:
      return "Not Found";
    default:
      return "Status";
  }
}

void write_all(int fd, const std::string& data) {
  std::size_t written = 0;
  while (written < data.size()) {
    const ssize_t n = ::send(fd, data.data() + written, data.size() - written, MSG_NOSIGNAL);
    if (n <= 0) return;  // the client gave up (e.g. it refused an oversize body): nothing to do
    written += static_cast<std::size_t>(n);
  }
}

}  // namespace

CannedHttpServer::CannedHttpServer() : listener_(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
  if (!listener_) throw std::runtime_error("socket");
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  if (::bind(listener_.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::listen(listener_.get(), 16) != 0) {
    throw std::runtime_error("bind/listen");
  }
  socklen_t length = sizeof address;
  ::getsockname(listener_.get(), reinterpret_cast<sockaddr*>(&address), &length);
  port_ = ntohs(address.sin_port);
  thread_ = std::thread([this] { serve(); });
}

CannedHttpServer::~CannedHttpServer() {
  // Wakes the blocked accept() with an error, which ends serve().
  ::shutdown(listener_.get(), SHUT_RDWR);
  thread_.join();
}

std::string CannedHttpServer::base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }

void CannedHttpServer::set(const std::string& path, CannedResponse response) {
  std::lock_guard lock(mutex_);
  responses_.insert_or_assign(path, std::move(response));
}

std::vector<std::string> CannedHttpServer::requested_paths() const {
  std::lock_guard lock(mutex_);
  return requested_;
}

void CannedHttpServer::clear_requested_paths() {
  std::lock_guard lock(mutex_);
  requested_.clear();
}

void CannedHttpServer::serve() {
  for (;;) {
    UniqueFd connection(::accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC));
    if (!connection) return;
    answer(connection.get());
  }
}

void CannedHttpServer::answer(int connection) {
  std::string request;
  char buffer[4096];
  while (request.find("\r\n\r\n") == std::string::npos) {
    const ssize_t n = ::recv(connection, buffer, sizeof buffer, 0);
    if (n <= 0) return;
    request.append(buffer, static_cast<std::size_t>(n));
  }
  // "GET /path HTTP/1.1"
  const std::size_t path_start = request.find(' ') + 1;
  const std::string path = request.substr(path_start, request.find(' ', path_start) - path_start);

  CannedResponse response(404, "not found");
  {
    std::lock_guard lock(mutex_);
    requested_.push_back(path);
    if (auto found = responses_.find(path); found != responses_.end()) response = found->second;
  }
  std::string head = "HTTP/1.1 " + std::to_string(response.status) + " " + reason_phrase(response.status) +
                     "\r\nConnection: close\r\n";
  if (response.send_content_length) head += "Content-Length: " + std::to_string(response.body.size()) + "\r\n";
  for (const auto& header : response.headers) head += header + "\r\n";
  write_all(connection, head + "\r\n" + response.body);
}

}  // namespace berth::oidc::testing

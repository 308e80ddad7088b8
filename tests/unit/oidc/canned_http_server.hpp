// Test-only HTTP/1.1 responder on 127.0.0.1 (an ephemeral port): one blocking thread, one request
// per connection, answers from a table of canned responses by path, and records the paths asked for.
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "common/unique_fd.hpp"

namespace berth::oidc::testing {

struct CannedResponse {
  CannedResponse(int status, std::string body, std::vector<std::string> headers = {}, bool send_content_length = true)
      : status(status), body(std::move(body)), headers(std::move(headers)), send_content_length(send_content_length) {}

  int status;
  std::string body;
  std::vector<std::string> headers;  // extra "Name: value" lines
  bool send_content_length;
};

class CannedHttpServer {
 public:
  CannedHttpServer();
  ~CannedHttpServer();
  CannedHttpServer(const CannedHttpServer&) = delete;
  CannedHttpServer& operator=(const CannedHttpServer&) = delete;

  // "http://127.0.0.1:<port>"
  std::string base_url() const;
  // Paths without a response get 404.
  void set(const std::string& path, CannedResponse response);
  std::vector<std::string> requested_paths() const;
  void clear_requested_paths();

 private:
  void serve();
  void answer(int connection);

  UniqueFd listener_;
  int port_ = 0;
  mutable std::mutex mutex_;
  std::map<std::string, CannedResponse> responses_;
  std::vector<std::string> requested_;
  std::thread thread_;
};

}  // namespace berth::oidc::testing

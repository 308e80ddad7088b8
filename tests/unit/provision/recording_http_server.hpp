// Test-only HTTP/1.1 server on 127.0.0.1 (ephemeral port): one blocking thread, one request per
// connection, answers through a handler and records every request (method, target, headers, body),
// so publisher tests can script a remote API's state and assert the exact requests made.
#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "common/unique_fd.hpp"

namespace berth::provision::testing {

struct RecordedRequest {
  std::string method;
  std::string target;                          // path and query, as sent
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;

  std::string header(const std::string& lower_case_name) const;
};

struct ScriptedResponse {
  ScriptedResponse(int status = 200, std::string body = {}, std::vector<std::string> headers = {})  // NOLINT
      : status(status), body(std::move(body)), headers(std::move(headers)) {}

  int status;
  std::string body;
  std::vector<std::string> headers;  // extra "Name: value" lines
};

class RecordingHttpServer {
 public:
  using Handler = std::function<ScriptedResponse(const RecordedRequest&)>;

  // `handler` runs on the server thread, one request at a time.
  explicit RecordingHttpServer(Handler handler);
  ~RecordingHttpServer();
  RecordingHttpServer(const RecordingHttpServer&) = delete;
  RecordingHttpServer& operator=(const RecordingHttpServer&) = delete;

  // "http://127.0.0.1:<port>"
  std::string base_url() const;
  std::vector<RecordedRequest> requests() const;

 private:
  void serve();
  void answer(int connection);

  Handler handler_;
  UniqueFd listener_;
  int port_ = 0;
  mutable std::mutex mutex_;
  std::vector<RecordedRequest> requests_;
  std::thread thread_;
};

}  // namespace berth::provision::testing

// berth's own HTTP request/response types. Handlers see only these; Beast stays inside src/http.
//
// Request bodies stream: a handler pulls bytes from Request::body as it needs them, so a multi-GiB
// blob never sits in memory. Response bodies are empty, a small in-memory string, or a file range
// that the server sends with sendfile(2).
#pragma once

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <functional>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "common/result.hpp"
#include "common/unique_fd.hpp"

namespace berth::http {

template <typename T>
using Task = boost::asio::awaitable<T>;

enum class Method { get, head, post, put, patch, delete_, other };

std::string_view method_name(Method method);

// Ordered header list with case-insensitive lookup. Small: a request carries a dozen headers.
class Headers {
 public:
  std::optional<std::string_view> get(std::string_view name) const;
  bool has(std::string_view name) const { return get(name).has_value(); }
  void add(std::string name, std::string value);
  // Replaces every header of that name.
  void set(std::string name, std::string value);
  void remove(std::string_view name);
  const std::vector<std::pair<std::string, std::string>>& all() const { return fields_; }

 private:
  std::vector<std::pair<std::string, std::string>> fields_;
};

// Where the server gets the request body from. read_some returns 0 at the end of the body.
// The first read answers `Expect: 100-continue`, so a handler that refuses early never
// invites the client to send a body.
class BodyReader {
 public:
  virtual ~BodyReader() = default;
  // Length declared by Content-Length; nullopt for a chunked body.
  virtual std::optional<std::uint64_t> content_length() const = 0;
  virtual Task<Result<std::size_t>> read_some(std::span<char> buffer) = 0;
  // Reads the whole body into memory; payload_too_large when it is longer than `limit`.
  Task<Result<std::string>> read_all(std::size_t limit);
};

// Parsed query string: decoded key/value pairs in order (a key may repeat).
class Query {
 public:
  static Query parse(std::string_view raw);
  std::optional<std::string_view> get(std::string_view key) const;
  std::vector<std::string_view> get_all(std::string_view key) const;
  bool has(std::string_view key) const { return get(key).has_value(); }
  const std::vector<std::pair<std::string, std::string>>& all() const { return items_; }

 private:
  std::vector<std::pair<std::string, std::string>> items_;
};

struct Request {
  Method method = Method::other;
  std::string method_text;  // as received, for logs and `other`
  std::string target;       // raw request-target: path + '?' + query
  std::string path;         // percent-decoded path, without the query
  std::string raw_query;    // after '?', undecoded
  Query query;
  Headers headers;
  std::string remote_address;  // "ip:port"
  bool tls = false;
  BodyReader* body = nullptr;  // never null while a handler runs
};

// A file region sent with sendfile(2) (or pread+write over TLS). The fd is owned by the response.
struct FileBody {
  UniqueFd fd;
  std::uint64_t offset = 0;
  std::uint64_t length = 0;
};

struct Response {
  int status = 200;
  Headers headers;
  // monostate: no body. For HEAD, set `content_length` to announce the size without sending bytes.
  std::variant<std::monostate, std::string, FileBody> body;
  std::optional<std::uint64_t> content_length;
  // Low-cardinality route name for metrics ("blob_get", "manifest_put", ...). Never a raw path.
  std::string route = "other";

  static Response text(int status, std::string body, std::string content_type = "text/plain; charset=utf-8");
  static Response json(int status, std::string body, std::string content_type = "application/json");
  static Response empty(int status);
};

using Handler = std::function<Task<Response>(Request&)>;

}  // namespace berth::http

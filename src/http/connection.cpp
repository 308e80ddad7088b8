// One HTTP/1.1 connection as a coroutine, written once for plain TCP and TLS (template on the
// stream). Hot paths follow docs/cpp-stack.md: the header is parsed with request_parser<empty_body>,
// Content-Length bodies are read straight from the socket into the handler's buffer, file bodies go
// out with sendfile(2) (pread + write over TLS).
//
// Timeouts use one steady_timer per connection as a watchdog over a deadline that I/O steps move
// forward with a clock read; the timer is re-armed only when it fires or the deadline moves earlier.
#include "http/connection.hpp"

#include <fmt/format.h>
#include <sys/sendfile.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/stream_traits.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <exception>
#include <limits>
#include <memory>
#include <type_traits>
#include <vector>

#include "common/log.hpp"
#include "http/request_framing.hpp"
#include "http/target.hpp"

namespace berth::http::detail {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using HeaderParser = bhttp::request_parser<bhttp::empty_body>;
using ChunkParser = bhttp::request_parser<bhttp::buffer_body>;
using TlsStream = asio::ssl::stream<tcp::socket>;

constexpr std::size_t kFirstReadBytes = 8 * 1024;
constexpr std::size_t kChunkedReserve = 64 * 1024;  // Beast reads 512-byte pieces without it
constexpr std::uint64_t kDrainLimit = 64 * 1024;
constexpr std::size_t kTlsFileChunk = 1024 * 1024;
constexpr std::size_t kSendfileMax = 1 << 30;
constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";

auto redirect(beast::error_code& ec) { return asio::redirect_error(asio::use_awaitable, ec); }

beast::string_view to_beast(std::string_view text) { return {text.data(), text.size()}; }

bool iequals(std::string_view a, std::string_view b) { return beast::iequals(to_beast(a), to_beast(b)); }

Method to_method(bhttp::verb verb) {
  switch (verb) {
    case bhttp::verb::get:
      return Method::get;
    case bhttp::verb::head:
      return Method::head;
    case bhttp::verb::post:
      return Method::post;
    case bhttp::verb::put:
      return Method::put;
    case bhttp::verb::patch:
      return Method::patch;
    case bhttp::verb::delete_:
      return Method::delete_;
    default:
      return Method::other;
  }
}

std::string format_endpoint(const tcp::endpoint& endpoint) {
  const auto address = endpoint.address();
  if (address.is_v6()) return fmt::format("[{}]:{}", address.to_string(), endpoint.port());
  return fmt::format("{}:{}", address.to_string(), endpoint.port());
}

// HTTP-date of the current second, formatted at most once per second per thread.
const std::string& http_date() {
  thread_local std::time_t cached_second = 0;
  thread_local std::string text;
  const std::time_t now = std::time(nullptr);
  if (now != cached_second) {
    cached_second = now;
    std::tm parts{};
    ::gmtime_r(&now, &parts);
    std::array<char, 64> buffer{};
    const auto size = std::strftime(buffer.data(), buffer.size(), "%a, %d %b %Y %H:%M:%S GMT", &parts);
    text.assign(buffer.data(), size);
  }
  return text;
}

// The server sets these itself from the body it sends.
bool is_framing_header(std::string_view name) {
  return iequals(name, "Content-Length") || iequals(name, "Transfer-Encoding") || iequals(name, "Connection");
}

bool status_has_body(int status) { return status >= 200 && status != 204 && status != 304; }

bool is_http_protocol_error(const beast::error_code& ec) {
  return ec.category() == bhttp::make_error_code(bhttp::error::bad_target).category() &&
         ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message;
}

struct WriteResult {
  bool ok = false;
  std::uint64_t bytes = 0;
};

// Balances Metrics::request_started even when a coroutine frame is destroyed at forced shutdown.
class InFlight {
 public:
  explicit InFlight(Metrics& metrics) : metrics_(metrics) { metrics_.request_started(); }
  ~InFlight() { metrics_.request_finished(); }
  InFlight(const InFlight&) = delete;
  InFlight& operator=(const InFlight&) = delete;

 private:
  Metrics& metrics_;
};

template <typename Stream>
class HttpConnection;

// Streams one request body to the handler. Lives on the connection coroutine's frame.
template <typename Stream>
class RequestBody final : public BodyReader {
 public:
  RequestBody(HttpConnection<Stream>& connection, HeaderParser& header)
      : connection_(connection),
        header_(header),
        chunked_(header.chunked()),
        declared_length_(chunked_ ? std::nullopt : std::optional(header.content_length().value_or(0))),
        remaining_(declared_length_.value_or(0)),
        expect_continue_(header.get().version() >= 11 &&
                         beast::iequals(header.get()[bhttp::field::expect], "100-continue")),
        done_(!chunked_ && remaining_ == 0) {}

  std::optional<std::uint64_t> content_length() const override { return declared_length_; }

  Task<Result<std::size_t>> read_some(std::span<char> buffer) override {
    if (broken_) co_return make_error(ErrorCode::invalid_argument, "request body already failed");
    if (done_ || buffer.empty()) co_return std::size_t{0};
    // g++ 12 miscompiles co_await inside conditions and `co_return co_await` of a Result next to
    // other co_returns (the frame is resumed after it finished); every co_await gets a named result.
    if (expect_continue_ && !continue_sent_) {
      continue_sent_ = true;
      const bool sent = co_await connection_.write_all(asio::buffer(kContinue.data(), kContinue.size()));
      if (!sent) {
        broken_ = true;
        co_return connection_.read_error();
      }
    }
    Result<std::size_t> read = std::size_t{0};
    if (chunked_) {
      read = co_await read_chunked(buffer);
    } else {
      read = co_await read_fixed(buffer);
    }
    co_return read;
  }

  // After the handler: reads what is left of a short body so the connection can carry another
  // request. False when the connection must close instead.
  Task<bool> finish() {
    if (done_ || broken_) co_return !broken_;
    // The client waits for 100 Continue or a final status; it may never send the body.
    if (expect_continue_ && !continue_sent_) co_return false;
    if (!chunked_ && remaining_ > connection_.buffered() + kDrainLimit) co_return false;
    std::vector<char> scratch(8 * 1024);
    std::uint64_t drained = 0;
    while (!done_) {
      auto n = co_await read_some(scratch);
      if (!n.ok()) co_return false;
      drained += *n;
      if (drained > kDrainLimit) co_return false;
    }
    co_return true;
  }

  std::uint64_t bytes_read() const { return bytes_read_; }

 private:
  Task<Result<std::size_t>> read_fixed(std::span<char> buffer) {
    const auto want = static_cast<std::size_t>(std::min<std::uint64_t>(buffer.size(), remaining_));
    std::size_t n = connection_.take_buffered(buffer.first(want));
    if (n == 0) {
      auto read = co_await connection_.read_some(asio::buffer(buffer.data(), want));
      if (!read.ok()) {
        broken_ = true;
        co_return std::move(read).error();
      }
      n = *read;
    }
    remaining_ -= n;
    bytes_read_ += n;
    done_ = remaining_ == 0;
    co_return n;
  }

  Task<Result<std::size_t>> read_chunked(std::span<char> buffer) {
    if (!chunk_parser_) {
      chunk_parser_.emplace(std::move(header_));
      connection_.reserve_buffer(kChunkedReserve);
    }
    auto& parser = *chunk_parser_;
    for (;;) {
      if (parser.is_done()) {
        done_ = true;
        co_return std::size_t{0};
      }
      auto& body = parser.get().body();
      body.data = buffer.data();
      body.size = buffer.size();
      body.more = true;
      auto status = co_await connection_.read_chunks(parser);
      if (!status.ok()) {
        broken_ = true;
        co_return std::move(status).error();
      }
      const std::size_t n = buffer.size() - body.size;
      bytes_read_ += n;
      if (parser.is_done()) done_ = true;
      if (n > 0) co_return n;
    }
  }

  HttpConnection<Stream>& connection_;
  HeaderParser& header_;
  std::optional<ChunkParser> chunk_parser_;
  const bool chunked_;
  const std::optional<std::uint64_t> declared_length_;
  std::uint64_t remaining_;
  const bool expect_continue_;
  bool continue_sent_ = false;
  bool done_;
  bool broken_ = false;
  std::uint64_t bytes_read_ = 0;
};

template <typename Stream>
class HttpConnection final : public Connection, public std::enable_shared_from_this<HttpConnection<Stream>> {
 public:
  static constexpr bool kTls = std::is_same_v<Stream, TlsStream>;

  template <typename... StreamArgs>
  HttpConnection(ServerState& state, ConnectionSet& connections, StreamArgs&&... stream_args)
      : state_(state),
        connections_(connections),
        stream_(std::forward<StreamArgs>(stream_args)...),
        watchdog_(stream_.get_executor()) {}

  ~HttpConnection() override {
    connections_.erase(this);
    state_.on_connection_closed();
  }

  static Task<void> serve(std::shared_ptr<HttpConnection> self) { co_await self->run(); }

  void close_if_idle() override {
    if (idle_) close();
  }

  void close() override {
    beast::error_code ec;
    socket().close(ec);
  }

  // --- used by RequestBody ---

  std::size_t buffered() const { return buffer_.size(); }

  std::size_t take_buffered(std::span<char> out) {
    const std::size_t n = std::min(out.size(), buffer_.size());
    if (n > 0) {
      std::memcpy(out.data(), buffer_.data().data(), n);
      buffer_.consume(n);
    }
    return n;
  }

  void reserve_buffer(std::size_t bytes) { buffer_.reserve(bytes); }

  Task<Result<std::size_t>> read_some(asio::mutable_buffer into) {
    beast::error_code ec;
    set_deadline(state_.options.idle_timeout);
    const std::size_t n = co_await stream_.async_read_some(into, redirect(ec));
    clear_deadline();
    if (ec) co_return read_error();
    co_return n;
  }

  Task<Status> read_chunks(ChunkParser& parser) {
    beast::error_code ec;
    set_deadline(state_.options.idle_timeout);
    co_await bhttp::async_read_some(stream_, buffer_, parser, redirect(ec));
    clear_deadline();
    if (ec == bhttp::error::need_buffer) co_return Status{};
    if (ec && is_http_protocol_error(ec)) co_return make_error(ErrorCode::invalid_argument, "malformed chunked body");
    if (ec) co_return read_error();
    co_return Status{};
  }

  Task<bool> write_all(asio::const_buffer data) {
    beast::error_code ec;
    set_deadline(state_.options.idle_timeout);
    co_await asio::async_write(stream_, data, redirect(ec));
    clear_deadline();
    co_return !ec;
  }

  Error read_error() const {
    if (timed_out_) return make_error(ErrorCode::unavailable, "request body stalled past the idle timeout");
    return make_error(ErrorCode::invalid_argument, "client disconnected during the request body");
  }

 private:
  tcp::socket& socket() { return beast::get_lowest_layer(stream_); }

  Task<void> run() {
    connections_.insert(this);
    beast::error_code ec;
    const auto peer = socket().remote_endpoint(ec);
    remote_ = ec ? "unknown" : format_endpoint(peer);
    set_deadline(state_.options.header_timeout);
    if constexpr (kTls) {
      co_await stream_.async_handshake(asio::ssl::stream_base::server, redirect(ec));
      if (ec) {
        stop_watchdog();
        co_return;
      }
    }
    for (bool first = true;; first = false) {
      const bool keep_open = co_await serve_next(first);
      if (!keep_open) break;
    }
    if (unread_body_) co_await linger();
    stop_watchdog();
    close();
  }

  // RFC 9112 §9.6: a server that answers before reading the whole request body (413, 401...) must
  // not close at once, or the client's unread bytes make the kernel reset the connection and the
  // client may lose the answer while still sending. Stop sending, then read and discard what
  // arrives, for a bounded time and number of bytes.
  Task<void> linger() {
    beast::error_code ec;
    socket().shutdown(tcp::socket::shutdown_send, ec);
    set_deadline(kLingerTime);
    std::array<char, 16 * 1024> scratch;
    std::size_t discarded = 0;
    while (!ec && discarded < kLingerBytes) {
      discarded += co_await socket().async_read_some(asio::buffer(scratch), redirect(ec));
    }
  }

  // Returns whether the connection stays open for another request.
  Task<bool> serve_next(bool first) {
    beast::error_code ec;
    if (buffer_.size() == 0) {
      if (state_.stopping.load(std::memory_order_acquire)) co_return false;
      // Idle until the first byte: close_if_idle() may end the wait at shutdown.
      idle_ = true;
      if (!first) set_deadline(state_.options.idle_timeout);
      const std::size_t n = co_await stream_.async_read_some(buffer_.prepare(kFirstReadBytes), redirect(ec));
      idle_ = false;
      if (ec) co_return false;
      buffer_.commit(n);
    }
    if (!first) set_deadline(state_.options.header_timeout);
    HeaderParser parser;
    parser.header_limit(static_cast<std::uint32_t>(
        std::min<std::size_t>(state_.options.max_header_bytes, std::numeric_limits<std::uint32_t>::max())));
    // Not boost::none: Beast 1.74 then rejects every non-empty body. Handlers enforce their limits.
    parser.body_limit(std::numeric_limits<std::uint64_t>::max());
    co_await bhttp::async_read_header(stream_, buffer_, parser, redirect(ec));
    clear_deadline();
    if (ec == bhttp::error::header_limit) {
      co_await reject(431, "request header too large\n");
      co_return false;
    }
    if (ec && !timed_out_ && is_http_protocol_error(ec)) {
      co_await reject(400, "malformed request\n");
      co_return false;
    }
    if (ec) co_return false;
    const bool keep_open = co_await serve_request(parser);
    co_return keep_open;
  }

  Task<bool> serve_request(HeaderParser& parser) {
    const auto started = Clock::now();
    const auto& message = parser.get();
    if (auto refusal = check_framing(message)) {
      co_await reject(refusal->status, refusal->reason + "\n");
      co_return false;
    }
    auto target = parse_target(to_std(message.target()));
    if (!target.ok()) {
      co_await reject(400, target.error().message + "\n");
      co_return false;
    }
    InFlight in_flight(state_.metrics);
    Request request;
    request.method = to_method(message.method());
    request.method_text = to_std(message.method_string());
    request.target = to_std(message.target());
    request.path = std::move(target->path);
    request.raw_query = std::move(target->raw_query);
    request.query = Query::parse(request.raw_query);
    for (const auto& field : message) request.headers.add(to_std(field.name_string()), to_std(field.value()));
    request.remote_address = remote_;
    request.tls = kTls;
    const unsigned version = message.version();
    bool keep_alive = parser.keep_alive();

    RequestBody<Stream> body(*this, parser);
    request.body = &body;
    Response response = co_await call_handler(request);
    const bool drained = co_await body.finish();
    if (!drained) {
      keep_alive = false;
      unread_body_ = true;
    }
    keep_alive = keep_alive && !state_.stopping.load(std::memory_order_acquire);
    const WriteResult written = co_await write_response(response, request.method, version, keep_alive);

    const auto duration = Clock::now() - started;
    state_.metrics.record_request(response.route, response.status, body.bytes_read(), written.bytes, duration);
    log::info("request",
              {{"method", request.method_text},
               {"path", request.path},
               {"status", std::to_string(response.status)},
               {"bytes_in", std::to_string(body.bytes_read())},
               {"bytes_out", std::to_string(written.bytes)},
               {"duration_ms", fmt::format("{:.3f}", std::chrono::duration<double, std::milli>(duration).count())},
               {"client", remote_},
               {"route", response.route}});
    co_return keep_alive&& written.ok;
  }

  static std::optional<FramingRefusal> check_framing(const HeaderParser::value_type& message) {
    std::vector<std::string_view> transfer_encoding;
    std::vector<std::string_view> host;
    for (const auto& field : message) {
      const auto value = field.value();
      if (field.name() == bhttp::field::transfer_encoding) transfer_encoding.emplace_back(value.data(), value.size());
      if (field.name() == bhttp::field::host) host.emplace_back(value.data(), value.size());
    }
    return check_request_framing({message.version(), transfer_encoding, host,
                                  message.find(bhttp::field::content_length) != message.end()});
  }

  Task<Response> call_handler(Request& request) {
    try {
      Response response = co_await state_.handler(request);
      co_return response;
    } catch (const std::exception& e) {
      log::error("handler failed", {{"path", request.path}, {"error", e.what()}});
    } catch (...) {
      log::error("handler failed", {{"path", request.path}, {"error", "unknown exception"}});
    }
    co_return Response::text(500, "internal server error\n");
  }

  // Answers a request the server refuses itself, then the caller closes.
  Task<void> reject(int status, std::string text) {
    Response response = Response::text(status, std::move(text));
    const WriteResult written = co_await write_response(response, Method::other, 11, false);
    state_.metrics.record_request(response.route, status, 0, written.bytes, std::chrono::nanoseconds{0});
    log::info("request rejected", {{"status", std::to_string(status)}, {"client", remote_}});
  }

  template <typename Body>
  void fill_header(bhttp::response<Body>& message, const Response& response, unsigned version, bool keep_alive,
                   std::uint64_t length) {
    message.version(version);
    message.result(static_cast<unsigned>(response.status));
    for (const auto& [name, value] : response.headers.all()) {
      if (!is_framing_header(name)) message.insert(to_beast(name), to_beast(value));
    }
    message.set(bhttp::field::date, to_beast(http_date()));
    if (status_has_body(response.status)) message.content_length(length);
    message.keep_alive(keep_alive);
  }

  Task<WriteResult> write_response(Response& response, Method method, unsigned version, bool keep_alive) {
    const bool send_body = method != Method::head && status_has_body(response.status);
    const std::uint64_t length = std::visit(
        [&](const auto& body) -> std::uint64_t {
          using T = std::decay_t<decltype(body)>;
          if constexpr (std::is_same_v<T, std::string>) {
            return body.size();
          } else if constexpr (std::is_same_v<T, FileBody>) {
            return body.length;
          } else {
            // Only HEAD may announce a size it does not send.
            return method == Method::head ? response.content_length.value_or(0) : 0;
          }
        },
        response.body);

    beast::error_code ec;
    WriteResult result;
    set_deadline(state_.options.idle_timeout);
    if (auto* text = std::get_if<std::string>(&response.body); text != nullptr && send_body) {
      bhttp::response<bhttp::string_body> message;
      fill_header(message, response, version, keep_alive, length);
      message.body() = std::move(*text);
      result.bytes = co_await bhttp::async_write(stream_, message, redirect(ec));
      result.ok = !ec;
    } else {
      bhttp::response<bhttp::empty_body> message;
      fill_header(message, response, version, keep_alive, length);
      bhttp::response_serializer<bhttp::empty_body> serializer{message};
      result.bytes = co_await bhttp::async_write_header(stream_, serializer, redirect(ec));
      result.ok = !ec;
      if (auto* file = std::get_if<FileBody>(&response.body); result.ok && file != nullptr && send_body) {
        const std::uint64_t sent = co_await send_file(*file);
        result.bytes += sent;
        result.ok = sent == file->length;
      }
    }
    clear_deadline();
    co_return result;
  }

  // Returns the bytes sent; fewer than file.length means the connection is unusable.
  Task<std::uint64_t> send_file(const FileBody& file) {
    std::uint64_t sent = 0;
    beast::error_code ec;
    if constexpr (kTls) {
      std::vector<char> chunk(static_cast<std::size_t>(std::min<std::uint64_t>(kTlsFileChunk, file.length)));
      while (sent < file.length) {
        const auto want = static_cast<std::size_t>(std::min<std::uint64_t>(chunk.size(), file.length - sent));
        const ssize_t n = ::pread(file.fd.get(), chunk.data(), want, static_cast<off_t>(file.offset + sent));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
          log::error("file body read failed",
                     {{"error", n < 0 ? std::strerror(errno) : "file shorter than announced"}});
          break;
        }
        set_deadline(state_.options.idle_timeout);
        co_await asio::async_write(stream_, asio::buffer(chunk.data(), static_cast<std::size_t>(n)), redirect(ec));
        if (ec) break;
        sent += static_cast<std::uint64_t>(n);
      }
    } else {
      auto& sock = socket();
      sock.native_non_blocking(true, ec);
      if (ec) co_return sent;
      auto offset = static_cast<off_t>(file.offset);
      while (sent < file.length) {
        const auto want = static_cast<std::size_t>(std::min<std::uint64_t>(kSendfileMax, file.length - sent));
        const ssize_t n = ::sendfile(sock.native_handle(), file.fd.get(), &offset, want);
        if (n > 0) {
          sent += static_cast<std::uint64_t>(n);
        } else if (n < 0 && errno == EINTR) {
          continue;
        } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
          set_deadline(state_.options.idle_timeout);
          co_await sock.async_wait(tcp::socket::wait_write, redirect(ec));
          if (ec) break;
        } else {
          if (n == 0 || (errno != EPIPE && errno != ECONNRESET)) {
            log::error("sendfile failed", {{"error", n < 0 ? std::strerror(errno) : "file shorter than announced"}});
          }
          break;
        }
      }
    }
    co_return sent;
  }

  // --- watchdog ---

  void set_deadline(std::chrono::steady_clock::duration timeout) {
    deadline_ = Clock::now() + timeout;
    if (deadline_ < armed_at_) arm_watchdog();
  }

  void clear_deadline() { deadline_ = Clock::time_point::max(); }

  void arm_watchdog() {
    armed_at_ = deadline_;
    watchdog_.expires_at(deadline_);
    watchdog_.async_wait([self = this->shared_from_this()](const beast::error_code& ec) { self->on_watchdog(ec); });
  }

  void on_watchdog(const beast::error_code& ec) {
    // Aborted: re-armed for an earlier deadline, or the connection finished.
    if (ec || finished_) return;
    if (deadline_ == Clock::time_point::max()) {
      armed_at_ = deadline_;
    } else if (Clock::now() >= deadline_) {
      timed_out_ = true;
      armed_at_ = Clock::time_point::max();
      close();
    } else {
      arm_watchdog();
    }
  }

  void stop_watchdog() {
    finished_ = true;
    watchdog_.cancel();
  }

  static std::string to_std(beast::string_view text) { return std::string(text.data(), text.size()); }

  // How long, and how much, linger() reads after a response that left a request body unread.
  static constexpr std::chrono::seconds kLingerTime{2};
  static constexpr std::size_t kLingerBytes = 64 * 1024 * 1024;

  ServerState& state_;
  ConnectionSet& connections_;
  bool unread_body_ = false;
  Stream stream_;
  beast::flat_buffer buffer_;
  asio::steady_timer watchdog_;
  Clock::time_point deadline_ = Clock::time_point::max();
  Clock::time_point armed_at_ = Clock::time_point::max();
  std::string remote_;
  bool idle_ = false;
  bool timed_out_ = false;
  bool finished_ = false;
};

template <typename Stream, typename... StreamArgs>
void spawn(const tcp::socket::executor_type& executor, ServerState& state, ConnectionSet& connections,
           StreamArgs&&... stream_args) {
  auto connection =
      std::make_shared<HttpConnection<Stream>>(state, connections, std::forward<StreamArgs>(stream_args)...);
  asio::co_spawn(executor, HttpConnection<Stream>::serve(std::move(connection)), asio::detached);
}

}  // namespace

void start_connection(tcp::socket socket, asio::ssl::context* tls, ServerState& state, ConnectionSet& connections) {
  beast::error_code ec;
  socket.set_option(tcp::no_delay(true), ec);
  const auto executor = socket.get_executor();
  if (tls != nullptr) {
    spawn<TlsStream>(executor, state, connections, std::move(socket), *tls);
  } else {
    spawn<tcp::socket>(executor, state, connections, std::move(socket));
  }
}

}  // namespace berth::http::detail

// The HTTP/1.1 server: one acceptor hands connections round-robin to one io_context per thread;
// every connection is a C++20 coroutine that parses requests with Beast and calls the Handler.
//
// Usage:
//   berth::http::Server server(options, handler, metrics);
//   auto port = server.listen();   // errors as values: address in use, unreadable TLS files
//   if (!port) ...;
//   server.run();                  // blocks until stop() or SIGTERM/SIGINT, then drains
//
// Limits (see ServerOptions): a request header must arrive within header_timeout and fit in
// max_header_bytes (else 431); a keep-alive connection may sit idle, and a body transfer may stall,
// for at most idle_timeout. Beast stays inside src/http/*.cpp; this header is Beast-free.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "common/metrics.hpp"
#include "common/result.hpp"
#include "http/message.hpp"

namespace berth::http {

struct TlsFiles {
  std::string certificate_file;  // PEM, leaf first, then intermediates
  std::string key_file;          // PEM private key
};

struct ServerOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 5000;  // 0 = pick a free port; listen() reports it
  std::optional<TlsFiles> tls;
  unsigned threads = 0;                      // io threads, 0 = hardware_concurrency
  std::size_t max_header_bytes = 16 * 1024;  // larger header -> 431 and close
  std::chrono::seconds header_timeout{10};   // whole header must arrive in this time (slowloris)
  std::chrono::seconds idle_timeout{60};     // keep-alive idle, and max stall while reading/writing a body
  std::chrono::seconds shutdown_grace{30};   // in-flight requests get this long after stop()
};

class Server {
 public:
  // `metrics` must outlive the server. The handler is called on io threads, concurrently.
  Server(ServerOptions options, Handler handler, Metrics& metrics);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and listens; returns the bound port. Call once, before run().
  Result<std::uint16_t> listen();
  // Serves until stop() or SIGTERM/SIGINT; returns after the graceful drain. Calls listen() first
  // if it was not called (and returns at once, logging, if that fails). Call once.
  void run();
  // Thread-safe, idempotent: stop accepting, close idle connections, let in-flight requests finish
  // within shutdown_grace, then close everything. run() returns afterwards.
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace berth::http

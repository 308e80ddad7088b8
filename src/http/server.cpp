// Acceptor, io threads and shutdown. The protocol lives in connection.cpp.
//
// Threads: run() drives the `main` io_context (acceptor, signals, grace timer) on the caller's
// thread; each worker thread runs one io_context with its connections. A single acceptor avoids
// SO_REUSEPORT, under which a stale process on the same port silently takes connections.
//
// Shutdown (on `main`): close the acceptor, ask every worker to close its idle connections, and
// arm the grace timer. Busy connections close after their current response. When the last
// connection is gone, or the grace expires (then every socket is closed and the workers stop),
// the workers' work guards are released and run() joins them.
#include "http/server.hpp"

#include <openssl/ssl.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <string>
#include <thread>
#include <vector>

#include "common/log.hpp"
#include "http/connection.hpp"

namespace berth::http {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

Result<asio::ssl::context> load_tls(const TlsFiles& files) {
  asio::ssl::context context(asio::ssl::context::tls_server);
  context.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                      asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 | asio::ssl::context::no_tlsv1_1 |
                      asio::ssl::context::single_dh_use);
  SSL_CTX_set_min_proto_version(context.native_handle(), TLS1_2_VERSION);
  boost::system::error_code ec;
  context.use_certificate_chain_file(files.certificate_file, ec);
  if (ec) {
    return make_error(ErrorCode::invalid_argument,
                      "cannot load TLS certificate " + files.certificate_file + ": " + ec.message());
  }
  context.use_private_key_file(files.key_file, asio::ssl::context::pem, ec);
  if (ec) return make_error(ErrorCode::invalid_argument, "cannot load TLS key " + files.key_file + ": " + ec.message());
  return context;
}

}  // namespace

struct Server::Impl {
  struct Worker {
    // Declared before `io` so connections destroyed with io's pending handlers can still deregister.
    detail::ConnectionSet connections;
    asio::io_context io{1};
    asio::executor_work_guard<asio::io_context::executor_type> guard{io.get_executor()};
    std::thread thread;
  };

  Impl(ServerOptions options_in, Handler handler_in, Metrics& metrics_in)
      : options(std::move(options_in)),
        handler(std::move(handler_in)),
        state{options, handler, metrics_in, stopping, [this] { on_connection_closed(); }} {
    unsigned count = options.threads != 0 ? options.threads : std::max(1u, std::thread::hardware_concurrency());
    for (unsigned i = 0; i < count; ++i) workers.push_back(std::make_unique<Worker>());
  }

  asio::awaitable<void> accept_loop() {
    while (!stopping.load(std::memory_order_acquire)) {
      Worker& worker = *workers[next_worker++ % workers.size()];
      tcp::socket socket(worker.io);
      boost::system::error_code ec;
      co_await acceptor.async_accept(socket, asio::redirect_error(asio::use_awaitable, ec));
      if (ec) {
        if (ec == asio::error::operation_aborted || !acceptor.is_open()) break;
        // E.g. out of file descriptors: pause instead of spinning.
        log::warn("accept failed", {{"error", ec.message()}});
        asio::steady_timer pause(main, std::chrono::milliseconds(100));
        co_await pause.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        continue;
      }
      live.fetch_add(1, std::memory_order_relaxed);
      detail::start_connection(std::move(socket), tls ? &*tls : nullptr, state, worker.connections);
    }
  }

  // Runs on `main`.
  void begin_shutdown() {
    if (shutting_down) return;
    shutting_down = true;
    stopping.store(true, std::memory_order_release);
    log::info("shutting down", {{"connections", std::to_string(live.load())}});
    boost::system::error_code ec;
    acceptor.close(ec);
    signals.cancel(ec);
    for (auto& worker : workers) {
      asio::post(worker->io, [w = worker.get()] {
        for (auto* connection : w->connections) connection->close_if_idle();
      });
    }
    grace.expires_after(options.shutdown_grace);
    grace.async_wait([this](const boost::system::error_code& wait_ec) {
      if (!wait_ec) force_close();
    });
    maybe_finish();
  }

  // Runs on `main`.
  void force_close() {
    log::warn("shutdown grace expired; closing remaining connections", {{"connections", std::to_string(live.load())}});
    for (auto& worker : workers) {
      asio::post(worker->io, [w = worker.get()] {
        for (auto* connection : w->connections) connection->close();
        w->io.stop();
      });
    }
    finish();
  }

  // Runs on `main`.
  void maybe_finish() {
    if (shutting_down && live.load(std::memory_order_acquire) == 0) finish();
  }

  void finish() {
    if (finished) return;
    finished = true;
    grace.cancel();
    for (auto& worker : workers) worker->guard.reset();
  }

  // Runs on a worker thread.
  void on_connection_closed() {
    if (live.fetch_sub(1, std::memory_order_acq_rel) == 1 && stopping.load(std::memory_order_acquire)) {
      asio::post(main, [this] { maybe_finish(); });
    }
  }

  // Destruction runs bottom-up: workers (and the connection frames their io_contexts still hold)
  // go first, while everything they reference is alive.
  ServerOptions options;
  Handler handler;
  std::atomic<bool> stopping{false};
  std::atomic<std::size_t> live{0};
  std::optional<asio::ssl::context> tls;
  detail::ServerState state;
  asio::io_context main{1};
  tcp::acceptor acceptor{main};
  asio::signal_set signals{main};
  asio::steady_timer grace{main};
  std::size_t next_worker = 0;
  bool shutting_down = false;
  bool finished = false;
  std::vector<std::unique_ptr<Worker>> workers;
};

Server::Server(ServerOptions options, Handler handler, Metrics& metrics)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(handler), metrics)) {}

Server::~Server() {
  for (auto& worker : impl_->workers) {
    if (worker->thread.joinable()) worker->thread.join();
  }
}

Result<std::uint16_t> Server::listen() {
  Impl& impl = *impl_;
  const ServerOptions& options = impl.options;
  if (options.tls) {
    auto context = load_tls(*options.tls);
    if (!context.ok()) return std::move(context).error();
    impl.tls.emplace(std::move(*context));
  }
  boost::system::error_code ec;
  tcp::endpoint endpoint;
  const auto address = asio::ip::make_address(options.host, ec);
  if (!ec) {
    endpoint = tcp::endpoint(address, options.port);
  } else {
    tcp::resolver resolver(impl.main);
    auto results = resolver.resolve(options.host, std::to_string(options.port), ec);
    if (ec || results.empty()) {
      return make_error(ErrorCode::invalid_argument, "cannot resolve listen host " + options.host);
    }
    endpoint = results.begin()->endpoint();
  }
  const std::string where = options.host + ":" + std::to_string(options.port);
  impl.acceptor.open(endpoint.protocol(), ec);
  if (!ec) impl.acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) impl.acceptor.bind(endpoint, ec);
  if (!ec) impl.acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    boost::system::error_code ignored;
    impl.acceptor.close(ignored);
    return make_error(ErrorCode::unavailable, "cannot listen on " + where + ": " + ec.message());
  }
  return impl.acceptor.local_endpoint().port();
}

void Server::run() {
  Impl& impl = *impl_;
  if (!impl.acceptor.is_open()) {
    auto port = listen();
    if (!port.ok()) {
      log::error("server cannot start", {{"error", port.error().message}});
      return;
    }
  }
  impl.signals.add(SIGINT);
  impl.signals.add(SIGTERM);
  impl.signals.async_wait([&impl](const boost::system::error_code& ec, int) {
    if (!ec) impl.begin_shutdown();
  });
  asio::co_spawn(impl.main, impl.accept_loop(), asio::detached);
  for (auto& worker : impl.workers) {
    worker->thread = std::thread([w = worker.get()] { w->io.run(); });
  }
  boost::system::error_code ec;
  const auto local = impl.acceptor.local_endpoint(ec);
  log::info("listening", {{"address", local.address().to_string() + ":" + std::to_string(local.port())},
                          {"tls", impl.tls ? "true" : "false"},
                          {"threads", std::to_string(impl.workers.size())}});
  impl.main.run();
  for (auto& worker : impl.workers) worker->thread.join();
  log::info("server stopped");
}

void Server::stop() {
  asio::post(impl_->main, [impl = impl_.get()] { impl->begin_shutdown(); });
}

}  // namespace berth::http

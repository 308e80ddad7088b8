// Internal seam between the Server (acceptor, threads, shutdown) and the per-connection protocol
// code in connection.cpp, which is the only translation unit that instantiates Beast.
#pragma once

#include <boost/asio/ip/tcp.hpp>

#include <atomic>
#include <functional>
#include <unordered_set>

#include "common/metrics.hpp"
#include "http/message.hpp"
#include "http/server.hpp"

namespace boost::asio::ssl {
class context;
}

namespace berth::http::detail {

// What every connection of one server shares. Owned by the server; outlives its connections.
struct ServerState {
  const ServerOptions& options;
  const Handler& handler;
  Metrics& metrics;
  const std::atomic<bool>& stopping;
  // Called on the connection's io thread when a connection object is destroyed.
  std::function<void()> on_connection_closed;
};

// The server's handle on a live connection, for shutdown. Called only on the connection's io thread.
class Connection {
 public:
  virtual ~Connection() = default;
  // Closes the connection if it is waiting for a new request (keep-alive idle).
  virtual void close_if_idle() = 0;
  virtual void close() = 0;
};

// The live connections of one io thread; each connection adds and removes itself on that thread.
using ConnectionSet = std::unordered_set<Connection*>;

// Serves HTTP/1.1 on `socket`, whose executor is its io thread's io_context, until the peer leaves,
// a limit cuts it off or the server stops. `tls` is null for plain TCP. May be called from any thread.
void start_connection(boost::asio::ip::tcp::socket socket, boost::asio::ssl::context* tls, ServerState& state,
                      ConnectionSet& connections);

}  // namespace berth::http::detail

#include "app/serve.hpp"

#include <boost/asio/thread_pool.hpp>

#include <memory>

#include "app/data_stores.hpp"
#include "app/front_door.hpp"
#include "app/listen_address.hpp"
#include "auth/access_policy.hpp"
#include "common/log.hpp"
#include "common/metrics.hpp"
#include "http/server.hpp"
#include "registry/registry.hpp"

namespace berth::app {
namespace {

std::string derive_public_url(const Settings& settings, const ListenAddress& address, std::uint16_t port) {
  if (!settings.public_url.empty()) return settings.public_url;
  std::string host = address.host == "0.0.0.0" ? "127.0.0.1" : address.host;
  if (host.find(':') != std::string::npos) host = "[" + host + "]";
  return std::string(settings.tls ? "https://" : "http://") + host + ":" + std::to_string(port);
}

http::ServerOptions server_options(const Settings& settings, const ListenAddress& address) {
  http::ServerOptions options;
  options.host = address.host;
  options.port = address.port;
  if (settings.tls) options.tls = http::TlsFiles{settings.tls->certificate_file, settings.tls->key_file};
  options.threads = settings.threads;
  options.max_header_bytes = settings.max_header_bytes;
  options.header_timeout = settings.header_timeout;
  options.idle_timeout = settings.idle_timeout;
  options.shutdown_grace = settings.shutdown_grace;
  return options;
}

}  // namespace

int serve(const Settings& settings) {
  auto address = parse_listen_address(settings.listen);
  if (!address.ok()) {
    log::error("invalid setting", {{"setting", "listen"}, {"error", address.error().message}});
    return 2;
  }
  auto stores = open_data_stores(settings.data_dir);
  if (!stores.ok()) {
    log::error("cannot open data directory", {{"data_dir", settings.data_dir}, {"error", stores.error().message}});
    return 1;
  }

  std::unique_ptr<auth::AccessPolicy> access;
  if (settings.anonymous) {
    log::warn("anonymous access is enabled: anyone who can reach this server can push, pull and delete");
    access = std::make_unique<auth::AnonymousAccess>();
  } else {
    access = std::make_unique<auth::DenyAllAccess>(settings.public_url.empty() ? "berth" : settings.public_url);
  }

  // Blocking work (fsync, rename, metadata commits) runs here, off the io threads.
  boost::asio::thread_pool blocking(4);
  registry::RegistryOptions registry_options;
  registry_options.max_manifest_bytes = settings.max_manifest_bytes;
  registry::Registry registry(*stores->blobs, *stores->metadata, *access, blocking, registry_options);
  Metrics metrics;
  FrontDoor front_door(registry, metrics);

  http::Server server(server_options(settings, *address),
                      [&front_door](http::Request& request) { return front_door.handle(request); }, metrics);
  auto port = server.listen();
  if (!port.ok()) {
    log::error("cannot listen", {{"address", settings.listen}, {"error", port.error().message}});
    return 1;
  }
  // The server logs `listening` itself once it accepts connections and handles signals.
  log::info("starting", {{"public_url", derive_public_url(settings, *address, *port)},
                         {"data_dir", settings.data_dir},
                         {"tls", settings.tls ? "on" : "off"}});
  server.run();
  blocking.join();
  log::info("stopped");
  return 0;
}

}  // namespace berth::app

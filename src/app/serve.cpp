#include "app/serve.hpp"

#include <boost/asio/thread_pool.hpp>

#include <algorithm>
#include <memory>
#include <optional>

#include "app/data_stores.hpp"
#include "app/front_door.hpp"
#include "app/listen_address.hpp"
#include "auth/access_policy.hpp"
#include "auth/key_ring.hpp"
#include "auth/role_permissions.hpp"
#include "auth/role_session_access.hpp"
#include "aws/ecr_front_door.hpp"
#include "aws/identity_providers.hpp"
#include "aws/sts_front_door.hpp"
#include "common/log.hpp"
#include "common/metrics.hpp"
#include "http/server.hpp"
#include "app/gc_command.hpp"
#include "gc/gc_schedule.hpp"
#include "lifecycle/lifecycle_schedule.hpp"
#include "metadata/audit_batcher.hpp"
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

std::vector<aws::IdentityProviderConfig> identity_providers(const Settings& settings) {
  std::vector<aws::IdentityProviderConfig> configs;
  for (const auto& provider : settings.oidc_providers) {
    if (provider.insecure) {
      log::warn("plain-http identity provider allowed: use this only with a local test issuer",
                {{"provider", provider.name}, {"issuer", provider.issuer}});
    }
    configs.push_back({provider.name, provider.issuer, provider.audiences, provider.insecure});
  }
  return configs;
}

// A blob found by a client that may reference it next is marked used again this often: well under
// the collector's upload grace, so a push between its check and its manifest keeps its blobs.
std::chrono::seconds reuse_mark_interval(const Settings& settings) {
  return std::min(std::chrono::seconds(60), settings.gc_upload_grace / 2);
}

aws::AwsOptions aws_options(const Settings& settings, std::string public_url) {
  aws::AwsOptions options;
  options.account = {settings.account_id, settings.region};
  options.public_url = std::move(public_url);
  options.allowed_clock_skew = settings.clock_skew;
  options.registry_password_lifetime = settings.registry_password_lifetime;
  options.default_session_duration = settings.default_session_duration;
  options.reuse_mark_interval = reuse_mark_interval(settings);
  options.max_images_per_repository = settings.max_images_per_repository;
  return options;
}

void expose_gc_metrics(Metrics& metrics, const gc::GcTotals& totals, metadata::MetadataStore& store) {
  const auto counter = [&metrics](std::string name, std::string help, const auto& value) {
    metrics.expose(std::move(name), std::move(help), Metrics::Kind::counter,
                   [&value] { return static_cast<double>(value.load()); });
  };
  counter("berth_gc_runs_total", "Scheduled garbage collection runs.", totals.runs);
  counter("berth_gc_manifests_deleted_total", "Manifests garbage collection deleted.", totals.manifests_deleted);
  counter("berth_gc_blobs_deleted_total", "Blobs garbage collection deleted.", totals.blobs_deleted);
  counter("berth_gc_bytes_freed_total", "Bytes of blobs garbage collection deleted.", totals.bytes_freed);
  counter("berth_gc_uploads_purged_total", "Abandoned upload sessions garbage collection purged.",
          totals.uploads_purged);
  metrics.expose("berth_gc_last_run_timestamp_seconds", "When the last successful garbage collection run finished.",
                 Metrics::Kind::gauge, [&totals] { return static_cast<double>(totals.last_run_unix.load()); });
  // Counted at each scrape: a review row is a few bytes, and scrapes are rare.
  metrics.expose("berth_gc_queue_blobs", "Blobs awaiting a garbage collection review.", Metrics::Kind::gauge,
                 [&store] {
                   auto length = store.gc_queue_length();
                   return length ? static_cast<double>(length->blobs) : -1.0;
                 });
  metrics.expose("berth_gc_queue_manifests", "Manifests awaiting a garbage collection review.", Metrics::Kind::gauge,
                 [&store] {
                   auto length = store.gc_queue_length();
                   return length ? static_cast<double>(length->manifests) : -1.0;
                 });
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

  auto keys = load_key_ring(settings);
  if (!keys.ok()) {
    log::error("cannot load the key ring", {{"error", keys.error().message}});
    return 1;
  }

  // Blocking work (fsync, rename, metadata commits, JWKS fetches) runs here, off the io threads.
  boost::asio::thread_pool blocking(4);
  // Every front door's audit events share commits. It outlives the server, so requests still in
  // flight at SIGTERM get their events committed before the answer.
  metadata::AuditBatcher audit(*stores->metadata);
  std::optional<lifecycle::LifecycleSchedule> lifecycle;
  if (settings.lifecycle_enabled) lifecycle.emplace(*stores->metadata, settings.lifecycle_interval);
  Metrics metrics;
  metrics.expose("berth_audit_commits_total", "Transactions that committed audit events (group commit).",
                 Metrics::Kind::counter, [&audit] { return static_cast<double>(audit.commits()); });
  metrics.expose("berth_audit_events_total", "Audit events committed; divided by the commits, the mean batch.",
                 Metrics::Kind::counter, [&audit] { return static_cast<double>(audit.events_written()); });
  if (lifecycle) {
    metrics.expose("berth_lifecycle_runs_total", "Scheduled lifecycle policy runs finished.", Metrics::Kind::counter,
                   [&lifecycle] { return static_cast<double>(lifecycle->runs()); });
    metrics.expose("berth_lifecycle_images_expired_total", "Images the scheduled lifecycle runs expired.",
                   Metrics::Kind::counter, [&lifecycle] { return static_cast<double>(lifecycle->images_expired()); });
  }
  std::optional<gc::GcSchedule> collector;
  if (settings.gc_enabled) collector.emplace(*stores->metadata, *stores->blobs, gc_options(settings), settings.gc_interval);
  if (collector) expose_gc_metrics(metrics, collector->totals(), *stores->metadata);
  // The handler needs the public URL, which needs the port the listener got: it is built after listen().
  std::optional<FrontDoor> front_door;
  http::Server server(server_options(settings, *address),
                      [&front_door](http::Request& request) { return front_door->handle(request); }, metrics);
  auto port = server.listen();
  if (!port.ok()) {
    log::error("cannot listen", {{"address", settings.listen}, {"error", port.error().message}});
    return 1;
  }
  const aws::AwsOptions options = aws_options(settings, derive_public_url(settings, *address, *port));
  auth::RolePermissions permissions(*stores->metadata, options.account);

  std::unique_ptr<auth::AccessPolicy> access;
  if (settings.anonymous) {
    log::warn("anonymous access is enabled: anyone who can reach this server can push, pull and delete");
    access = std::make_unique<auth::AnonymousAccess>();
  } else {
    access = std::make_unique<auth::RoleSessionAccess>(*keys, permissions, options.public_url);
  }
  registry::RegistryOptions registry_options;
  registry_options.max_manifest_bytes = settings.max_manifest_bytes;
  registry_options.max_images_per_repository = settings.max_images_per_repository;
  registry_options.reuse_mark_interval = reuse_mark_interval(settings);
  registry_options.download_keys = &*keys;
  registry::Registry registry(*stores->blobs, *stores->metadata, *access, blocking, audit, registry_options);
  aws::IdentityProviders providers(identity_providers(settings));
  aws::StsFrontDoor sts(options, providers, *stores->metadata, *keys, blocking, audit);
  aws::EcrFrontDoor ecr(options, permissions, *stores->metadata, *stores->blobs, *keys, blocking, audit);
  front_door.emplace(registry, sts, ecr, metrics);

  // The server logs `listening` itself once it accepts connections and handles signals.
  log::info("starting", {{"public_url", options.public_url},
                         {"data_dir", settings.data_dir},
                         {"account_id", settings.account_id},
                         {"region", settings.region},
                         {"identity_providers", std::to_string(settings.oidc_providers.size())},
                         {"tls", settings.tls ? "on" : "off"}});
  server.run();
  if (lifecycle) lifecycle->stop();
  if (collector) collector->stop();
  audit.stop();
  blocking.join();
  log::info("stopped");
  return 0;
}

}  // namespace berth::app

// The OCI Distribution v1.1 front door: every `/v2/...` request enters through Registry::handle,
// which parses the route, authenticates the caller, checks the one access decision (AccessPolicy)
// for the repository, resolves the repository's existence, and dispatches to a handler group.
// Handler groups never check access for the route's own repository again; they only check the
// extra repositories a request names (a mount's `from`).
#pragma once

#include <boost/asio/thread_pool.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>

#include "auth/access_policy.hpp"
#include "auth/key_ring.hpp"
#include "http/message.hpp"
#include "metadata/audit_batcher.hpp"
#include "metadata/metadata_store.hpp"
#include "registry/route.hpp"
#include "storage/blob_store.hpp"

namespace berth::registry {

struct RegistryOptions {
  std::size_t max_manifest_bytes = 4 * 1024 * 1024;
  std::uint64_t max_images_per_repository = 100'000;  // ECR's default quota (ManifestPush::max_images)
  // Advertised as OCI-Chunk-Min-Length on upload sessions; 0 = not advertised.
  std::uint64_t chunk_min_length = 0;
  // Page size when a listing request has no `n`.
  std::size_t default_page_size = 1000;
  std::size_t max_page_size = 10000;
  // A HEAD of a blob awaiting garbage collection review marks it used again once its last mark is
  // this old (MetadataStore::linked_blob_for_reuse); well under the collector's upload grace.
  std::chrono::seconds reuse_mark_interval{60};
  // The ring that seals download grants (ECR GetDownloadUrlForLayer); without one, blob URLs that
  // carry a grant are authenticated like any other request.
  const auth::KeyRing* download_keys = nullptr;
};

// What every handler group shares. Owned by Registry; the stores outlive it.
struct RegistryContext {
  storage::BlobStore& blobs;
  metadata::MetadataStore& metadata;
  auth::AccessPolicy& access;
  boost::asio::thread_pool& blocking;  // fsync, rename, and other blocking work
  metadata::AuditBatcher& audit;
  RegistryOptions options;
};

// A request that passed routing and the access decision.
struct RegistryRequest {
  http::Request& http;
  const Route& route;
  const auth::Caller& caller;
};

class BlobHandlers;
class UploadHandlers;
class ManifestHandlers;
class ListingHandlers;

class Registry {
 public:
  Registry(storage::BlobStore& blobs, metadata::MetadataStore& metadata, auth::AccessPolicy& access,
           boost::asio::thread_pool& blocking, metadata::AuditBatcher& audit, RegistryOptions options);
  ~Registry();

  http::Task<http::Response> handle(http::Request& request);

 private:
  http::Task<http::Response> authenticate_and_dispatch(http::Request& request);
  Result<auth::Caller> authenticate(const http::Request& request, const Route& route);
  http::Task<http::Response> dispatch(RegistryRequest& request);

  RegistryContext context_;
  std::unique_ptr<BlobHandlers> blobs_;
  std::unique_ptr<UploadHandlers> uploads_;
  std::unique_ptr<ManifestHandlers> manifests_;
  std::unique_ptr<ListingHandlers> listings_;
};

}  // namespace berth::registry

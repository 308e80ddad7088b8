// SqliteMetadataStore: the MetadataStore contract on one SQLite file (WAL, synchronous=FULL,
// foreign keys on). Schema and migrations: sqlite_schema.cpp.
//
// Each call borrows a connection from a pool, so reads on different threads run in parallel; writes
// are BEGIN IMMEDIATE transactions that SQLite serialises (waiting up to the busy timeout). Deleting a
// repository or a manifest cascades through foreign keys to its links, references, tags and uploads.
// Mutating calls that name a repository create it when missing, so a push never fails on ordering.
#pragma once

#include <filesystem>
#include <memory>

#include "metadata/metadata_store.hpp"
#include "metadata/sqlite_connection.hpp"

namespace berth::metadata {

class SqliteMetadataStore final : public MetadataStore {
 public:
  // Creates the file (and its directory) when missing, switches it to WAL and migrates the schema.
  static Result<std::unique_ptr<SqliteMetadataStore>> open(const std::filesystem::path& db_file);

  Status create_repository(std::string_view name) override;
  Result<bool> add_repository(std::string_view name, const RepositorySettings& settings) override;
  Result<bool> repository_exists(std::string_view name) override;
  Result<std::optional<RepositoryRecord>> get_repository(std::string_view name) override;
  Result<std::optional<std::string>> get_repository_policy(std::string_view name) override;
  Result<bool> set_tag_mutability(std::string_view name, TagMutability mutability,
                                  const std::vector<std::string>& exclusions) override;
  Result<std::optional<RepositorySettings>> update_repository_settings(
      std::string_view name, const std::function<Status(RepositorySettings&)>& change) override;
  Result<bool> set_lifecycle_policy(std::string_view repository, std::string_view text) override;
  Result<std::optional<LifecyclePolicyRecord>> get_lifecycle_policy(std::string_view repository) override;
  Result<std::optional<LifecyclePolicyRecord>> delete_lifecycle_policy(std::string_view repository) override;
  Result<std::vector<LifecyclePolicyRecord>> list_lifecycle_policies(std::string_view after,
                                                                     std::size_t limit) override;
  Status record_lifecycle_evaluation(std::string_view repository, std::int64_t time_unix) override;
  Status put_lifecycle_preview(const LifecyclePreview& preview) override;
  Result<std::optional<LifecyclePreview>> get_lifecycle_preview(std::string_view repository) override;
  Status delete_repository(std::string_view name, bool force) override;
  Result<std::vector<std::string>> list_repositories(std::string_view after, std::size_t limit) override;
  Result<std::vector<RepositoryRecord>> list_repository_records(std::string_view after, std::size_t limit) override;

  Status link_blob(std::string_view repository, const Digest& digest, std::uint64_t size) override;
  Result<std::optional<std::uint64_t>> linked_blob(std::string_view repository, const Digest& digest) override;
  Result<std::optional<std::uint64_t>> known_blob(const Digest& digest) override;
  Result<bool> unlink_blob(std::string_view repository, const Digest& digest) override;
  Result<std::optional<std::uint64_t>> linked_blob_for_reuse(std::string_view repository, const Digest& digest,
                                                             std::chrono::seconds remark_after) override;
  Result<std::optional<std::uint64_t>> mount_blob(std::string_view repository, std::optional<std::string_view> source,
                                                  const Digest& digest) override;
  Status mark_blob_used(const Digest& digest, const std::function<Status()>& remove_bytes) override;

  Status put_manifest(const ManifestRecord& manifest, const std::vector<ManifestReference>& references,
                      std::optional<std::string_view> tag) override;
  Status put_manifest_keeping_tag(const ManifestRecord& manifest, const std::vector<ManifestReference>& references,
                                  std::string_view tag) override;
  Result<std::optional<ManifestRecord>> get_manifest(std::string_view repository, const Digest& digest) override;
  Status record_manifest_pull(std::string_view repository, const Digest& digest, std::int64_t pulled_unix) override;
  Result<bool> manifest_exists(std::string_view repository, const Digest& digest) override;
  Result<std::uint64_t> count_manifests(std::string_view repository) override;
  Result<std::optional<Digest>> resolve_tag(std::string_view repository, std::string_view tag) override;
  Result<bool> delete_manifest(std::string_view repository, const Digest& digest) override;
  Result<ManifestDeletion> delete_unlisted_manifest(std::string_view repository, const Digest& digest) override;
  Result<bool> delete_tag(std::string_view repository, std::string_view tag) override;
  Result<std::optional<Digest>> untag_image(std::string_view repository, std::string_view tag) override;
  Result<std::vector<std::string>> list_tags(std::string_view repository, std::string_view after,
                                             std::size_t limit) override;
  Result<std::vector<ReferrerRecord>> referrers(std::string_view repository, const Digest& subject,
                                                std::optional<std::string_view> artifact_type) override;

  Status for_each_manifest(
      const std::function<void(const ManifestRecord&, const std::vector<ManifestReference>&)>& visit) override;
  Status for_each_tag(const std::function<void(const TagRecord&)>& visit) override;
  Status for_each_blob_link(
      const std::function<void(std::string_view repository, const Digest&, std::uint64_t size)>& visit) override;

  Status create_upload(const UploadRecord& upload) override;
  Result<std::optional<UploadRecord>> get_upload(std::string_view id) override;
  Status delete_upload(std::string_view id) override;
  Result<std::vector<UploadRecord>> uploads_created_before(std::int64_t created_before, std::size_t limit) override;

  Result<std::vector<Digest>> due_blob_reviews(const GcCutoffs& cutoffs, std::string_view after,
                                               std::size_t limit) override;
  Result<std::vector<Digest>> collectable_blobs(std::span<const Digest> digests, const GcCutoffs& cutoffs) override;
  Result<std::vector<Digest>> condemn_blobs(std::span<const Digest> digests, const GcCutoffs& cutoffs) override;
  Result<std::vector<Digest>> condemned_blobs(std::string_view after, std::size_t limit) override;
  Result<std::vector<Digest>> remove_condemned_blobs(
      std::span<const Digest> digests, const std::function<Status(const Digest&)>& remove_bytes) override;
  Result<std::vector<ManifestKey>> due_manifest_reviews(std::int64_t unreferenced_before,
                                                        const std::optional<ManifestKey>& after,
                                                        std::size_t limit) override;
  Result<std::vector<ManifestKey>> collectable_manifests(std::span<const ManifestKey> keys,
                                                         std::int64_t unreferenced_before) override;
  Result<std::vector<ManifestKey>> collect_manifests(std::span<const ManifestKey> keys,
                                                     std::int64_t unreferenced_before) override;
  Result<GcQueueLength> gc_queue_length() override;

  Status put_role(const RoleRecord& role) override;
  Result<std::optional<RoleRecord>> get_role(std::string_view name) override;
  Result<std::vector<RoleRecord>> list_roles(std::string_view after, std::size_t limit) override;
  Result<bool> delete_role(std::string_view name) override;

  Status put_access_key(const AccessKeyRecord& key) override;
  Result<std::optional<AccessKeyRecord>> get_access_key(std::string_view id) override;
  Result<std::vector<AccessKeyRecord>> list_access_keys(std::optional<std::string_view> role_name) override;
  Result<bool> delete_access_key(std::string_view id) override;
  Status record_access_key_use(std::string_view id, std::int64_t now_unix, std::chrono::seconds resolution) override;

  Result<std::vector<ImageRecord>> list_images(std::string_view repository, std::string_view after_digest,
                                               std::size_t limit) override;

  Status put_provisioned_repository(const ProvisionedRepository& repository) override;
  Result<std::vector<ProvisionedRepository>> list_provisioned_repositories() override;
  Status put_published(const PublishedRecord& record) override;
  Result<std::vector<PublishedRecord>> list_published() override;
  Result<bool> delete_published(PublishedKind kind, std::string_view scope, std::string_view name) override;

  std::vector<Result<std::int64_t>> append_audit_events(std::span<const AuditEvent> events) override;
  Result<std::vector<AuditEvent>> list_audit_events(const AuditQuery& query) override;

 private:
  explicit SqliteMetadataStore(const std::filesystem::path& db_file) : pool_(db_file) {}

  ConnectionPool pool_;
};

}  // namespace berth::metadata

// MetadataStore: everything about repositories except blob bytes.
//
// Repositories, the blobs each repository may read (links), manifests kept byte-exact, tags,
// referrers (subject links), upload sessions and IAM roles. SQLite (WAL) is the first implementation;
// PostgreSQL is planned, and both must pass the same test suite (tests/unit/metadata).
//
// Contract: thread-safe; every mutating call is one transaction; listings are ordered and
// paginated with (after, limit) so no caller ever walks storage.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/digest.hpp"
#include "common/result.hpp"

namespace berth::metadata {

// How a repository treats a push that would move an existing tag to another manifest (ECR
// `imageTagMutability`, interfaces.md §6.2). The exclusion modes flip the rule for the tags that
// match one of the repository's wildcard filters. Stored as its number: new values go at the end.
enum class TagMutability { mutable_tags, immutable, immutable_with_exclusion, mutable_with_exclusion };

// The settings ECR's CreateRepository takes and DescribeRepositories reports.
struct RepositorySettings {
  TagMutability tag_mutability = TagMutability::mutable_tags;
  std::vector<std::string> tag_mutability_exclusions;  // `*` wildcard filters of the exclusion modes
  bool scan_on_push = false;
  std::vector<std::pair<std::string, std::string>> tags;  // resource tags (Key, Value), as given
  std::optional<std::string> policy;  // the repository policy (SetRepositoryPolicy), as given

  bool operator==(const RepositorySettings&) const = default;
};

struct RepositoryRecord {
  std::string name;
  RepositorySettings settings;
  std::int64_t created_unix = 0;  // set by the store
};

struct ManifestRecord {
  std::string repository;
  Digest digest;
  std::string media_type;
  std::string content;                    // the bytes exactly as pushed
  std::optional<Digest> subject;          // OCI `subject.digest`
  std::string artifact_type;              // as the referrers API reports it; may be empty
  std::string annotations_json;           // the manifest's `annotations` object, or empty
  std::int64_t created_unix = 0;
  std::optional<std::int64_t> last_pulled_unix;  // set by the store: the last pull recorded
};

enum class ReferenceKind { blob, manifest };

// A descriptor a manifest points at (config and layers, or an index's manifests).
struct ManifestReference {
  Digest digest;
  ReferenceKind kind = ReferenceKind::blob;
};

struct UploadRecord {
  std::string id;          // UUID
  std::string repository;
  std::int64_t created_unix = 0;
};

struct ReferrerRecord {
  Digest digest;
  std::string media_type;
  std::uint64_t size = 0;
  std::string artifact_type;
  std::string annotations_json;
};

struct TagRecord {
  std::string repository;
  std::string tag;
  Digest digest;
};

// An IAM role (arn:aws:iam::<account>:role/<name>). The documents are kept as the JSON text given;
// callers validate them with auth::parse_policy before storing.
struct RoleRecord {
  std::string name;
  std::string trust_policy;                          // one policy document
  std::string policies;                              // JSON array of permission policy documents
  std::int64_t max_session_duration_seconds = 3600;  // IAM's MaxSessionDuration
  std::int64_t created_unix = 0;
  std::int64_t updated_unix = 0;
};

// One manifest of a repository as the ECR API describes it (DescribeImages, ListImages).
struct ImageRecord {
  Digest digest;
  std::string media_type;
  std::string artifact_type;
  std::uint64_t manifest_size = 0;
  // Sum of the sizes of the blobs the manifest references (config and layers); 0 for an index.
  std::uint64_t blob_bytes = 0;
  std::vector<Digest> child_manifests;  // an index's manifests; empty otherwise
  std::vector<std::string> tags;        // in byte order
  std::optional<Digest> subject;
  std::int64_t created_unix = 0;  // when it was first pushed
  std::optional<std::int64_t> last_pulled_unix;  // ECR's lastRecordedPullTime
};

// Who did what, for `berth audit`: every credential issued and every change to a repository's
// content. Never holds a secret: no session token, password or web identity token.
struct AuditEvent {
  std::int64_t id = 0;         // assigned by the store, increasing
  std::int64_t time_unix = 0;  // seconds since the epoch
  // "sts:AssumeRoleWithWebIdentity", "ecr:GetAuthorizationToken", "registry:PutManifest",
  // "registry:DeleteManifest", "registry:DeleteTag", "registry:DeleteBlob".
  std::string action;
  std::string repository;  // empty for credential events
  std::string reference;   // the tag or digest named by the request, when any
  std::string digest;      // the manifest digest the event concerns, when known
  std::string previous_digest;  // for a tag moved by a push: where it pointed before
  std::string role_arn;
  std::string role_session_name;
  std::string access_key_id;  // the session's ASIA... id (not a secret)
  std::string source_address;  // "ip:port" of the client
  std::string issuer;          // the web identity token's `iss`, `sub`, `aud` (comma-joined)
  std::string subject;
  std::string audience;
  // JSON object of the audited claims (auth::kAuditedClaims); for a lifecycle expiry, the rule and
  // the reason.
  std::string claims_json;
};

// A repository's lifecycle policy (ECR PutLifecyclePolicy, or `berth apply`), as the lifecycle
// runner applies it.
struct LifecyclePolicyRecord {
  std::string repository;
  std::string text;                            // validated by lifecycle::parse_lifecycle_policy when stored
  std::optional<std::int64_t> evaluated_unix;  // when the runner last evaluated it (ECR `lastEvaluatedAt`)
};

// One image a lifecycle policy preview would expire.
struct PreviewExpiry {
  Digest digest;
  std::vector<std::string> tags;
  std::int64_t pushed_unix = 0;
  std::int64_t rule_priority = 0;
};

// The last preview of a repository (ECR StartLifecyclePolicyPreview): the policy evaluated and what
// it would expire, oldest push first.
struct LifecyclePreview {
  std::string repository;
  std::string policy_text;
  std::vector<PreviewExpiry> expiries;
  std::int64_t created_unix = 0;  // set by the store
};

// A repository as provisioning (`berth apply`) last declared it. Only repositories with such a record
// are managed: apply never removes a repository, role or published value it did not create.
struct ProvisionedRepository {
  std::string name;
  std::string tags_json = "{}";                 // JSON object of tag -> value
  // The repository's lifecycle policy: put_provisioned_repository sets it (a declaration without
  // one removes it) and the listing reports the repository's current one, which the ECR API may
  // have changed since, so that the plan puts the declaration back.
  std::optional<std::string> lifecycle_policy;
  bool scan_on_push = true;
  bool deletion_protection = true;
  std::int64_t updated_unix = 0;  // set by the store
};

// Something provisioning created outside the repository table: a role, or a value published to
// GitHub or Kubernetes. The hash tells apply whether the published value is still current without
// keeping the value (secrets never reach the store).
// Stored as its number: new kinds go at the end.
enum class PublishedKind { role, github_environment, github_variable, github_secret, config_map };

struct PublishedRecord {
  PublishedKind kind = PublishedKind::role;
  std::string scope;              // "owner/repo", "owner/repo/environment", a namespace; empty for roles
  std::string name;               // role, environment, variable, secret or ConfigMap name
  std::string value_sha256;       // hex sha256 of what was published
  std::string repository;         // the berth repository it was published for
  std::int64_t updated_unix = 0;  // set by the store
};

// Garbage collection (gc/garbage_collector.hpp). Whatever removes a reference to a blob or a
// manifest (a manifest's deletion, a blob link's, a repository's) queues a review of it in the same
// transaction; the collector deletes what is still unreferenced once its review is due, checking
// again in the transaction that deletes it.
//
// A review is due once everything that could keep the object happened before these times.
struct GcCutoffs {
  std::int64_t unreferenced_before = 0;  // lost a reference at or before this (the grace period)
  std::int64_t used_before = 0;          // uploaded, mounted or checked at or before this (the upload grace)
};

struct ManifestKey {
  std::string repository;
  Digest digest;

  bool operator==(const ManifestKey&) const = default;
};

struct GcQueueLength {
  std::uint64_t blobs = 0;
  std::uint64_t manifests = 0;
};

// A long-lived access key (auth/access_key.hpp): the secret is kept sealed under the key ring, never
// in the clear.
struct AccessKeyRecord {
  std::string id;  // "AKIA" + 16 characters
  std::string role_name;
  std::string sealed_secret;
  std::int64_t created_unix = 0;
  std::int64_t expires_unix = 0;
  std::int64_t last_used_unix = 0;  // 0 until first used

  bool operator==(const AccessKeyRecord&) const = default;
};

// What delete_unlisted_manifest did: deleted the manifest, found none, or kept it because the
// indexes in `listed_by` list it.
struct ManifestDeletion {
  bool deleted = false;
  std::vector<Digest> listed_by;
};

struct AuditQuery {
  std::optional<std::string> repository;
  std::optional<std::int64_t> since_unix;  // events at or after this time
  std::int64_t after_id = 0;               // pagination: events with a larger id
  std::size_t limit = 1000;
};

class MetadataStore {
 public:
  virtual ~MetadataStore() = default;

  // Repositories. create_repository is idempotent; a repository it creates (or that a push creates)
  // has the default settings.
  virtual Status create_repository(std::string_view name) = 0;
  // Creates the repository with `settings`. false, and nothing changed, when it already exists.
  virtual Result<bool> add_repository(std::string_view name, const RepositorySettings& settings) = 0;
  virtual Result<bool> repository_exists(std::string_view name) = 0;
  virtual Result<std::optional<RepositoryRecord>> get_repository(std::string_view name) = 0;
  // The repository's policy alone (RepositorySettings::policy): read on every authorised request,
  // so without the other settings. nullopt when there is no policy or no such repository.
  virtual Result<std::optional<std::string>> get_repository_policy(std::string_view name) = 0;
  // Replaces the tag mutability and its exclusion filters; false when there is no such repository.
  virtual Result<bool> set_tag_mutability(std::string_view name, TagMutability mutability,
                                          const std::vector<std::string>& exclusions) = 0;
  // Reads the settings, lets `change` edit them and writes them back, in one transaction (ECR
  // TagResource, UntagResource, PutImageScanningConfiguration). The settings as written, or nullopt
  // when there is no such repository; an error from `change` is returned and nothing written.
  virtual Result<std::optional<RepositorySettings>> update_repository_settings(
      std::string_view name, const std::function<Status(RepositorySettings&)>& change) = 0;

  // Lifecycle policies. set_lifecycle_policy replaces the policy (keeping when it was last
  // evaluated); false when there is no such repository.
  virtual Result<bool> set_lifecycle_policy(std::string_view repository, std::string_view text) = 0;
  // nullopt when the repository has no policy (or does not exist).
  virtual Result<std::optional<LifecyclePolicyRecord>> get_lifecycle_policy(std::string_view repository) = 0;
  // Removes the policy and answers it as it was, or nullopt when there was none.
  virtual Result<std::optional<LifecyclePolicyRecord>> delete_lifecycle_policy(std::string_view repository) = 0;
  // Repositories with a policy, names strictly after `after` in byte order, at most `limit`.
  virtual Result<std::vector<LifecyclePolicyRecord>> list_lifecycle_policies(std::string_view after,
                                                                             std::size_t limit) = 0;
  // Records that the runner evaluated the repository's policy at `time_unix`; a repository
  // deleted meanwhile is no error.
  virtual Status record_lifecycle_evaluation(std::string_view repository, std::int64_t time_unix) = 0;
  // Replaces the repository's preview; name_unknown when there is no such repository.
  virtual Status put_lifecycle_preview(const LifecyclePreview& preview) = 0;
  virtual Result<std::optional<LifecyclePreview>> get_lifecycle_preview(std::string_view repository) = 0;

  // Removes the repository and everything recorded in it (manifests, tags, references, blob links,
  // uploads) in one transaction; blob bytes stay for garbage collection. name_unknown when absent;
  // conflict when it still holds manifests and `force` is false.
  virtual Status delete_repository(std::string_view name, bool force) = 0;
  // Names strictly after `after`, in byte order, at most `limit`.
  virtual Result<std::vector<std::string>> list_repositories(std::string_view after, std::size_t limit) = 0;
  // As list_repositories, with each repository's settings.
  virtual Result<std::vector<RepositoryRecord>> list_repository_records(std::string_view after,
                                                                        std::size_t limit) = 0;

  // Blob links: a repository may serve a blob only once it was pushed or mounted there.
  virtual Status link_blob(std::string_view repository, const Digest& digest, std::uint64_t size) = 0;
  // Size of the linked blob, or nullopt when the repository has no link to it.
  virtual Result<std::optional<std::uint64_t>> linked_blob(std::string_view repository, const Digest& digest) = 0;
  // Size of the blob in any repository (for mounts across repositories), or nullopt.
  virtual Result<std::optional<std::uint64_t>> known_blob(const Digest& digest) = 0;
  // Returns false when there was no link. The blob's bytes stay until garbage collection.
  virtual Result<bool> unlink_blob(std::string_view repository, const Digest& digest) = 0;
  // As linked_blob, for a client that may reference the blob next without uploading it (a HEAD
  // before a manifest push): a blob awaiting review whose last mark is older than `remark_after`
  // is marked used in the same transaction. Other blobs need no write.
  virtual Result<std::optional<std::uint64_t>> linked_blob_for_reuse(std::string_view repository,
                                                                     const Digest& digest,
                                                                     std::chrono::seconds remark_after) = 0;
  // Links a blob that `source` (any repository when nullopt) already links into `repository` and
  // marks it used, in one transaction. The blob's size, or nullopt (nothing changed) when the
  // source has no link to it.
  virtual Result<std::optional<std::uint64_t>> mount_blob(std::string_view repository,
                                                          std::optional<std::string_view> source,
                                                          const Digest& digest) = 0;
  // Marks the blob used now, before bytes that may already be stored are published as it (an upload's
  // commit). A blob condemned by a collection has its old bytes removed by `remove_bytes` inside
  // this transaction and is reprieved, so the bytes published next are never removed by that
  // collection; a collection still deciding is waited for.
  virtual Status mark_blob_used(const Digest& digest, const std::function<Status()>& remove_bytes) = 0;

  // Manifests. put_manifest stores the record and its references and, when `tag` is given, points
  // the tag at it - all in one transaction. Storing the same digest again changes nothing but the
  // tag. Every blob referenced must be linked into the repository and every manifest referenced
  // stored in it when the transaction runs (manifest_blob_unknown otherwise, and nothing stored), so
  // a collection between a caller's check and the write cannot leave a dangling reference.
  // Manifests are not blob links: linked_blob never answers for them.
  virtual Status put_manifest(const ManifestRecord& manifest, const std::vector<ManifestReference>& references,
                              std::optional<std::string_view> tag) = 0;
  // As put_manifest with `tag`, except that a tag already pointing at another manifest stays there:
  // conflict, and nothing stored. Immutable tags are kept this way, with no window between reading
  // the tag and writing it.
  virtual Status put_manifest_keeping_tag(const ManifestRecord& manifest,
                                          const std::vector<ManifestReference>& references, std::string_view tag) = 0;
  virtual Result<std::optional<ManifestRecord>> get_manifest(std::string_view repository, const Digest& digest) = 0;
  // Records a pull of the manifest at `pulled_unix` (ECR's lastRecordedPullTime) unless a later
  // one is recorded; nothing happens when the manifest is absent.
  virtual Status record_manifest_pull(std::string_view repository, const Digest& digest, std::int64_t pulled_unix) = 0;
  // Size and media type without the content (HEAD).
  virtual Result<bool> manifest_exists(std::string_view repository, const Digest& digest) = 0;
  // How many manifests (images, index children and referrers alike) the repository holds.
  virtual Result<std::uint64_t> count_manifests(std::string_view repository) = 0;
  virtual Result<std::optional<Digest>> resolve_tag(std::string_view repository, std::string_view tag) = 0;
  // Deletes the manifest and every tag pointing at it. Returns false when absent.
  virtual Result<bool> delete_manifest(std::string_view repository, const Digest& digest) = 0;
  // As delete_manifest, unless an index of the repository still lists the manifest (ECR
  // BatchDeleteImage): then nothing changes and the answer names those indexes. Checked in the
  // transaction that deletes, so an index pushed meanwhile is never left with a missing child.
  virtual Result<ManifestDeletion> delete_unlisted_manifest(std::string_view repository, const Digest& digest) = 0;
  virtual Result<bool> delete_tag(std::string_view repository, std::string_view tag) = 0;
  // Deletes the tag and, when it was the last tag of its manifest, the manifest too (ECR
  // BatchDeleteImage by tag), in one transaction. The digest the tag named, or nullopt when absent.
  virtual Result<std::optional<Digest>> untag_image(std::string_view repository, std::string_view tag) = 0;
  // Tags strictly after `after` in byte order, at most `limit`.
  virtual Result<std::vector<std::string>> list_tags(std::string_view repository, std::string_view after,
                                                     std::size_t limit) = 0;
  // Manifests in `repository` whose subject is `subject`, filtered by artifact type when given.
  virtual Result<std::vector<ReferrerRecord>> referrers(std::string_view repository, const Digest& subject,
                                                        std::optional<std::string_view> artifact_type) = 0;

  // Manifests of a repository with their tags, by digest strictly after `after_digest` (digest
  // text order), at most `limit`.
  virtual Result<std::vector<ImageRecord>> list_images(std::string_view repository, std::string_view after_digest,
                                                       std::size_t limit) = 0;

  // Walks for fsck: every manifest (with its references) and every tag.
  virtual Status for_each_manifest(
      const std::function<void(const ManifestRecord&, const std::vector<ManifestReference>&)>& visit) = 0;
  virtual Status for_each_tag(const std::function<void(const TagRecord&)>& visit) = 0;
  virtual Status for_each_blob_link(
      const std::function<void(std::string_view repository, const Digest&, std::uint64_t size)>& visit) = 0;

  // Upload sessions.
  virtual Status create_upload(const UploadRecord& upload) = 0;
  virtual Result<std::optional<UploadRecord>> get_upload(std::string_view id) = 0;
  virtual Status delete_upload(std::string_view id) = 0;
  // Sessions created before `created_before` (abandoned uploads), oldest first, at most `limit`.
  virtual Result<std::vector<UploadRecord>> uploads_created_before(std::int64_t created_before,
                                                                   std::size_t limit) = 0;

  // Garbage collection. Blobs whose review is due, in digest text order strictly after `after`, at
  // most `limit`.
  virtual Result<std::vector<Digest>> due_blob_reviews(const GcCutoffs& cutoffs, std::string_view after,
                                                       std::size_t limit) = 0;
  // Of `digests`, those condemn_blobs would condemn now. Reads only (`berth gc --dry-run`).
  virtual Result<std::vector<Digest>> collectable_blobs(std::span<const Digest> digests, const GcCutoffs& cutoffs) = 0;
  // Deleting a blob takes two transactions, so that a crash between or during them leaves no link
  // to missing bytes. The first, condemn_blobs, reviews `digests`: a blob whose review is still due
  // and that no manifest references loses its links and is condemned; a due blob still referenced
  // loses its review. Answers the digests condemned.
  virtual Result<std::vector<Digest>> condemn_blobs(std::span<const Digest> digests, const GcCutoffs& cutoffs) = 0;
  // Condemned blobs (those of runs that crashed too), in digest text order strictly after `after`.
  virtual Result<std::vector<Digest>> condemned_blobs(std::string_view after, std::size_t limit) = 0;
  // The second: for each of `digests` still condemned, `remove_bytes` runs inside the transaction
  // and, when it succeeds, the review goes; a failure leaves it condemned for the next run. Answers
  // the digests whose bytes were removed.
  virtual Result<std::vector<Digest>> remove_condemned_blobs(
      std::span<const Digest> digests, const std::function<Status(const Digest&)>& remove_bytes) = 0;
  // Manifests whose review is due (lost their parent index or their subject at or before
  // `unreferenced_before`), in (repository, digest) order strictly after `after` (from the first when nullopt), at most `limit`.
  virtual Result<std::vector<ManifestKey>> due_manifest_reviews(std::int64_t unreferenced_before,
                                                                const std::optional<ManifestKey>& after, std::size_t limit) = 0;
  // Of `keys`, those collect_manifests would delete now: untagged, in no index of the repository,
  // and either without a subject or with a subject no longer stored. Reads only.
  virtual Result<std::vector<ManifestKey>> collectable_manifests(std::span<const ManifestKey> keys,
                                                                 std::int64_t unreferenced_before) = 0;
  // Deletes those of `keys` that are collectable, in one transaction (their blobs, children and
  // referrers are queued in turn); the others lose their review. Answers the manifests deleted.
  virtual Result<std::vector<ManifestKey>> collect_manifests(std::span<const ManifestKey> keys,
                                                             std::int64_t unreferenced_before) = 0;
  virtual Result<GcQueueLength> gc_queue_length() = 0;

  // Roles. put_role replaces the documents of a role with the same name but keeps its created time;
  // the record's created_unix and updated_unix are ignored (the store sets them).
  virtual Status put_role(const RoleRecord& role) = 0;
  virtual Result<std::optional<RoleRecord>> get_role(std::string_view name) = 0;
  // Roles with names strictly after `after`, in byte order, at most `limit`.
  virtual Result<std::vector<RoleRecord>> list_roles(std::string_view after, std::size_t limit) = 0;
  // Returns false when there was no such role.
  virtual Result<bool> delete_role(std::string_view name) = 0;

  // Access keys. A key belongs to a role that exists (not_found otherwise) and goes with it when the
  // role is deleted, so a role re-created under the same name does not inherit old keys. conflict
  // when the id is taken.
  virtual Status put_access_key(const AccessKeyRecord& key) = 0;
  virtual Result<std::optional<AccessKeyRecord>> get_access_key(std::string_view id) = 0;
  // Every key (of `role_name` when given), in id order: operators' keys are few.
  virtual Result<std::vector<AccessKeyRecord>> list_access_keys(std::optional<std::string_view> role_name) = 0;
  // Returns false when there was no such key.
  virtual Result<bool> delete_access_key(std::string_view id) = 0;
  // Records that the key was used at `now_unix`; a use within `resolution` of the last recorded one
  // writes nothing, so a busy key costs no write per request.
  virtual Status record_access_key_use(std::string_view id, std::int64_t now_unix, std::chrono::seconds resolution) = 0;

  // Provisioning state. put_provisioned_repository creates the repository when missing and records
  // its declared settings, in one transaction; deleting the repository forgets the record. The
  // listings return everything in name (then kind, scope) order: they are as large as the
  // declarations, and the planner compares them as a whole.
  virtual Status put_provisioned_repository(const ProvisionedRepository& repository) = 0;
  virtual Result<std::vector<ProvisionedRepository>> list_provisioned_repositories() = 0;
  // Replaces the record with the same (kind, scope, name).
  virtual Status put_published(const PublishedRecord& record) = 0;
  virtual Result<std::vector<PublishedRecord>> list_published() = 0;
  // Returns false when there was no such record.
  virtual Result<bool> delete_published(PublishedKind kind, std::string_view scope, std::string_view name) = 0;

  // Audit events, append-only. append_audit_events appends a batch with one commit (audit_batcher.hpp)
  // and answers one result per event, in order: the new event's id, or why that event was refused
  // (invalid_argument when it has no action). A refused event does not keep the others from being
  // appended; only a failure of the transaction itself fails them all.
  virtual std::vector<Result<std::int64_t>> append_audit_events(std::span<const AuditEvent> events) = 0;
  // Events matching the query in id order.
  virtual Result<std::vector<AuditEvent>> list_audit_events(const AuditQuery& query) = 0;
};

}  // namespace berth::metadata

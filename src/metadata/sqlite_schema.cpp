#include "metadata/sqlite_schema.hpp"

#include <array>
#include <string>

namespace berth::metadata {
namespace {

// Digests are stored as text "alg:hex". Names and tags compare with BINARY collation, which is byte
// order, as the OCI listing APIs require.
constexpr std::array<const char*, 9> kMigrations = {
    R"sql(
CREATE TABLE repositories (
  name    TEXT PRIMARY KEY COLLATE BINARY,
  created INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE repository_blobs (
  repository TEXT NOT NULL REFERENCES repositories(name) ON DELETE CASCADE,
  digest     TEXT NOT NULL,
  size       INTEGER NOT NULL,
  PRIMARY KEY (repository, digest)
) WITHOUT ROWID;
CREATE INDEX repository_blobs_by_digest ON repository_blobs(digest);

CREATE TABLE manifests (
  repository    TEXT NOT NULL REFERENCES repositories(name) ON DELETE CASCADE,
  digest        TEXT NOT NULL,
  media_type    TEXT NOT NULL,
  content       BLOB NOT NULL,
  subject       TEXT,
  artifact_type TEXT NOT NULL,
  annotations   TEXT NOT NULL,
  created       INTEGER NOT NULL,
  PRIMARY KEY (repository, digest)
);
CREATE INDEX manifests_by_subject ON manifests(repository, subject) WHERE subject IS NOT NULL;

CREATE TABLE manifest_references (
  repository      TEXT NOT NULL,
  manifest_digest TEXT NOT NULL,
  child_digest    TEXT NOT NULL,
  kind            INTEGER NOT NULL,
  PRIMARY KEY (repository, manifest_digest, child_digest),
  FOREIGN KEY (repository, manifest_digest) REFERENCES manifests(repository, digest) ON DELETE CASCADE
) WITHOUT ROWID;
CREATE INDEX manifest_references_by_child ON manifest_references(child_digest);

CREATE TABLE tags (
  repository TEXT NOT NULL,
  tag        TEXT NOT NULL COLLATE BINARY,
  digest     TEXT NOT NULL,
  updated    INTEGER NOT NULL,
  PRIMARY KEY (repository, tag),
  FOREIGN KEY (repository, digest) REFERENCES manifests(repository, digest) ON DELETE CASCADE
) WITHOUT ROWID;
CREATE INDEX tags_by_digest ON tags(repository, digest);

CREATE TABLE uploads (
  id         TEXT PRIMARY KEY,
  repository TEXT NOT NULL REFERENCES repositories(name) ON DELETE CASCADE,
  created    INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX uploads_by_repository ON uploads(repository);
)sql",
    R"sql(
CREATE TABLE roles (
  name                 TEXT PRIMARY KEY COLLATE BINARY,
  trust_policy         TEXT NOT NULL,
  policies             TEXT NOT NULL,
  max_session_duration INTEGER NOT NULL,
  created              INTEGER NOT NULL,
  updated              INTEGER NOT NULL
) WITHOUT ROWID;
)sql",
    // AUTOINCREMENT: ids never go back, even once old events are pruned, so `after_id` paging
    // stays valid.
    R"sql(
CREATE TABLE audit_events (
  id                INTEGER PRIMARY KEY AUTOINCREMENT,
  time              INTEGER NOT NULL,
  action            TEXT NOT NULL,
  repository        TEXT NOT NULL,
  reference         TEXT NOT NULL,
  digest            TEXT NOT NULL,
  previous_digest   TEXT NOT NULL,
  role_arn          TEXT NOT NULL,
  role_session_name TEXT NOT NULL,
  access_key_id     TEXT NOT NULL,
  source_address    TEXT NOT NULL,
  issuer            TEXT NOT NULL,
  subject           TEXT NOT NULL,
  audience          TEXT NOT NULL,
  claims_json       TEXT NOT NULL
);
CREATE INDEX audit_events_by_repository ON audit_events(repository, time);
CREATE INDEX audit_events_by_time ON audit_events(time);
)sql",
    // Provisioning. A repository's record goes with the repository; published records outlive it
    // until apply has removed what they describe from GitHub or Kubernetes.
    R"sql(
CREATE TABLE provisioned_repositories (
  name                TEXT PRIMARY KEY COLLATE BINARY REFERENCES repositories(name) ON DELETE CASCADE,
  tags                TEXT NOT NULL,
  lifecycle_policy    TEXT,
  scan_on_push        INTEGER NOT NULL,
  deletion_protection INTEGER NOT NULL,
  updated             INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE published (
  kind         INTEGER NOT NULL,
  scope        TEXT NOT NULL COLLATE BINARY,
  name         TEXT NOT NULL COLLATE BINARY,
  value_sha256 TEXT NOT NULL,
  repository   TEXT NOT NULL,
  updated      INTEGER NOT NULL,
  PRIMARY KEY (kind, scope, name)
) WITHOUT ROWID;
)sql",
    // Repository settings (ECR CreateRepository, PutImageTagMutability); repositories that predate
    // them keep ECR's defaults. The lists are JSON arrays: they are only ever read whole.
    R"sql(
ALTER TABLE repositories ADD COLUMN tag_mutability INTEGER NOT NULL DEFAULT 0;
ALTER TABLE repositories ADD COLUMN tag_mutability_exclusions TEXT NOT NULL DEFAULT '[]';
ALTER TABLE repositories ADD COLUMN scan_on_push INTEGER NOT NULL DEFAULT 0;
ALTER TABLE repositories ADD COLUMN resource_tags TEXT NOT NULL DEFAULT '[]';
)sql",
    // Garbage collection (gc/garbage_collector.hpp). A review row asks the collector to look at a
    // blob or manifest again because it may have lost its last reference. The triggers queue every
    // such loss, whatever deleted the row (a manifest, a tag's last image, a repository, a cascade),
    // so no caller can forget to. Times are unix seconds, 0 for never. A condemned blob has lost
    // its links and waits for its bytes to be removed. Blobs already unreferenced
    // before this migration get a review due after the default grace period of a day.
    R"sql(
CREATE TABLE gc_blob_reviews (
  digest       TEXT PRIMARY KEY,
  unreferenced INTEGER NOT NULL DEFAULT 0,
  used         INTEGER NOT NULL DEFAULT 0,
  condemned    INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;

CREATE TABLE gc_manifest_reviews (
  repository   TEXT NOT NULL,
  digest       TEXT NOT NULL,
  unreferenced INTEGER NOT NULL,
  PRIMARY KEY (repository, digest)
) WITHOUT ROWID;

CREATE TRIGGER gc_blob_reference_dropped AFTER DELETE ON manifest_references WHEN OLD.kind = 0 BEGIN
  INSERT INTO gc_blob_reviews (digest, unreferenced) VALUES (OLD.child_digest, unixepoch())
  ON CONFLICT (digest) DO UPDATE SET unreferenced = excluded.unreferenced;
END;

CREATE TRIGGER gc_blob_unlinked AFTER DELETE ON repository_blobs BEGIN
  INSERT INTO gc_blob_reviews (digest, unreferenced) VALUES (OLD.digest, unixepoch())
  ON CONFLICT (digest) DO UPDATE SET unreferenced = excluded.unreferenced;
END;

CREATE TRIGGER gc_child_manifest_dropped AFTER DELETE ON manifest_references WHEN OLD.kind = 1 BEGIN
  INSERT INTO gc_manifest_reviews (repository, digest, unreferenced)
  VALUES (OLD.repository, OLD.child_digest, unixepoch())
  ON CONFLICT (repository, digest) DO UPDATE SET unreferenced = excluded.unreferenced;
END;

CREATE TRIGGER gc_subject_dropped AFTER DELETE ON manifests BEGIN
  INSERT INTO gc_manifest_reviews (repository, digest, unreferenced)
  SELECT repository, digest, unixepoch() FROM manifests WHERE repository = OLD.repository AND subject = OLD.digest
  ON CONFLICT (repository, digest) DO UPDATE SET unreferenced = excluded.unreferenced;
END;

INSERT INTO gc_blob_reviews (digest, unreferenced)
SELECT DISTINCT digest, unixepoch() FROM repository_blobs
WHERE digest NOT IN (SELECT child_digest FROM manifest_references);
)sql",
    // A lifecycle policy belongs to its repository, whoever set it (ECR PutLifecyclePolicy or
    // `berth apply`); provisioned ones move over. `lifecycle_evaluated` is unix seconds, NULL until
    // the runner first evaluates the policy. A preview keeps what it would expire as a JSON array:
    // it is only ever read whole.
    R"sql(
ALTER TABLE repositories ADD COLUMN lifecycle_policy TEXT;
ALTER TABLE repositories ADD COLUMN lifecycle_evaluated INTEGER;
UPDATE repositories SET lifecycle_policy =
  (SELECT lifecycle_policy FROM provisioned_repositories WHERE provisioned_repositories.name = repositories.name);
ALTER TABLE provisioned_repositories DROP COLUMN lifecycle_policy;

CREATE TABLE lifecycle_previews (
  repository TEXT PRIMARY KEY COLLATE BINARY REFERENCES repositories(name) ON DELETE CASCADE,
  policy     TEXT NOT NULL,
  expiries   TEXT NOT NULL,
  created    INTEGER NOT NULL
) WITHOUT ROWID;
)sql",
    // Long-lived access keys (auth/access_key.hpp). A key goes with its role.
    R"sql(
CREATE TABLE access_keys (
  id            TEXT PRIMARY KEY,
  role          TEXT NOT NULL REFERENCES roles(name) ON DELETE CASCADE,
  sealed_secret TEXT NOT NULL,
  created       INTEGER NOT NULL,
  expires       INTEGER NOT NULL,
  last_used     INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX access_keys_by_role ON access_keys(role);
)sql",
    // 9: the repository policy (ECR SetRepositoryPolicy), and when a manifest was last pulled (ECR's
    // lastRecordedPullTime); NULL for none.
    "ALTER TABLE repositories ADD COLUMN policy TEXT;\n"
    "ALTER TABLE manifests ADD COLUMN last_pulled INTEGER;",
};

Result<std::size_t> user_version(SqliteConnection& connection) {
  auto query = connection.prepare("PRAGMA user_version");
  if (!query.ok()) return std::move(query).error();
  auto row = query->step();
  BERTH_TRY(row);
  return static_cast<std::size_t>(query->column_int(0));
}

}  // namespace

std::size_t sqlite_schema_version() { return kMigrations.size(); }

Status migrate(SqliteConnection& connection) {
  auto transaction = Transaction::begin(connection);
  if (!transaction.ok()) return std::move(transaction).error();
  auto current = user_version(connection);
  BERTH_TRY(current);
  std::size_t version = *current;
  if (version > kMigrations.size()) {
    return make_error(ErrorCode::unavailable, "metadata schema version " + std::to_string(version) +
                                                  " is newer than this berth (" + std::to_string(kMigrations.size()) +
                                                  ")");
  }
  for (std::size_t i = version; i < kMigrations.size(); ++i) {
    BERTH_TRY(connection.exec(kMigrations[i]));
  }
  if (version < kMigrations.size()) {
    // PRAGMA takes no bound parameters; the value is our own integer.
    std::string set_version = "PRAGMA user_version = " + std::to_string(kMigrations.size());
    BERTH_TRY(connection.exec(set_version.c_str()));
  }
  return transaction->commit();
}

}  // namespace berth::metadata

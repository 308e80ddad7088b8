#include "metadata/postgres_schema.hpp"

#include <array>
#include <string>

namespace berth::metadata {
namespace {

// An arbitrary constant naming berth's migration lock among the database's advisory locks.
constexpr std::int64_t kMigrationLock = 0x6265727468'0001;  // "berth" + 1

// Names, tags and digests collate as "C", which is byte order, as the OCI listing APIs require.
// Times are unix seconds. The triggers queue every loss of a reference for garbage collection,
// whatever deleted the row (cascades fire them too), as in sqlite_schema.cpp.
constexpr std::array<const char*, 1> kMigrations = {
    R"sql(
CREATE TABLE repositories (
  name                      TEXT COLLATE "C" PRIMARY KEY,
  created                   BIGINT NOT NULL,
  tag_mutability            INTEGER NOT NULL DEFAULT 0,
  tag_mutability_exclusions TEXT NOT NULL DEFAULT '[]',
  scan_on_push              BOOLEAN NOT NULL DEFAULT false,
  resource_tags             TEXT NOT NULL DEFAULT '[]',
  lifecycle_policy          TEXT,
  lifecycle_evaluated       BIGINT,
  policy                    TEXT
);

CREATE TABLE repository_blobs (
  repository TEXT COLLATE "C" NOT NULL REFERENCES repositories(name) ON DELETE CASCADE,
  digest     TEXT COLLATE "C" NOT NULL,
  size       BIGINT NOT NULL,
  PRIMARY KEY (repository, digest)
);
CREATE INDEX repository_blobs_by_digest ON repository_blobs(digest);

CREATE TABLE manifests (
  repository    TEXT COLLATE "C" NOT NULL REFERENCES repositories(name) ON DELETE CASCADE,
  digest        TEXT COLLATE "C" NOT NULL,
  media_type    TEXT NOT NULL,
  content       BYTEA NOT NULL,
  subject       TEXT COLLATE "C",
  artifact_type TEXT NOT NULL,
  annotations   TEXT NOT NULL,
  created       BIGINT NOT NULL,
  last_pulled   BIGINT,
  PRIMARY KEY (repository, digest)
);
CREATE INDEX manifests_by_subject ON manifests(repository, subject) WHERE subject IS NOT NULL;

CREATE TABLE manifest_references (
  repository      TEXT COLLATE "C" NOT NULL,
  manifest_digest TEXT COLLATE "C" NOT NULL,
  child_digest    TEXT COLLATE "C" NOT NULL,
  kind            INTEGER NOT NULL,
  PRIMARY KEY (repository, manifest_digest, child_digest),
  FOREIGN KEY (repository, manifest_digest) REFERENCES manifests(repository, digest) ON DELETE CASCADE
);
CREATE INDEX manifest_references_by_child ON manifest_references(child_digest);

CREATE TABLE tags (
  repository TEXT COLLATE "C" NOT NULL,
  tag        TEXT COLLATE "C" NOT NULL,
  digest     TEXT COLLATE "C" NOT NULL,
  updated    BIGINT NOT NULL,
  PRIMARY KEY (repository, tag),
  FOREIGN KEY (repository, digest) REFERENCES manifests(repository, digest) ON DELETE CASCADE
);
CREATE INDEX tags_by_digest ON tags(repository, digest);

CREATE TABLE uploads (
  id         TEXT PRIMARY KEY,
  repository TEXT COLLATE "C" NOT NULL REFERENCES repositories(name) ON DELETE CASCADE,
  created    BIGINT NOT NULL
);
CREATE INDEX uploads_by_repository ON uploads(repository);

CREATE TABLE roles (
  name                 TEXT COLLATE "C" PRIMARY KEY,
  trust_policy         TEXT NOT NULL,
  policies             TEXT NOT NULL,
  max_session_duration BIGINT NOT NULL,
  created              BIGINT NOT NULL,
  updated              BIGINT NOT NULL
);

-- Identity: ids never go back, even once old events are pruned, so `after_id` paging stays valid.
CREATE TABLE audit_events (
  id                BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  time              BIGINT NOT NULL,
  action            TEXT NOT NULL,
  repository        TEXT COLLATE "C" NOT NULL,
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

CREATE TABLE provisioned_repositories (
  name                TEXT COLLATE "C" PRIMARY KEY REFERENCES repositories(name) ON DELETE CASCADE,
  tags                TEXT NOT NULL,
  scan_on_push        BOOLEAN NOT NULL,
  deletion_protection BOOLEAN NOT NULL,
  updated             BIGINT NOT NULL
);

CREATE TABLE published (
  kind         INTEGER NOT NULL,
  scope        TEXT COLLATE "C" NOT NULL,
  name         TEXT COLLATE "C" NOT NULL,
  value_sha256 TEXT NOT NULL,
  repository   TEXT NOT NULL,
  updated      BIGINT NOT NULL,
  PRIMARY KEY (kind, scope, name)
);

CREATE TABLE lifecycle_previews (
  repository TEXT COLLATE "C" PRIMARY KEY REFERENCES repositories(name) ON DELETE CASCADE,
  policy     TEXT NOT NULL,
  expiries   TEXT NOT NULL,
  created    BIGINT NOT NULL
);

CREATE TABLE access_keys (
  id            TEXT PRIMARY KEY,
  role          TEXT COLLATE "C" NOT NULL REFERENCES roles(name) ON DELETE CASCADE,
  sealed_secret TEXT NOT NULL,
  created       BIGINT NOT NULL,
  expires       BIGINT NOT NULL,
  last_used     BIGINT NOT NULL
);
CREATE INDEX access_keys_by_role ON access_keys(role);

CREATE TABLE gc_blob_reviews (
  digest       TEXT COLLATE "C" PRIMARY KEY,
  unreferenced BIGINT NOT NULL DEFAULT 0,
  used         BIGINT NOT NULL DEFAULT 0,
  condemned    BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE gc_manifest_reviews (
  repository   TEXT COLLATE "C" NOT NULL,
  digest       TEXT COLLATE "C" NOT NULL,
  unreferenced BIGINT NOT NULL,
  PRIMARY KEY (repository, digest)
);

-- One review per object that may have lost its last reference; a later loss moves its time.
CREATE FUNCTION gc_review_blob(blob TEXT) RETURNS void LANGUAGE sql AS $$
  INSERT INTO gc_blob_reviews (digest, unreferenced) VALUES (blob, extract(epoch FROM now())::bigint)
  ON CONFLICT (digest) DO UPDATE SET unreferenced = excluded.unreferenced
$$;
CREATE FUNCTION gc_review_manifest(repo TEXT, manifest TEXT) RETURNS void LANGUAGE sql AS $$
  INSERT INTO gc_manifest_reviews (repository, digest, unreferenced)
  VALUES (repo, manifest, extract(epoch FROM now())::bigint)
  ON CONFLICT (repository, digest) DO UPDATE SET unreferenced = excluded.unreferenced
$$;

CREATE FUNCTION gc_reference_dropped() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.kind = 0 THEN
    PERFORM gc_review_blob(OLD.child_digest);
  ELSE
    PERFORM gc_review_manifest(OLD.repository, OLD.child_digest);
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER gc_reference_dropped AFTER DELETE ON manifest_references
  FOR EACH ROW EXECUTE FUNCTION gc_reference_dropped();

CREATE FUNCTION gc_blob_unlinked() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM gc_review_blob(OLD.digest);
  RETURN NULL;
END $$;
CREATE TRIGGER gc_blob_unlinked AFTER DELETE ON repository_blobs
  FOR EACH ROW EXECUTE FUNCTION gc_blob_unlinked();

-- Referrers (`subject`) follow their subject's fate.
CREATE FUNCTION gc_subject_dropped() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM gc_review_manifest(repository, digest) FROM manifests
  WHERE repository = OLD.repository AND subject = OLD.digest;
  RETURN NULL;
END $$;
CREATE TRIGGER gc_subject_dropped AFTER DELETE ON manifests
  FOR EACH ROW EXECUTE FUNCTION gc_subject_dropped();
)sql",
};

Result<std::size_t> applied_version(PostgresConnection& connection) {
  BERTH_TRY(connection.exec("CREATE TABLE IF NOT EXISTS berth_schema (version INTEGER NOT NULL)"));
  auto rows = connection.query("SELECT version FROM berth_schema");
  if (!rows.ok()) return std::move(rows).error();
  if (rows->empty()) return std::size_t{0};
  auto version = rows->integer(0, 0);
  if (!version.ok()) return std::move(version).error();
  return static_cast<std::size_t>(*version);
}

}  // namespace

std::size_t postgres_schema_version() { return kMigrations.size(); }

Status migrate_postgres(PostgresConnection& connection) {
  auto transaction = PostgresTransaction::begin(connection);
  if (!transaction.ok()) return std::move(transaction).error();
  // Held until COMMIT or ROLLBACK: a node that starts meanwhile waits here, then sees the result.
  auto locked = connection.query("SELECT pg_advisory_xact_lock($1)", kMigrationLock);
  if (!locked.ok()) return std::move(locked).error();
  auto current = applied_version(connection);
  if (!current.ok()) return std::move(current).error();
  const std::size_t version = *current;
  if (version > kMigrations.size()) {
    return make_error(ErrorCode::unavailable, "metadata schema version " + std::to_string(version) +
                                                  " is newer than this berth (" + std::to_string(kMigrations.size()) +
                                                  ")");
  }
  if (version == kMigrations.size()) return transaction->commit();
  for (std::size_t i = version; i < kMigrations.size(); ++i) BERTH_TRY(connection.exec(kMigrations[i]));
  auto recorded = version == 0 ? connection.query("INSERT INTO berth_schema (version) VALUES ($1)",
                                                  static_cast<std::int64_t>(kMigrations.size()))
                               : connection.query("UPDATE berth_schema SET version = $1",
                                                  static_cast<std::int64_t>(kMigrations.size()));
  if (!recorded.ok()) return std::move(recorded).error();
  return transaction->commit();
}

}  // namespace berth::metadata

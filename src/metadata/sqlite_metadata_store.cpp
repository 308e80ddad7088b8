#include "metadata/sqlite_metadata_store.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <limits>
#include <system_error>
#include <utility>

#include "metadata/sqlite_schema.hpp"

namespace berth::metadata {
namespace {

std::int64_t now_unix() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::int64_t sql_limit(std::size_t limit) {
  return static_cast<std::int64_t>(std::min<std::size_t>(limit, std::numeric_limits<std::int64_t>::max()));
}

void bind_value(Statement& statement, int index, std::string_view text) { statement.bind(index, text); }
void bind_value(Statement& statement, int index, const Digest& digest) { statement.bind(index, digest.str()); }
void bind_value(Statement& statement, int index, std::int64_t value) { statement.bind(index, value); }
void bind_value(Statement& statement, int index, const std::optional<std::string_view>& text) {
  if (text) {
    statement.bind(index, *text);
  } else {
    statement.bind_null(index);
  }
}
void bind_value(Statement& statement, int index, const std::optional<Digest>& digest) {
  if (digest) {
    statement.bind(index, digest->str());
  } else {
    statement.bind_null(index);
  }
}

// Bytes stored as a BLOB (manifest content), not as TEXT.
struct Bytes {
  std::string_view data;
};
void bind_value(Statement& statement, int index, Bytes bytes) { statement.bind_blob(index, bytes.data); }

// The cached statement for `sql` with `args` bound to ?1, ?2, ... in order.
template <typename... Args>
Result<Statement> query(SqliteConnection& connection, std::string_view sql, const Args&... args) {
  auto statement = connection.prepare(sql);
  if (!statement.ok()) return statement;
  int index = 0;
  (bind_value(*statement, ++index, args), ...);
  return statement;
}

template <typename... Args>
Status execute(SqliteConnection& connection, std::string_view sql, const Args&... args) {
  auto statement = query(connection, sql, args...);
  if (!statement.ok()) return std::move(statement).error();
  return statement->run();
}

// True when the query returns at least one row.
template <typename... Args>
Result<bool> has_row(SqliteConnection& connection, std::string_view sql, const Args&... args) {
  auto statement = query(connection, sql, args...);
  if (!statement.ok()) return std::move(statement).error();
  return statement->step();
}

// The first column of the first row as an integer, or nullopt when there is no row.
template <typename... Args>
Result<std::optional<std::uint64_t>> query_size(SqliteConnection& connection, std::string_view sql,
                                                const Args&... args) {
  auto statement = query(connection, sql, args...);
  if (!statement.ok()) return std::move(statement).error();
  auto row = statement->step();
  BERTH_TRY(row);
  if (!*row) return std::optional<std::uint64_t>();
  return std::optional<std::uint64_t>(static_cast<std::uint64_t>(statement->column_int(0)));
}

// Runs a DELETE and reports whether it removed anything.
template <typename... Args>
Result<bool> delete_rows(SqliteConnection& connection, std::string_view sql, const Args&... args) {
  BERTH_TRY(execute(connection, sql, args...));
  return connection.changes() > 0;
}

// The first column of every row, as text.
template <typename... Args>
Result<std::vector<std::string>> query_names(SqliteConnection& connection, std::string_view sql, const Args&... args) {
  auto statement = query(connection, sql, args...);
  if (!statement.ok()) return std::move(statement).error();
  std::vector<std::string> names;
  for (;;) {
    auto row = statement->step();
    BERTH_TRY(row);
    if (!*row) return names;
    names.emplace_back(statement->column_text(0));
  }
}

// Every row of the query, each read by `read`.
template <typename Read, typename... Args>
auto query_rows(SqliteConnection& connection, std::string_view sql, Read read, const Args&... args)
    -> Result<std::vector<decltype(read(std::declval<const Statement&>()))>> {
  auto statement = query(connection, sql, args...);
  if (!statement.ok()) return std::move(statement).error();
  std::vector<decltype(read(std::declval<const Statement&>()))> rows;
  for (;;) {
    auto row = statement->step();
    BERTH_TRY(row);
    if (!*row) return rows;
    rows.push_back(read(*statement));
  }
}

Result<Digest> column_digest(const Statement& statement, int column) {
  auto digest = Digest::parse(statement.column_text(column));
  if (!digest.ok()) return make_error(ErrorCode::internal, "corrupt digest in metadata: " + digest.error().message);
  return digest;
}

Result<std::optional<Digest>> column_optional_digest(const Statement& statement, int column) {
  if (statement.column_is_null(column)) return std::optional<Digest>();
  auto digest = column_digest(statement, column);
  BERTH_TRY(digest);
  return std::optional<Digest>(std::move(*digest));
}

// The columns manifest_from_row reads, in its order.
constexpr std::string_view kSelectManifests =
    "SELECT repository, digest, media_type, content, subject, artifact_type, annotations, created, last_pulled "
    "FROM manifests ";

std::optional<std::int64_t> column_optional_int(const Statement& row, int column) {
  if (row.column_is_null(column)) return std::nullopt;
  return row.column_int(column);
}

Result<ManifestRecord> manifest_from_row(const Statement& row) {
  auto digest = column_digest(row, 1);
  BERTH_TRY(digest);
  auto subject = column_optional_digest(row, 4);
  BERTH_TRY(subject);
  return ManifestRecord{std::string(row.column_text(0)), std::move(*digest),  std::string(row.column_text(2)),
                        std::string(row.column_blob(3)), std::move(*subject), std::string(row.column_text(5)),
                        std::string(row.column_text(6)), row.column_int(7),   column_optional_int(row, 8)};
}

Result<std::vector<ManifestReference>> manifest_references(SqliteConnection& connection, std::string_view repository,
                                                           const Digest& manifest) {
  auto statement = query(connection,
                         "SELECT child_digest, kind FROM manifest_references "
                         "WHERE repository = ?1 AND manifest_digest = ?2 ORDER BY child_digest",
                         repository, manifest);
  if (!statement.ok()) return std::move(statement).error();
  std::vector<ManifestReference> references;
  for (;;) {
    auto row = statement->step();
    BERTH_TRY(row);
    if (!*row) return references;
    auto digest = column_digest(*statement, 0);
    BERTH_TRY(digest);
    auto kind = statement->column_int(1) == 1 ? ReferenceKind::manifest : ReferenceKind::blob;
    references.push_back(ManifestReference{std::move(*digest), kind});
  }
}

// The columns repository_from_row reads, in its order.
constexpr std::string_view kSelectRepositories =
    "SELECT name, created, tag_mutability, tag_mutability_exclusions, scan_on_push, resource_tags, policy "
    "FROM repositories ";

std::string exclusions_json(const std::vector<std::string>& exclusions) { return nlohmann::json(exclusions).dump(); }

std::optional<std::string_view> optional_view(const std::optional<std::string>& text) {
  if (!text) return std::nullopt;
  return std::string_view(*text);
}

std::string resource_tags_json(const std::vector<std::pair<std::string, std::string>>& tags) {
  nlohmann::json json = nlohmann::json::array();
  for (const auto& [key, value] : tags) json.push_back({key, value});
  return json.dump();
}

Result<RepositoryRecord> repository_from_row(const Statement& row) {
  RepositoryRecord repository;
  repository.name = row.column_text(0);
  repository.created_unix = row.column_int(1);
  const std::int64_t mutability = row.column_int(2);
  if (mutability < 0 || mutability > static_cast<std::int64_t>(TagMutability::mutable_with_exclusion)) {
    return make_error(ErrorCode::internal, "corrupt tag mutability " + std::to_string(mutability));
  }
  repository.settings.tag_mutability = static_cast<TagMutability>(mutability);
  repository.settings.scan_on_push = row.column_int(4) != 0;
  if (!row.column_is_null(6)) repository.settings.policy = std::string(row.column_text(6));
  // Written only by this file, so a value that does not parse is corruption.
  const auto exclusions = nlohmann::json::parse(row.column_text(3), nullptr, false);
  const auto tags = nlohmann::json::parse(row.column_text(5), nullptr, false);
  if (!exclusions.is_array() || !tags.is_array()) {
    return make_error(ErrorCode::internal, "corrupt settings of repository " + repository.name);
  }
  for (const auto& filter : exclusions) {
    if (!filter.is_string()) return make_error(ErrorCode::internal, "corrupt exclusions of " + repository.name);
    repository.settings.tag_mutability_exclusions.push_back(filter.get<std::string>());
  }
  for (const auto& tag : tags) {
    if (!tag.is_array() || tag.size() != 2 || !tag[0].is_string() || !tag[1].is_string()) {
      return make_error(ErrorCode::internal, "corrupt tags of " + repository.name);
    }
    repository.settings.tags.emplace_back(tag[0].get<std::string>(), tag[1].get<std::string>());
  }
  return repository;
}

Result<std::vector<RepositoryRecord>> repositories_from(Statement& statement) {
  std::vector<RepositoryRecord> repositories;
  for (;;) {
    auto row = statement.step();
    BERTH_TRY(row);
    if (!*row) return repositories;
    auto repository = repository_from_row(statement);
    if (!repository.ok()) return std::move(repository).error();
    repositories.push_back(std::move(*repository));
  }
}

Result<std::optional<RepositoryRecord>> find_repository(SqliteConnection& connection, std::string_view name) {
  static const std::string sql = std::string(kSelectRepositories) + "WHERE name = ?1";
  auto statement = query(connection, sql, name);
  if (!statement.ok()) return std::move(statement).error();
  auto found = repositories_from(*statement);
  if (!found.ok()) return std::move(found).error();
  if (found->empty()) return std::optional<RepositoryRecord>();
  return std::optional<RepositoryRecord>(std::move(found->front()));
}

// The columns lifecycle_policies reads, in its order; callers append their conditions with AND.
const std::string kSelectLifecyclePolicies =
    "SELECT name, lifecycle_policy, lifecycle_evaluated FROM repositories WHERE lifecycle_policy IS NOT NULL ";

template <typename... Args>
Result<std::vector<LifecyclePolicyRecord>> lifecycle_policies(SqliteConnection& connection, std::string_view sql,
                                                              const Args&... args) {
  auto statement = query(connection, sql, args...);
  if (!statement.ok()) return std::move(statement).error();
  std::vector<LifecyclePolicyRecord> policies;
  for (;;) {
    auto row = statement->step();
    BERTH_TRY(row);
    if (!*row) return policies;
    LifecyclePolicyRecord policy{std::string(statement->column_text(0)), std::string(statement->column_text(1)), {}};
    if (!statement->column_is_null(2)) policy.evaluated_unix = statement->column_int(2);
    policies.push_back(std::move(policy));
  }
}

// Written only by put_lifecycle_preview, so a value that does not parse is corruption.
Result<std::vector<PreviewExpiry>> preview_expiries(std::string_view text) {
  const auto json = nlohmann::json::parse(text, nullptr, false);
  const Error corrupt = make_error(ErrorCode::internal, "corrupt lifecycle preview");
  if (!json.is_array()) return corrupt;
  std::vector<PreviewExpiry> expiries;
  for (const auto& entry : json) {
    if (!entry.is_object() || !entry.value("digest", nlohmann::json()).is_string() ||
        !entry.value("tags", nlohmann::json()).is_array() || !entry.value("pushed", nlohmann::json()).is_number_integer() ||
        !entry.value("rule", nlohmann::json()).is_number_integer()) {
      return corrupt;
    }
    auto digest = Digest::parse(entry["digest"].get<std::string>());
    if (!digest.ok()) return corrupt;
    PreviewExpiry expiry{std::move(*digest), {}, entry["pushed"].get<std::int64_t>(), entry["rule"].get<std::int64_t>()};
    for (const auto& tag : entry["tags"]) {
      if (!tag.is_string()) return corrupt;
      expiry.tags.push_back(tag.get<std::string>());
    }
    expiries.push_back(std::move(expiry));
  }
  return expiries;
}

Status ensure_repository(SqliteConnection& connection, std::string_view name) {
  return execute(connection, "INSERT INTO repositories (name, created) VALUES (?1, ?2) ON CONFLICT DO NOTHING", name,
                 now_unix());
}

// Runs `work` on a pooled connection.
template <typename Work>
auto with_connection(ConnectionPool& pool, Work&& work) -> decltype(work(std::declval<SqliteConnection&>())) {
  auto connection = pool.acquire();
  if (!connection.ok()) return std::move(connection).error();
  return work(**connection);
}

// Runs `work` in a write transaction that commits only when `work` succeeds.
template <typename Work>
auto in_transaction(ConnectionPool& pool, Work&& work) -> decltype(work(std::declval<SqliteConnection&>())) {
  return with_connection(pool, [&](SqliteConnection& connection) -> decltype(work(connection)) {
    auto transaction = Transaction::begin(connection);
    if (!transaction.ok()) return std::move(transaction).error();
    auto result = work(connection);
    if (!result.ok()) return result;
    BERTH_TRY(transaction->commit());
    return result;
  });
}

}  // namespace

Result<std::unique_ptr<SqliteMetadataStore>> SqliteMetadataStore::open(const std::filesystem::path& db_file) {
  if (db_file.has_parent_path()) {
    std::error_code error;
    std::filesystem::create_directories(db_file.parent_path(), error);
    if (error)
      return make_error(ErrorCode::internal, "create " + db_file.parent_path().string() + ": " + error.message());
  }
  std::unique_ptr<SqliteMetadataStore> store(new SqliteMetadataStore(db_file));
  auto connection = store->pool_.acquire();
  if (!connection.ok()) return std::move(connection).error();
  BERTH_TRY((*connection)->exec("PRAGMA journal_mode = WAL"));
  BERTH_TRY(migrate(**connection));
  return store;
}

Status SqliteMetadataStore::create_repository(std::string_view name) {
  return with_connection(pool_, [&](SqliteConnection& connection) { return ensure_repository(connection, name); });
}

Result<bool> SqliteMetadataStore::add_repository(std::string_view name, const RepositorySettings& settings) {
  return with_connection(pool_, [&](SqliteConnection& connection) -> Result<bool> {
    BERTH_TRY(execute(connection,
                      "INSERT INTO repositories (name, created, tag_mutability, tag_mutability_exclusions, "
                      "scan_on_push, resource_tags, policy) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT DO NOTHING",
                      name, now_unix(), static_cast<std::int64_t>(settings.tag_mutability),
                      std::string_view(exclusions_json(settings.tag_mutability_exclusions)),
                      std::int64_t{settings.scan_on_push}, std::string_view(resource_tags_json(settings.tags)),
                      optional_view(settings.policy)));
    return connection.changes() > 0;
  });
}

Result<std::optional<RepositoryRecord>> SqliteMetadataStore::get_repository(std::string_view name) {
  return with_connection(pool_, [&](SqliteConnection& connection) { return find_repository(connection, name); });
}

Result<std::optional<std::string>> SqliteMetadataStore::get_repository_policy(std::string_view name) {
  return with_connection(pool_, [&](SqliteConnection& connection) -> Result<std::optional<std::string>> {
    auto statement = query(connection, "SELECT policy FROM repositories WHERE name = ?1", name);
    if (!statement.ok()) return std::move(statement).error();
    auto row = statement->step();
    BERTH_TRY(row);
    if (!*row || statement->column_is_null(0)) return std::optional<std::string>();
    return std::optional<std::string>(statement->column_text(0));
  });
}

Result<bool> SqliteMetadataStore::set_tag_mutability(std::string_view name, TagMutability mutability,
                                                     const std::vector<std::string>& exclusions) {
  return with_connection(pool_, [&](SqliteConnection& connection) -> Result<bool> {
    BERTH_TRY(execute(connection,
                      "UPDATE repositories SET tag_mutability = ?2, tag_mutability_exclusions = ?3 WHERE name = ?1",
                      name, static_cast<std::int64_t>(mutability), std::string_view(exclusions_json(exclusions))));
    return connection.changes() > 0;
  });
}

Result<std::optional<RepositorySettings>> SqliteMetadataStore::update_repository_settings(
    std::string_view name, const std::function<Status(RepositorySettings&)>& change) {
  return in_transaction(pool_, [&](SqliteConnection& connection) -> Result<std::optional<RepositorySettings>> {
    auto found = find_repository(connection, name);
    if (!found.ok()) return std::move(found).error();
    if (!found->has_value()) return std::optional<RepositorySettings>();
    RepositorySettings settings = std::move((*found)->settings);
    BERTH_TRY(change(settings));
    BERTH_TRY(execute(connection,
                      "UPDATE repositories SET tag_mutability = ?2, tag_mutability_exclusions = ?3, "
                      "scan_on_push = ?4, resource_tags = ?5, policy = ?6 WHERE name = ?1",
                      name, static_cast<std::int64_t>(settings.tag_mutability),
                      std::string_view(exclusions_json(settings.tag_mutability_exclusions)),
                      std::int64_t{settings.scan_on_push}, std::string_view(resource_tags_json(settings.tags)),
                      optional_view(settings.policy)));
    return std::optional<RepositorySettings>(std::move(settings));
  });
}

Result<bool> SqliteMetadataStore::set_lifecycle_policy(std::string_view repository, std::string_view text) {
  return with_connection(pool_, [&](SqliteConnection& connection) -> Result<bool> {
    BERTH_TRY(execute(connection, "UPDATE repositories SET lifecycle_policy = ?2 WHERE name = ?1", repository, text));
    return connection.changes() > 0;
  });
}

Result<std::optional<LifecyclePolicyRecord>> SqliteMetadataStore::get_lifecycle_policy(std::string_view repository) {
  return with_connection(pool_, [&](SqliteConnection& connection) -> Result<std::optional<LifecyclePolicyRecord>> {
    auto found = lifecycle_policies(connection, kSelectLifecyclePolicies + "AND name = ?1", repository);
    if (!found.ok()) return std::move(found).error();
    if (found->empty()) return std::optional<LifecyclePolicyRecord>();
    return std::optional<LifecyclePolicyRecord>(std::move(found->front()));
  });
}

Result<std::optional<LifecyclePolicyRecord>> SqliteMetadataStore::delete_lifecycle_policy(
    std::string_view repository) {
  return in_transaction(pool_, [&](SqliteConnection& connection) -> Result<std::optional<LifecyclePolicyRecord>> {
    auto found = lifecycle_policies(connection, kSelectLifecyclePolicies + "AND name = ?1", repository);
    if (!found.ok()) return std::move(found).error();
    if (found->empty()) return std::optional<LifecyclePolicyRecord>();
    BERTH_TRY(execute(connection, "UPDATE repositories SET lifecycle_policy = NULL WHERE name = ?1", repository));
    return std::optional<LifecyclePolicyRecord>(std::move(found->front()));
  });
}

Result<std::vector<LifecyclePolicyRecord>> SqliteMetadataStore::list_lifecycle_policies(std::string_view after,
                                                                                       std::size_t limit) {
  return with_connection(pool_, [&](SqliteConnection& connection) {
    return lifecycle_policies(connection, kSelectLifecyclePolicies + "AND name > ?1 ORDER BY name LIMIT ?2", after,
                              sql_limit(limit));
  });
}

Status SqliteMetadataStore::record_lifecycle_evaluation(std::string_view repository, std::int64_t time_unix) {
  return with_connection(pool_, [&](SqliteConnection& connection) {
    return execute(connection, "UPDATE repositories SET lifecycle_evaluated = ?2 WHERE name = ?1", repository,
                   time_unix);
  });
}

Status SqliteMetadataStore::put_lifecycle_preview(const LifecyclePreview& preview) {
  return in_transaction(pool_, [&](SqliteConnection& connection) -> Status {
    auto exists = has_row(connection, "SELECT 1 FROM repositories WHERE name = ?1", std::string_view(preview.repository));
    BERTH_TRY(exists);
    if (!*exists) return make_error(ErrorCode::name_unknown, "repository not known: " + preview.repository);
    nlohmann::json expiries = nlohmann::json::array();
    for (const PreviewExpiry& expiry : preview.expiries) {
      expiries.push_back({{"digest", expiry.digest.str()},
                          {"tags", expiry.tags},
                          {"pushed", expiry.pushed_unix},
                          {"rule", expiry.rule_priority}});
    }
    return execute(connection,
                   "INSERT OR REPLACE INTO lifecycle_previews (repository, policy, expiries, created) "
                   "VALUES (?1, ?2, ?3, ?4)",
                   std::string_view(preview.repository), std::string_view(preview.policy_text),
                   std::string_view(expiries.dump()), now_unix());
  });
}

Result<std::optional<LifecyclePreview>> SqliteMetadataStore::get_lifecycle_preview(std::string_view repository) {
  return with_connection(pool_, [&](SqliteConnection& connection) -> Result<std::optional<LifecyclePreview>> {
    auto statement = query(connection,
                           "SELECT policy, expiries, created FROM lifecycle_previews WHERE repository = ?1",
                           repository);
    if (!statement.ok()) return std::move(statement).error();
    auto row = statement->step();
    BERTH_TRY(row);
    if (!*row) return std::optional<LifecyclePreview>();
    LifecyclePreview preview{std::string(repository), std::string(statement->column_text(0)), {},
                             statement->column_int(2)};
    auto expiries = preview_expiries(statement->column_text(1));
    if (!expiries.ok()) return std::move(expiries).error();
    preview.expiries = std::move(*expiries);
    return std::optional<LifecyclePreview>(std::move(preview));
  });
}

Result<bool> SqliteMetadataStore::repository_exists(std::string_view name) {
  return with_connection(pool_, [&](SqliteConnection& connection) {
    return has_row(connection, "SELECT 1 FROM repositories WHERE name = ?1", name);
  });
}

Status SqliteMetadataStore::delete_repository(std::string_view name, bool force) {
  return in_transaction(pool_, [&](SqliteConnection& connection) -> Status {
    auto exists = has_row(connection, "SELECT 1 FROM repositories WHERE name = ?1", name);
    BERTH_TRY(exists);
    if (!*exists) return make_error(ErrorCode::name_unknown, "repository not known: " + std::string(name));
    if (!force) {
      auto holds_manifests = has_row(connection, "SELECT 1 FROM manifests WHERE repository = ?1 LIMIT 1", name);
      BERTH_TRY(holds_manifests);
      if (*holds_manifests) {
        return make_error(ErrorCode::conflict, "repository still holds images: " + std::string(name));
      }
    }
    return execute(connection, "DELETE FROM repositories WHERE name = ?1", name);
  });
}

Result<std::vector<std::string>> SqliteMetadataStore::list_repositories(std::string_view after, std::size_t limit) {
  return with_connection(pool_, [&](SqliteConnection& connection) {
    return query_names(connection, "SELECT name FROM repositories WHERE name > ?1 ORDER BY name LIMIT ?2", after,
                       sql_limit(limit));
  });
}

Result<std::vector<RepositoryRecord>> SqliteMetadataStore::list_repository_records(std::string_view after,
                                                                                  std::size_t limit) {
  return with_connection(pool_, [&](SqliteConnection& connection) -> Result<std::vector<RepositoryRecord>> {
    static const std::string sql = std::string(kSelectRepositories) + "WHERE name > ?1 ORDER BY name LIMIT ?2";
    auto statement = query(connection, sql, after, sql_limit(limit));
    if (!statement.ok()) return std::move(statement).error();
    return repositories_from(*statement);
  });
}

Status SqliteMetadataStore::link_blob(std::string_view repository, const Digest& digest, std::uint64_t size) {
  return in_transaction(pool_, [&](SqliteConnection& connection) -> Status {
    BERTH_TRY(ensure_repository(connection, repository));
    return execute(connection,
                   "INSERT INTO repository_blobs (repository, digest, size) VALUES (?1, ?2, ?3) "
                   "ON CONFLICT DO NOTHING",
                   repository, digest, static_cast<std::int64_t>(size));
  });
}

Result<std::optional<std::uint64_t>> SqliteMetadataStore::linked_blob(std::string_view repository,
                                                                      const Digest& digest) {
  return with_connection(pool_, [&](SqliteConnection& connection) {
    return query_size(connection, "SELECT size FROM repository_blobs WHERE repository = ?1 AND digest = ?2", repository,
                      digest);
  });
}

Result<std::optional<std::uint64_t>> SqliteMetadataStore::known_blob(const Digest& digest) {
  return with_connection(pool_, [&](SqliteConnection& connection) {
    return query_size(connection, "SELECT size FROM repository_blobs WHERE digest = ?1 LIMIT 1", digest);
  });
}

Result<bool> SqliteMetadataStore::unlink_blob(std::string_view repository, const Digest& digest) {
  return with_connection(pool_, [&](SqliteConnection& connection) {
    return delete_rows(connection, "DELETE FROM repository_blobs WHERE repository = ?1 AND digest = ?2", repository,
                       digest);
  });
}

namespace {

// Upserts the blob's review with `used` = now. The review keeps the blob for the upload grace.
Status mark_used(SqliteConnection& connection, const Digest& digest) {
  return execute(connection,
                 "INSERT INTO gc_blob_reviews (digest, used) VALUES (?1, ?2) "
                 "ON CONFLICT (digest) DO UPDATE SET used = excluded.used",
                 digest, now_unix());
}

constexpr std::string_view kSelectLinkSize = "SELECT size FROM repository_blobs WHERE repository = ?1 AND digest = ?2";

}  // namespace

Result<std::optional<std::uint64_t>> SqliteMetadataStore::linked_blob_for_reuse(std::string_view repository,
                                                                                const Digest& digest,
                                                                                std::chrono::seconds remark_after) {
  return with_connection(pool_, [&](SqliteConnection& connection) -> Result<std::optional<std::uint64_t>> {
    auto size = query_size(connection, kSelectLinkSize, repository, digest);
    if (!size.ok() || !*size) return size;
    // Only a blob awaiting review can be collected; the others need no write, nor does one marked
    // moments ago (a layer uploaded by this push, checked again by the next).
    auto reviewed = has_row(connection, "SELECT 1 FROM gc_blob_reviews WHERE digest = ?1 AND used <= ?2", digest,
                            now_unix() - remark_after.count());
    BERTH_TRY(reviewed);
    if (!*reviewed) return size;
    auto transaction = Transaction::begin(connection);
    if (!transaction.ok()) return std::move(transaction).error();
    // Again inside the transaction: a collection may have deleted the link since.
    size = query_size(connection, kSelectLinkSize, repository, digest);
    if (!size.ok() || !*size) return size;
    BERTH_TRY(mark_used(connection, digest));
    BERTH_TRY(transaction->commit());
    return size;
  });
}

Result<std::optional<std::uint64_t>> SqliteMetadataStore::mount_blob(std::string_view repository,
                                                                     std::optional<std::string_view> source,
                                                                     const Digest& digest) {
  return in_transaction(pool_, [&](SqliteConnection& connection) -> Result<std::optional<std::uint64_t>> {
    auto size = source ? query_size(connection, kSelectLinkSize, *source, digest)
                       : query_size(connection, "SELECT size FROM repository_blobs WHERE digest = ?1 LIMIT 1", digest);
    if (!size.ok() || !*size) return size;
    BERTH_TRY(ensure_repository(connection, repository));
    BERTH_TRY(execute(connection,
                      "INSERT INTO repository_blobs (repository, digest, size) VALUES (?1, ?2, ?3) "
                      "ON CONFLICT DO NOTHING",
                      repository, digest, static_cast<std::int64_t>(**size)));
    BERTH_TRY(mark_used(connection, digest));
    return size;
  });
}

Status SqliteMetadataStore::mark_blob_used(const Digest& digest, const std::function<Status()>& remove_bytes) {
  return in_transaction(pool_, [&](SqliteConnection& connection) -> Status {
    auto condemned = has_row(connection, "SELECT 1 FROM gc_blob_reviews WHERE digest = ?1 AND condemned = 1", digest);
    BERTH_TRY(condemned);
    if (*condemned) {
      BERTH_TRY(remove_bytes());
      BERTH_TRY(execute(connection, "UPDATE gc_blob_reviews SET condemned = 0 WHERE digest = ?1", digest));
    }
    return mark_used(connection, digest);
  });
}

namespace {

Status store_manifest(SqliteConnection& connection, const ManifestRecord& manifest,
                      const std::vector<ManifestReference>& references, std::optional<std::string_view> tag) {
  BERTH_TRY(ensure_repository(connection, manifest.repository));
  // The digest names the content, so a second put of the same digest changes nothing.
  BERTH_TRY(execute(connection,
                    "INSERT INTO manifests (repository, digest, media_type, content, subject, artifact_type, "
                    "annotations, created) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT DO NOTHING",
                    std::string_view(manifest.repository), manifest.digest, std::string_view(manifest.media_type),
                    Bytes{manifest.content}, manifest.subject, std::string_view(manifest.artifact_type),
                    std::string_view(manifest.annotations_json), manifest.created_unix));
  // The references follow from the content, so a second put adds none; deleting them first would
  // queue every blob of the manifest for review on each push of it.
  for (const auto& reference : references) {
    const bool is_manifest = reference.kind == ReferenceKind::manifest;
    auto present = has_row(connection,
                           is_manifest ? "SELECT 1 FROM manifests WHERE repository = ?1 AND digest = ?2"
                                       : "SELECT 1 FROM repository_blobs WHERE repository = ?1 AND digest = ?2",
                           std::string_view(manifest.repository), reference.digest);
    BERTH_TRY(present);
    if (!*present) {
      const std::string digest = reference.digest.str();
      return make_error(ErrorCode::manifest_blob_unknown, "manifest references unknown content " + digest,
                        R"({"digest":")" + digest + "\"}");
    }
    BERTH_TRY(execute(connection,
                      "INSERT INTO manifest_references (repository, manifest_digest, child_digest, kind) "
                      "VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING",
                      std::string_view(manifest.repository), manifest.digest, reference.digest,
                      std::int64_t{reference.kind == ReferenceKind::manifest ? 1 : 0}));
  }
  if (!tag) return {};
  return execute(connection,
                 "INSERT INTO tags (repository, tag, digest, updated) VALUES (?1, ?2, ?3, ?4) "
                 "ON CONFLICT (repository, tag) DO UPDATE SET digest = excluded.digest, updated = excluded.updated",
                 std::string_view(manifest.repository), *tag, manifest.digest, now_unix());
}

Result<std::optional<Digest>> tag_target(SqliteConnection& connection, std::string_view repository,
                                         std::string_view tag) {
  auto statement = query(connection, "SELECT digest FROM tags WHERE repository = ?1 AND tag = ?2", repository, tag);
  if (!statement.ok()) return std::move(statement).error();
  auto row = statement->step();
  BERTH_TRY(row);
  if (!*row) return std::optional<Digest>();
  return column_optional_digest(*statement, 0);
}

}  // namespace

Status SqliteMetadataStore::put_manifest(const ManifestRecord& manifest,
                                         const std::vector<ManifestReference>& references,
                                         std::optional<std::string_view> tag) {
  return in_transaction(pool_, [&](SqliteConnection& connection) {
    return store_manifest(connection, manifest, references, tag);
  });
}

Status SqliteMetadataStore::put_manifest_keeping_tag(const ManifestRecord& manifest,
                                                     const std::vector<ManifestReference>& references,
                                                     std::string_view tag) {
  return in_transaction(pool_, [&](SqliteConnection& connection) -> Status {
    auto current = tag_target(connection, manifest.repository, tag);
    if (!current.ok()) return std::move(current).error();
    if (*current && **current != manifest.digest) {
      return make_error(ErrorCode::conflict, "tag " + std::string(tag) + " already points at " + (*current)->str());
    }
    return store_manifest(connection, manifest, references, tag);
  });
}

Result<std::optional<ManifestRecord>> SqliteMetadataStore::get_manifest(std::string_view repository,
                                                                        const Digest& digest) {
  return with_connection(pool_, [&](SqliteConnection& connection) -> Result<std::optional<ManifestRecord>> {
    static const std::string sql = std::string(kSelectManifests) + "WHERE repository = ?1 AND digest = ?2";
    auto statement = query(connection, sql, repository, digest);
    if (!statement.ok()) return std::move(statement).error();
    auto row = statement->step();
    BERTH_TRY(row);
    if (!*row) return std::optional<ManifestRecord>();
    auto manifest = manifest_from_row(*statement);
    if (!manifest.ok()) return std::move(manifest).error();
    return std::optional<ManifestRecord>(std::move(*manifest));
  });
}

Status SqliteMetadataStore::record_manifest_pull(std::string_view repository, const Digest& digest,
                                                 std::int64_t pulled_unix) {
  return with_connection(pool_, [&](SqliteConnection& connection) {
    return execute(connection,
                   "UPDATE manifests SET last_pulled = ?3 "
                   "WHERE repository = ?1 AND digest = ?2 AND coalesce(last_pulled, 0) < ?3",
                   repository, digest, pulled_unix);
  });
}

Result<bool> SqliteMetadataStore::manifest_exists(std::string_view repository, const Digest& digest) {
  return with_connection(pool_, [&](SqliteConnection& connection) {
    return has_row(connection, "SELECT 1 FROM manifests WHERE repository = ?1 AND digest = ?2", repository, digest);
  });
}

Result<std::uint64_t> SqliteMetadataStore::count_manifests(std::string_view repository) {
  return with_connection(pool_, [&](SqliteConnection& connection) -> Result<std::uint64_t> {
    auto statement = query(connection, "SELECT count(*) FROM manifests WHERE repository = ?1", repository);
    if (!statement.ok()) return std::move(statement).error();
    auto row = statement->step();
    BERTH_TRY(row);
    return static_cast<std::uint64_t>(statement->column_int(0));
  });
}

Result<std::optional<Digest>> SqliteMetadataStore::resolve_tag(std::string_view repository, std::string_view tag) {
  return with_connection(pool_, [&](SqliteConnection& connection) { return tag_target(connection, repository, tag); });
}

Result<bool> SqliteMetadataStore::delete_manifest(std::string_view repository, const Digest& digest) {
  // Tags and references go with it (ON DELETE CASCADE).
  return with_connection(pool_, [&](SqliteConnection& connection) {
    return delete_rows(connection, "DELETE FROM manifests WHERE repository = ?1 AND digest = ?2", repository, digest);
  });
}

Result<ManifestDeletion> SqliteMetadataStore::delete_unlisted_manifest(std::string_view repository,
                                                                      const Digest& digest) {
  return in_transaction(pool_, [&](SqliteConnection& connection) -> Result<ManifestDeletion> {
    auto parents = query_names(connection,
                               "SELECT manifest_digest FROM manifest_references WHERE repository = ?1 AND "
                               "child_digest = ?2 AND kind = 1 ORDER BY manifest_digest",
                               repository, digest);
    BERTH_TRY(parents);
    ManifestDeletion deletion;
    for (const std::string& parent : *parents) {
      auto parsed = Digest::parse(parent);
      if (!parsed) return make_error(ErrorCode::internal, "corrupt digest in metadata: " + parsed.error().message);
      deletion.listed_by.push_back(std::move(*parsed));
    }
    if (!deletion.listed_by.empty()) return deletion;
    auto deleted =
        delete_rows(connection, "DELETE FROM manifests WHERE repository = ?1 AND digest = ?2", repository, digest);
    BERTH_TRY(deleted);
    deletion.deleted = *deleted;
    return deletion;
  });
}

Result<bool> SqliteMetadataStore::delete_tag(std::string_view repository, std::string_view tag) {
  return with_connection(pool_, [&](SqliteConnection& connection) {
    return delete_rows(connection, "DELETE FROM tags WHERE repository = ?1 AND tag = ?2", repository, tag);
  });
}

Result<std::optional<Digest>> SqliteMetadataStore::untag_image(std::string_view repository, std::string_view tag) {
  return in_transaction(pool_, [&](SqliteConnection& connection) -> Result<std::optional<Digest>> {
    auto target = tag_target(connection, repository, tag);
    if (!target.ok() || !*target) return target;
    BERTH_TRY(execute(connection, "DELETE FROM tags WHERE repository = ?1 AND tag = ?2", repository, tag));
    // References and referrer links go with the manifest (ON DELETE CASCADE).
    BERTH_TRY(execute(connection,
                      "DELETE FROM manifests WHERE repository = ?1 AND digest = ?2 AND NOT EXISTS "
                      "(SELECT 1 FROM tags WHERE repository = ?1 AND digest = ?2)",
                      repository, **target));
    return target;
  });
}

Result<std::vector<std::string>> SqliteMetadataStore::list_tags(std::string_view repository, std::string_view after,
                                                                std::size_t limit) {
  return with_connection(pool_, [&](SqliteConnection& connection) {
    return query_names(connection, "SELECT tag FROM tags WHERE repository = ?1 AND tag > ?2 ORDER BY tag LIMIT ?3",
                       repository, after, sql_limit(limit));
  });
}

Result<std::vector<ReferrerRecord>> SqliteMetadataStore::referrers(std::string_view repository, const Digest& subject,
                                                                   std::optional<std::string_view> artifact_type) {
  return with_connection(pool_, [&](SqliteConnection& connection) -> Result<std::vector<ReferrerRecord>> {
    auto statement = query(connection,
                           "SELECT digest, media_type, length(content), artifact_type, annotations FROM manifests "
                           "WHERE repository = ?1 AND subject = ?2 AND (?3 IS NULL OR artifact_type = ?3) "
                           "ORDER BY digest",
                           repository, subject, artifact_type);
    if (!statement.ok()) return std::move(statement).error();
    std::vector<ReferrerRecord> records;
    for (;;) {
      auto row = statement->step();
      BERTH_TRY(row);
      if (!*row) return records;
      auto digest = column_digest(*statement, 0);
      BERTH_TRY(digest);
      records.push_back(ReferrerRecord{std::move(*digest), std::string(statement->column_text(1)),
                                       static_cast<std::uint64_t>(statement->column_int(2)),
                                       std::string(statement->column_text(3)), std::string(statement->column_text(4))});
    }
  });
}

Result<std::vector<ImageRecord>> SqliteMetadataStore::list_images(std::string_view repository,
                                                                  std::string_view after_digest, std::size_t limit) {
  return with_connection(pool_, [&](SqliteConnection& connection) -> Result<std::vector<ImageRecord>> {
    // A blob has one size whichever repository links it, so any link answers for it.
    auto statement = query(connection,
                           "SELECT m.digest, m.media_type, m.artifact_type, length(m.content), m.subject, m.created, "
                           "m.last_pulled, "
                           "(SELECT coalesce(sum((SELECT b.size FROM repository_blobs b "
                           "WHERE b.digest = r.child_digest LIMIT 1)), 0) "
                           "FROM manifest_references r "
                           "WHERE r.repository = m.repository AND r.manifest_digest = m.digest AND r.kind = 0) "
                           "FROM manifests m WHERE m.repository = ?1 AND m.digest > ?2 ORDER BY m.digest LIMIT ?3",
                           repository, after_digest, sql_limit(limit));
    if (!statement.ok()) return std::move(statement).error();
    std::vector<ImageRecord> images;
    for (;;) {
      auto row = statement->step();
      BERTH_TRY(row);
      if (!*row) return images;
      auto digest = column_digest(*statement, 0);
      BERTH_TRY(digest);
      auto subject = column_optional_digest(*statement, 4);
      BERTH_TRY(subject);
      ImageRecord image{std::move(*digest),
                        std::string(statement->column_text(1)),
                        std::string(statement->column_text(2)),
                        static_cast<std::uint64_t>(statement->column_int(3)),
                        static_cast<std::uint64_t>(statement->column_int(7)),
                        {},
                        {},
                        std::move(*subject),
                        statement->column_int(5),
                        column_optional_int(*statement, 6)};
      auto references = manifest_references(connection, repository, image.digest);
      if (!references.ok()) return std::move(references).error();
      for (auto& reference : *references) {
        if (reference.kind == ReferenceKind::manifest) image.child_manifests.push_back(std::move(reference.digest));
      }
      auto tags = query_names(connection, "SELECT tag FROM tags WHERE repository = ?1 AND digest = ?2 ORDER BY tag",
                              repository, image.digest);
      if (!tags.ok()) return std::move(tags).error();
      image.tags = std::move(*tags);
      images.push_back(std::move(image));
    }
  });
}

Status SqliteMetadataStore::for_each_manifest(
    const std::function<void(const ManifestRecord&, const std::vector<ManifestReference>&)>& visit) {
  return with_connection(pool_, [&](SqliteConnection& connection) -> Status {
    static const std::string sql = std::string(kSelectManifests) + "ORDER BY repository, digest";
    auto statement = query(connection, sql);
    if (!statement.ok()) return std::move(statement).error();
    for (;;) {
      auto row = statement->step();
      BERTH_TRY(row);
      if (!*row) return {};
      auto manifest = manifest_from_row(*statement);
      if (!manifest.ok()) return std::move(manifest).error();
      auto references = manifest_references(connection, manifest->repository, manifest->digest);
      if (!references.ok()) return std::move(references).error();
      visit(*manifest, *references);
    }
  });
}

Status SqliteMetadataStore::for_each_tag(const std::function<void(const TagRecord&)>& visit) {
  return with_connection(pool_, [&](SqliteConnection& connection) -> Status {
    auto statement = query(connection, "SELECT repository, tag, digest FROM tags ORDER BY repository, tag");
    if (!statement.ok()) return std::move(statement).error();
    for (;;) {
      auto row = statement->step();
      BERTH_TRY(row);
      if (!*row) return {};
      auto digest = column_digest(*statement, 2);
      BERTH_TRY(digest);
      visit(TagRecord{std::string(statement->column_text(0)), std::string(statement->column_text(1)),
                      std::move(*digest)});
    }
  });
}

Status SqliteMetadataStore::for_each_blob_link(
    const std::function<void(std::string_view repository, const Digest&, std::uint64_t size)>& visit) {
  return with_connection(pool_, [&](SqliteConnection& connection) -> Status {
    auto statement =
        query(connection, "SELECT repository, digest, size FROM repository_blobs ORDER BY repository, digest");
    if (!statement.ok()) return std::move(statement).error();
    for (;;) {
      auto row = statement->step();
      BERTH_TRY(row);
      if (!*row) return {};
      auto digest = column_digest(*statement, 1);
      BERTH_TRY(digest);
      visit(statement->column_text(0), *digest, static_cast<std::uint64_t>(statement->column_int(2)));
    }
  });
}

Status SqliteMetadataStore::create_upload(const UploadRecord& upload) {
  return in_transaction(pool_, [&](SqliteConnection& connection) -> Status {
    BERTH_TRY(ensure_repository(connection, upload.repository));
    return execute(connection, "INSERT INTO uploads (id, repository, created) VALUES (?1, ?2, ?3)",
                   std::string_view(upload.id), std::string_view(upload.repository), upload.created_unix);
  });
}

Result<std::optional<UploadRecord>> SqliteMetadataStore::get_upload(std::string_view id) {
  return with_connection(pool_, [&](SqliteConnection& connection) -> Result<std::optional<UploadRecord>> {
    auto statement = query(connection, "SELECT repository, created FROM uploads WHERE id = ?1", id);
    if (!statement.ok()) return std::move(statement).error();
    auto row = statement->step();
    BERTH_TRY(row);
    if (!*row) return std::optional<UploadRecord>();
    return std::optional<UploadRecord>(
        UploadRecord{std::string(id), std::string(statement->column_text(0)), statement->column_int(1)});
  });
}

Status SqliteMetadataStore::delete_upload(std::string_view id) {
  return with_connection(pool_, [&](SqliteConnection& connection) {
    return execute(connection, "DELETE FROM uploads WHERE id = ?1", id);
  });
}

Result<std::vector<UploadRecord>> SqliteMetadataStore::uploads_created_before(std::int64_t created_before,
                                                                              std::size_t limit) {
  return with_connection(pool_, [&](SqliteConnection& connection) -> Result<std::vector<UploadRecord>> {
    auto statement = query(connection,
                           "SELECT id, repository, created FROM uploads WHERE created < ?1 ORDER BY created, id LIMIT ?2",
                           created_before, sql_limit(limit));
    if (!statement.ok()) return std::move(statement).error();
    std::vector<UploadRecord> uploads;
    for (;;) {
      auto row = statement->step();
      BERTH_TRY(row);
      if (!*row) return uploads;
      uploads.push_back(UploadRecord{std::string(statement->column_text(0)), std::string(statement->column_text(1)),
                                     statement->column_int(2)});
    }
  });
}

namespace {

// A blob review that is due and whose blob no manifest references.
constexpr std::string_view kBlobCollectable =
    "SELECT 1 FROM gc_blob_reviews WHERE digest = ?1 AND condemned = 0 AND unreferenced <= ?2 AND used <= ?3 "
    "AND NOT EXISTS (SELECT 1 FROM manifest_references WHERE child_digest = ?1)";

// A manifest review that is due, of a manifest still stored that nothing keeps: no tag, no index of
// its repository, no stored subject.
constexpr std::string_view kManifestCollectable =
    "SELECT 1 FROM gc_manifest_reviews r JOIN manifests m ON m.repository = r.repository AND m.digest = r.digest "
    "WHERE r.repository = ?1 AND r.digest = ?2 AND r.unreferenced <= ?3 "
    "AND NOT EXISTS (SELECT 1 FROM tags WHERE repository = ?1 AND digest = ?2) "
    "AND NOT EXISTS (SELECT 1 FROM manifest_references WHERE repository = ?1 AND child_digest = ?2 AND kind = 1) "
    "AND (m.subject IS NULL OR NOT EXISTS (SELECT 1 FROM manifests WHERE repository = ?1 AND digest = m.subject))";

Result<bool> blob_collectable(SqliteConnection& connection, const Digest& digest, const GcCutoffs& cutoffs) {
  return has_row(connection, kBlobCollectable, digest, cutoffs.unreferenced_before, cutoffs.used_before);
}

Result<bool> manifest_collectable(SqliteConnection& connection, const ManifestKey& key,
                                  std::int64_t unreferenced_before) {
  return has_row(connection, kManifestCollectable, std::string_view(key.repository), key.digest, unreferenced_before);
}

// The first column of every row, as digests.
Result<std::vector<Digest>> digests_from(Statement& statement) {
  std::vector<Digest> digests;
  for (;;) {
    auto row = statement.step();
    BERTH_TRY(row);
    if (!*row) return digests;
    auto digest = column_digest(statement, 0);
    BERTH_TRY(digest);
    digests.push_back(std::move(*digest));
  }
}

// The items of `items` for which `keep` answers true.
template <typename Item, typename Keep>
Result<std::vector<Item>> select_items(std::span<const Item> items, Keep&& keep) {
  std::vector<Item> selected;
  for (const Item& item : items) {
    auto kept = keep(item);
    BERTH_TRY(kept);
    if (*kept) selected.push_back(item);
  }
  return selected;
}

}  // namespace

Result<std::vector<Digest>> SqliteMetadataStore::due_blob_reviews(const GcCutoffs& cutoffs, std::string_view after,
                                                                  std::size_t limit) {
  return with_connection(pool_, [&](SqliteConnection& connection) -> Result<std::vector<Digest>> {
    auto statement = query(connection,
                           "SELECT digest FROM gc_blob_reviews WHERE digest > ?1 AND condemned = 0 "
                           "AND unreferenced <= ?2 AND used <= ?3 ORDER BY digest LIMIT ?4",
                           after, cutoffs.unreferenced_before, cutoffs.used_before, sql_limit(limit));
    if (!statement.ok()) return std::move(statement).error();
    return digests_from(*statement);
  });
}

Result<std::vector<Digest>> SqliteMetadataStore::collectable_blobs(std::span<const Digest> digests,
                                                                   const GcCutoffs& cutoffs) {
  return with_connection(pool_, [&](SqliteConnection& connection) {
    return select_items(digests, [&](const Digest& digest) { return blob_collectable(connection, digest, cutoffs); });
  });
}

Result<std::vector<Digest>> SqliteMetadataStore::condemn_blobs(std::span<const Digest> digests,
                                                               const GcCutoffs& cutoffs) {
  return in_transaction(pool_, [&](SqliteConnection& connection) -> Result<std::vector<Digest>> {
    std::vector<Digest> condemned;
    for (const Digest& digest : digests) {
      auto collectable = blob_collectable(connection, digest, cutoffs);
      BERTH_TRY(collectable);
      if (!*collectable) {
        BERTH_TRY(execute(connection,
                          "DELETE FROM gc_blob_reviews WHERE digest = ?1 AND condemned = 0 AND unreferenced <= ?2 "
                          "AND used <= ?3",
                          digest, cutoffs.unreferenced_before, cutoffs.used_before));
        continue;
      }
      // The trigger touches the review as each link goes; the mark comes after them.
      BERTH_TRY(execute(connection, "DELETE FROM repository_blobs WHERE digest = ?1", digest));
      BERTH_TRY(execute(connection, "UPDATE gc_blob_reviews SET condemned = 1 WHERE digest = ?1", digest));
      condemned.push_back(digest);
    }
    return condemned;
  });
}

Result<std::vector<Digest>> SqliteMetadataStore::condemned_blobs(std::string_view after, std::size_t limit) {
  return with_connection(pool_, [&](SqliteConnection& connection) -> Result<std::vector<Digest>> {
    auto statement = query(connection,
                           "SELECT digest FROM gc_blob_reviews WHERE digest > ?1 AND condemned = 1 "
                           "ORDER BY digest LIMIT ?2",
                           after, sql_limit(limit));
    if (!statement.ok()) return std::move(statement).error();
    return digests_from(*statement);
  });
}

Result<std::vector<Digest>> SqliteMetadataStore::remove_condemned_blobs(
    std::span<const Digest> digests, const std::function<Status(const Digest&)>& remove_bytes) {
  return in_transaction(pool_, [&](SqliteConnection& connection) -> Result<std::vector<Digest>> {
    std::vector<Digest> removed;
    for (const Digest& digest : digests) {
      // An upload may have reprieved it since (mark_blob_used): its bytes are the upload's now.
      auto condemned = has_row(connection, "SELECT 1 FROM gc_blob_reviews WHERE digest = ?1 AND condemned = 1", digest);
      BERTH_TRY(condemned);
      if (!*condemned || !remove_bytes(digest).ok()) continue;
      BERTH_TRY(execute(connection, "DELETE FROM gc_blob_reviews WHERE digest = ?1", digest));
      removed.push_back(digest);
    }
    return removed;
  });
}

Result<std::vector<ManifestKey>> SqliteMetadataStore::due_manifest_reviews(std::int64_t unreferenced_before,
                                                                           const std::optional<ManifestKey>& after,
                                                                           std::size_t limit) {
  return with_connection(pool_, [&](SqliteConnection& connection) -> Result<std::vector<ManifestKey>> {
    const std::string after_digest = after ? after->digest.str() : std::string();
    auto statement = query(connection,
                           "SELECT repository, digest FROM gc_manifest_reviews "
                           "WHERE (repository, digest) > (?1, ?2) AND unreferenced <= ?3 "
                           "ORDER BY repository, digest LIMIT ?4",
                           std::string_view(after ? after->repository : std::string()), std::string_view(after_digest),
                           unreferenced_before, sql_limit(limit));
    if (!statement.ok()) return std::move(statement).error();
    std::vector<ManifestKey> keys;
    for (;;) {
      auto row = statement->step();
      BERTH_TRY(row);
      if (!*row) return keys;
      auto digest = column_digest(*statement, 1);
      BERTH_TRY(digest);
      keys.push_back(ManifestKey{std::string(statement->column_text(0)), std::move(*digest)});
    }
  });
}

Result<std::vector<ManifestKey>> SqliteMetadataStore::collectable_manifests(std::span<const ManifestKey> keys,
                                                                            std::int64_t unreferenced_before) {
  return with_connection(pool_, [&](SqliteConnection& connection) {
    return select_items(keys, [&](const ManifestKey& key) {
      return manifest_collectable(connection, key, unreferenced_before);
    });
  });
}

Result<std::vector<ManifestKey>> SqliteMetadataStore::collect_manifests(std::span<const ManifestKey> keys,
                                                                        std::int64_t unreferenced_before) {
  return in_transaction(pool_, [&](SqliteConnection& connection) -> Result<std::vector<ManifestKey>> {
    std::vector<ManifestKey> deleted;
    for (const ManifestKey& key : keys) {
      const std::string_view repository = key.repository;
      auto collectable = manifest_collectable(connection, key, unreferenced_before);
      BERTH_TRY(collectable);
      if (*collectable) {
        // Its references, children and referrers are queued by the triggers as it goes.
        BERTH_TRY(execute(connection, "DELETE FROM manifests WHERE repository = ?1 AND digest = ?2", repository,
                          key.digest));
        deleted.push_back(key);
      }
      BERTH_TRY(execute(connection,
                        "DELETE FROM gc_manifest_reviews WHERE repository = ?1 AND digest = ?2 AND unreferenced <= ?3",
                        repository, key.digest, unreferenced_before));
    }
    return deleted;
  });
}

Result<GcQueueLength> SqliteMetadataStore::gc_queue_length() {
  return with_connection(pool_, [&](SqliteConnection& connection) -> Result<GcQueueLength> {
    auto blobs = query_size(connection, "SELECT count(*) FROM gc_blob_reviews");
    BERTH_TRY(blobs);
    auto manifests = query_size(connection, "SELECT count(*) FROM gc_manifest_reviews");
    BERTH_TRY(manifests);
    return GcQueueLength{blobs->value_or(0), manifests->value_or(0)};
  });
}

namespace {

// The columns role_from_row reads, in its order.
constexpr std::string_view kSelectRoles =
    "SELECT name, trust_policy, policies, max_session_duration, created, updated FROM roles ";

RoleRecord role_from_row(const Statement& row) {
  return RoleRecord{std::string(row.column_text(0)),
                    std::string(row.column_text(1)),
                    std::string(row.column_text(2)),
                    row.column_int(3),
                    row.column_int(4),
                    row.column_int(5)};
}

}  // namespace

Status SqliteMetadataStore::put_role(const RoleRecord& role) {
  return with_connection(pool_, [&](SqliteConnection& connection) {
    std::int64_t now = now_unix();
    return execute(
        connection,
        "INSERT INTO roles (name, trust_policy, policies, max_session_duration, created, updated) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?5) ON CONFLICT (name) DO UPDATE SET trust_policy = excluded.trust_policy, "
        "policies = excluded.policies, max_session_duration = excluded.max_session_duration, "
        "updated = excluded.updated",
        std::string_view(role.name), std::string_view(role.trust_policy), std::string_view(role.policies),
        role.max_session_duration_seconds, now);
  });
}

Result<std::optional<RoleRecord>> SqliteMetadataStore::get_role(std::string_view name) {
  return with_connection(pool_, [&](SqliteConnection& connection) -> Result<std::optional<RoleRecord>> {
    static const std::string sql = std::string(kSelectRoles) + "WHERE name = ?1";
    auto statement = query(connection, sql, name);
    if (!statement.ok()) return std::move(statement).error();
    auto row = statement->step();
    BERTH_TRY(row);
    if (!*row) return std::optional<RoleRecord>();
    return std::optional<RoleRecord>(role_from_row(*statement));
  });
}

Result<std::vector<RoleRecord>> SqliteMetadataStore::list_roles(std::string_view after, std::size_t limit) {
  return with_connection(pool_, [&](SqliteConnection& connection) -> Result<std::vector<RoleRecord>> {
    static const std::string sql = std::string(kSelectRoles) + "WHERE name > ?1 ORDER BY name LIMIT ?2";
    return query_rows(connection, sql, role_from_row, after, sql_limit(limit));
  });
}

Result<bool> SqliteMetadataStore::delete_role(std::string_view name) {
  return with_connection(pool_, [&](SqliteConnection& connection) {
    return delete_rows(connection, "DELETE FROM roles WHERE name = ?1", name);
  });
}

namespace {

constexpr std::string_view kSelectAccessKeys =
    "SELECT id, role, sealed_secret, created, expires, last_used FROM access_keys ";

AccessKeyRecord access_key_from_row(const Statement& row) {
  return AccessKeyRecord{std::string(row.column_text(0)), std::string(row.column_text(1)),
                         std::string(row.column_text(2)), row.column_int(3),
                         row.column_int(4),               row.column_int(5)};
}

}  // namespace

Status SqliteMetadataStore::put_access_key(const AccessKeyRecord& key) {
  return in_transaction(pool_, [&](SqliteConnection& connection) -> Status {
    auto role = has_row(connection, "SELECT 1 FROM roles WHERE name = ?1", std::string_view(key.role_name));
    BERTH_TRY(role);
    if (!*role) return make_error(ErrorCode::not_found, "no role named " + key.role_name);
    auto taken = has_row(connection, "SELECT 1 FROM access_keys WHERE id = ?1", std::string_view(key.id));
    BERTH_TRY(taken);
    if (*taken) return make_error(ErrorCode::conflict, "access key id " + key.id + " is taken");
    return execute(connection,
                   "INSERT INTO access_keys (id, role, sealed_secret, created, expires, last_used) "
                   "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                   std::string_view(key.id), std::string_view(key.role_name), std::string_view(key.sealed_secret),
                   key.created_unix, key.expires_unix, key.last_used_unix);
  });
}

Result<std::optional<AccessKeyRecord>> SqliteMetadataStore::get_access_key(std::string_view id) {
  return with_connection(pool_, [&](SqliteConnection& connection) -> Result<std::optional<AccessKeyRecord>> {
    static const std::string sql = std::string(kSelectAccessKeys) + "WHERE id = ?1";
    auto keys = query_rows(connection, sql, access_key_from_row, id);
    BERTH_TRY(keys);
    if (keys->empty()) return std::optional<AccessKeyRecord>();
    return std::optional<AccessKeyRecord>(std::move(keys->front()));
  });
}

Result<std::vector<AccessKeyRecord>> SqliteMetadataStore::list_access_keys(std::optional<std::string_view> role_name) {
  return with_connection(pool_, [&](SqliteConnection& connection) -> Result<std::vector<AccessKeyRecord>> {
    static const std::string sql = std::string(kSelectAccessKeys) + "WHERE ?1 IS NULL OR role = ?1 ORDER BY id";
    return query_rows(connection, sql, access_key_from_row, role_name);
  });
}

Result<bool> SqliteMetadataStore::delete_access_key(std::string_view id) {
  return with_connection(pool_, [&](SqliteConnection& connection) {
    return delete_rows(connection, "DELETE FROM access_keys WHERE id = ?1", id);
  });
}

Status SqliteMetadataStore::record_access_key_use(std::string_view id, std::int64_t now_unix,
                                                  std::chrono::seconds resolution) {
  return with_connection(pool_, [&](SqliteConnection& connection) {
    return execute(connection, "UPDATE access_keys SET last_used = ?2 WHERE id = ?1 AND last_used <= ?2 - ?3", id,
                   now_unix, static_cast<std::int64_t>(resolution.count()));
  });
}

Status SqliteMetadataStore::put_provisioned_repository(const ProvisionedRepository& repository) {
  return in_transaction(pool_, [&](SqliteConnection& connection) -> Status {
    BERTH_TRY(ensure_repository(connection, repository.name));
    std::optional<std::string_view> lifecycle_policy;
    if (repository.lifecycle_policy) lifecycle_policy = *repository.lifecycle_policy;
    BERTH_TRY(execute(connection, "UPDATE repositories SET lifecycle_policy = ?2 WHERE name = ?1",
                      std::string_view(repository.name), lifecycle_policy));
    return execute(connection,
                   "INSERT OR REPLACE INTO provisioned_repositories (name, tags, scan_on_push, "
                   "deletion_protection, updated) VALUES (?1, ?2, ?3, ?4, ?5)",
                   std::string_view(repository.name), std::string_view(repository.tags_json),
                   std::int64_t{repository.scan_on_push}, std::int64_t{repository.deletion_protection}, now_unix());
  });
}

Result<std::vector<ProvisionedRepository>> SqliteMetadataStore::list_provisioned_repositories() {
  return with_connection(pool_, [&](SqliteConnection& connection) -> Result<std::vector<ProvisionedRepository>> {
    auto statement = query(connection,
                           "SELECT p.name, p.tags, r.lifecycle_policy, p.scan_on_push, p.deletion_protection, "
                           "p.updated FROM provisioned_repositories p JOIN repositories r ON r.name = p.name "
                           "ORDER BY p.name");
    if (!statement.ok()) return std::move(statement).error();
    std::vector<ProvisionedRepository> repositories;
    for (;;) {
      auto row = statement->step();
      BERTH_TRY(row);
      if (!*row) return repositories;
      ProvisionedRepository repository;
      repository.name = statement->column_text(0);
      repository.tags_json = statement->column_text(1);
      repository.scan_on_push = statement->column_int(3) != 0;
      repository.deletion_protection = statement->column_int(4) != 0;
      repository.updated_unix = statement->column_int(5);
      if (!statement->column_is_null(2)) repository.lifecycle_policy = std::string(statement->column_text(2));
      repositories.push_back(std::move(repository));
    }
  });
}

Status SqliteMetadataStore::put_published(const PublishedRecord& record) {
  return with_connection(pool_, [&](SqliteConnection& connection) {
    return execute(connection,
                   "INSERT OR REPLACE INTO published (kind, scope, name, value_sha256, repository, updated) "
                   "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                   static_cast<std::int64_t>(record.kind), std::string_view(record.scope),
                   std::string_view(record.name), std::string_view(record.value_sha256),
                   std::string_view(record.repository), now_unix());
  });
}

Result<std::vector<PublishedRecord>> SqliteMetadataStore::list_published() {
  return with_connection(pool_, [&](SqliteConnection& connection) -> Result<std::vector<PublishedRecord>> {
    auto statement = query(connection,
                           "SELECT kind, scope, name, value_sha256, repository, updated FROM published "
                           "ORDER BY kind, scope, name");
    if (!statement.ok()) return std::move(statement).error();
    std::vector<PublishedRecord> records;
    for (;;) {
      auto row = statement->step();
      BERTH_TRY(row);
      if (!*row) return records;
      std::int64_t kind = statement->column_int(0);
      if (kind < 0 || kind > static_cast<std::int64_t>(PublishedKind::config_map)) {
        return make_error(ErrorCode::internal, "corrupt published record kind " + std::to_string(kind));
      }
      records.push_back(PublishedRecord{static_cast<PublishedKind>(kind), std::string(statement->column_text(1)),
                                        std::string(statement->column_text(2)), std::string(statement->column_text(3)),
                                        std::string(statement->column_text(4)), statement->column_int(5)});
    }
  });
}

Result<bool> SqliteMetadataStore::delete_published(PublishedKind kind, std::string_view scope, std::string_view name) {
  return with_connection(pool_, [&](SqliteConnection& connection) {
    return delete_rows(connection, "DELETE FROM published WHERE kind = ?1 AND scope = ?2 AND name = ?3",
                       static_cast<std::int64_t>(kind), scope, name);
  });
}

namespace {

// The columns audit_event_from_row reads, in its order.
constexpr std::string_view kSelectAuditEvents =
    "SELECT id, time, action, repository, reference, digest, previous_digest, role_arn, role_session_name, "
    "access_key_id, source_address, issuer, subject, audience, claims_json FROM audit_events ";

AuditEvent audit_event_from_row(const Statement& row) {
  auto text = [&](int column) { return std::string(row.column_text(column)); };
  return AuditEvent{row.column_int(0), row.column_int(1), text(2),  text(3),  text(4),  text(5),  text(6), text(7),
                    text(8),           text(9),           text(10), text(11), text(12), text(13), text(14)};
}

// One statement per combination of filters, so each can use its index.
std::string audit_events_sql(const AuditQuery& query) {
  std::string sql = std::string(kSelectAuditEvents) + "WHERE id > ?1";
  if (query.repository) sql += " AND repository = ?2";
  if (query.since_unix) sql += " AND time >= ?3";
  return sql + " ORDER BY id LIMIT ?4";
}

Result<std::int64_t> insert_audit_event(SqliteConnection& connection, const AuditEvent& event) {
  if (event.action.empty()) return make_error(ErrorCode::invalid_argument, "an audit event needs an action");
  auto statement = query(
      connection,
      "INSERT INTO audit_events (time, action, repository, reference, digest, previous_digest, role_arn, "
      "role_session_name, access_key_id, source_address, issuer, subject, audience, claims_json) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14) RETURNING id",
      event.time_unix, std::string_view(event.action), std::string_view(event.repository),
      std::string_view(event.reference), std::string_view(event.digest), std::string_view(event.previous_digest),
      std::string_view(event.role_arn), std::string_view(event.role_session_name),
      std::string_view(event.access_key_id), std::string_view(event.source_address), std::string_view(event.issuer),
      std::string_view(event.subject), std::string_view(event.audience), std::string_view(event.claims_json));
  if (!statement.ok()) return std::move(statement).error();
  auto row = statement->step();
  BERTH_TRY(row);
  if (!*row) return make_error(ErrorCode::internal, "audit event insert returned no id");
  return statement->column_int(0);
}

}  // namespace

std::vector<Result<std::int64_t>> SqliteMetadataStore::append_audit_events(std::span<const AuditEvent> events) {
  std::vector<Result<std::int64_t>> ids;
  if (events.empty()) return ids;
  ids.reserve(events.size());
  Status committed = in_transaction(pool_, [&](SqliteConnection& connection) -> Status {
    for (const AuditEvent& event : events) {
      ids.push_back(insert_audit_event(connection, event));
      // A failed INSERT undoes only itself, unless SQLite had to roll back the whole transaction.
      if (!ids.back().ok() && !connection.in_transaction()) return Error(ids.back().error());
    }
    return {};
  });
  if (!committed.ok()) ids.assign(events.size(), Result<std::int64_t>(committed.error()));
  return ids;
}

Result<std::vector<AuditEvent>> SqliteMetadataStore::list_audit_events(const AuditQuery& audit_query) {
  return with_connection(pool_, [&](SqliteConnection& connection) -> Result<std::vector<AuditEvent>> {
    // Parameters a statement does not name are bound all the same; SQLite ignores them.
    std::optional<std::string_view> repository;
    if (audit_query.repository) repository = *audit_query.repository;
    auto statement = query(connection, audit_events_sql(audit_query), audit_query.after_id, repository,
                           audit_query.since_unix.value_or(0), sql_limit(audit_query.limit));
    if (!statement.ok()) return std::move(statement).error();
    std::vector<AuditEvent> events;
    for (;;) {
      auto row = statement->step();
      BERTH_TRY(row);
      if (!*row) return events;
      events.push_back(audit_event_from_row(*statement));
    }
  });
}

}  // namespace berth::metadata

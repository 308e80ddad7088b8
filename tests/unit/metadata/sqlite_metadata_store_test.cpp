#include "metadata/sqlite_metadata_store.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include "metadata/sqlite_schema.hpp"
#include "gc_queue_suite.hpp"
#include "metadata_store_suite.hpp"
#include "storage/scoped_temp_dir.hpp"

namespace berth::metadata {
namespace {

class SqliteBackend final : public MetadataBackend {
 public:
  std::unique_ptr<MetadataStore> open() override {
    auto store = SqliteMetadataStore::open(file());
    EXPECT_TRUE(store.ok()) << store.error().message;
    return store.ok() ? std::move(store).value() : nullptr;
  }
  std::filesystem::path file() const { return dir_.path() / "meta" / "berth.db"; }

 private:
  test::ScopedTempDir dir_;
};

std::unique_ptr<MetadataBackend> make_sqlite_backend() { return std::make_unique<SqliteBackend>(); }

INSTANTIATE_TEST_SUITE_P(Sqlite, MetadataStoreSuite,
                         ::testing::Values(MetadataBackendParam{"Sqlite", &make_sqlite_backend}), backend_name);
INSTANTIATE_TEST_SUITE_P(Sqlite, GcQueue, ::testing::Values(MetadataBackendParam{"Sqlite", &make_sqlite_backend}),
                         backend_name);

// Reads one integer pragma through a separate raw connection.
std::int64_t pragma(const std::filesystem::path& file, const char* sql) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr), SQLITE_OK);
  EXPECT_EQ(sqlite3_step(stmt), SQLITE_ROW);
  std::int64_t value = sqlite3_column_int64(stmt, 0);
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return value;
}

void set_user_version(const std::filesystem::path& file, std::size_t version) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr), SQLITE_OK);
  std::string sql = "PRAGMA user_version = " + std::to_string(version);
  EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
}

TEST(SqliteMetadataStore, UsesWalAndRecordsTheSchemaVersion) {
  SqliteBackend backend;
  auto store = backend.open();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(pragma(backend.file(), "PRAGMA user_version"), static_cast<std::int64_t>(sqlite_schema_version()));
  EXPECT_GE(sqlite_schema_version(), 1u);
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open_v2(backend.file().c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &stmt, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_step(stmt), SQLITE_ROW);
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0)), "wal");
  sqlite3_finalize(stmt);
  sqlite3_close(db);
}

TEST(SqliteMetadataStore, MigrationsAreIdempotent) {
  SqliteBackend backend;
  {
    auto store = backend.open();
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->create_repository("team/app").ok());
  }
  for (int i = 0; i < 3; ++i) {
    auto store = backend.open();
    ASSERT_NE(store, nullptr);
    EXPECT_TRUE(*store->repository_exists("team/app"));
  }
  EXPECT_EQ(pragma(backend.file(), "PRAGMA user_version"), static_cast<std::int64_t>(sqlite_schema_version()));
}

void exec(const std::filesystem::path& file, const char* sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr), SQLITE_OK);
  EXPECT_EQ(sqlite3_exec(db, sql, nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
  sqlite3_close(db);
}

TEST(SqliteMetadataStore, MovesProvisionedLifecyclePoliciesToTheirRepositories) {
  SqliteBackend backend;
  {
    auto store = backend.open();
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->put_provisioned_repository({"team/app", "{}", std::nullopt, true, true, 0}).ok());
    ASSERT_TRUE(store->put_provisioned_repository({"team/api", "{}", std::nullopt, true, true, 0}).ok());
  }
  // Back to schema 6, where provisioning kept the policy.
  exec(backend.file(),
       "ALTER TABLE repositories DROP COLUMN lifecycle_policy;"
       "ALTER TABLE repositories DROP COLUMN lifecycle_evaluated;"
       "DROP TABLE lifecycle_previews;"
       "DROP TABLE access_keys;"
       "ALTER TABLE repositories DROP COLUMN policy;"
       "ALTER TABLE manifests DROP COLUMN last_pulled;"
       "ALTER TABLE provisioned_repositories ADD COLUMN lifecycle_policy TEXT;"
       "UPDATE provisioned_repositories SET lifecycle_policy = '{\"rules\":[]}' WHERE name = 'team/app';"
       "PRAGMA user_version = 6;");
  auto store = backend.open();
  ASSERT_NE(store, nullptr);
  auto policies = store->list_lifecycle_policies("", 10);
  ASSERT_TRUE(policies.ok());
  ASSERT_EQ(policies->size(), 1u);
  EXPECT_EQ((*policies)[0].repository, "team/app");
  EXPECT_EQ((*policies)[0].text, R"({"rules":[]})");
  EXPECT_EQ((*policies)[0].evaluated_unix, std::nullopt);
}

TEST(SqliteMetadataStore, RefusesADatabaseFromANewerBerth) {
  SqliteBackend backend;
  ASSERT_NE(backend.open(), nullptr);
  set_user_version(backend.file(), sqlite_schema_version() + 1);
  auto store = SqliteMetadataStore::open(backend.file());
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.error().code, ErrorCode::unavailable);
}

}  // namespace
}  // namespace berth::metadata

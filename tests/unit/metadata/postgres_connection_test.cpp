// The libpq layer and the PostgreSQL schema against a real PostgreSQL 15 (postgres_server.hpp).
#include "metadata/postgres_connection.hpp"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "metadata/postgres_schema.hpp"
#include "postgres_server.hpp"

namespace berth::metadata {
namespace {

class PostgresTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server_ = new test::PostgresServer(); }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }

  void SetUp() override {
    conninfo_ = server_->conninfo(server_->create_database());
    auto connection = PostgresConnection::open(conninfo_);
    ASSERT_TRUE(connection.ok()) << connection.error().message;
    connection_ = std::move(*connection);
  }

  std::int64_t count(const std::string& sql) {
    auto rows = connection_->query(sql);
    EXPECT_TRUE(rows.ok()) << rows.error().message;
    return rows.ok() ? rows->integer(0, 0).value() : -1;
  }

  static test::PostgresServer* server_;
  std::string conninfo_;
  std::unique_ptr<PostgresConnection> connection_;
};

test::PostgresServer* PostgresTest::server_ = nullptr;

TEST_F(PostgresTest, ParametersRoundTripAsTextIntegersNullsAndBytes) {
  ASSERT_TRUE(connection_->exec("CREATE TABLE t (s TEXT, i BIGINT, b BYTEA)").ok());
  const std::string bytes("\0\xff{\"a\":1}\n\\x00", 13);
  std::optional<std::string> absent;
  auto inserted = connection_->query("INSERT INTO t VALUES ($1, $2, $3)", "caf\xc3\xa9 'quoted'",
                                     std::int64_t{-9007199254740993}, PgBytes{bytes});
  ASSERT_TRUE(inserted.ok()) << inserted.error().message;
  EXPECT_EQ(inserted->changed(), 1);
  ASSERT_TRUE(connection_->query("INSERT INTO t VALUES ($1, $2, $3)", absent, absent, absent).ok());

  auto rows = connection_->query("SELECT s, i, b FROM t ORDER BY s NULLS LAST");
  ASSERT_TRUE(rows.ok()) << rows.error().message;
  ASSERT_EQ(rows->size(), 2);
  EXPECT_EQ(rows->text(0, 0), "caf\xc3\xa9 'quoted'");
  EXPECT_EQ(rows->integer(0, 1).value(), -9007199254740993);
  EXPECT_EQ(rows->bytes(0, 2).value(), bytes);
  EXPECT_TRUE(rows->is_null(1, 0) && rows->is_null(1, 1) && rows->is_null(1, 2));
  EXPECT_FALSE(rows->integer(0, 0).ok());
}

TEST_F(PostgresTest, MapsErrorsToWhatCallersCanDoAboutThem) {
  ASSERT_TRUE(connection_->exec("CREATE TABLE u (k TEXT PRIMARY KEY)").ok());
  ASSERT_TRUE(connection_->query("INSERT INTO u VALUES ($1)", "a").ok());
  auto duplicate = connection_->query("INSERT INTO u VALUES ($1)", "a");
  ASSERT_FALSE(duplicate.ok());
  EXPECT_EQ(duplicate.error().code, ErrorCode::conflict);
  EXPECT_NE(duplicate.error().message.find("23505"), std::string::npos) << duplicate.error().message;
  auto broken = connection_->query("SELEC 1");
  ASSERT_FALSE(broken.ok());
  EXPECT_EQ(broken.error().code, ErrorCode::internal);
  EXPECT_EQ(postgres_error("40001", "could not serialize", "x").code, ErrorCode::unavailable);
  EXPECT_EQ(postgres_error("57P01", "terminating connection", "x").code, ErrorCode::unavailable);
  // The connection is still usable after statement errors.
  EXPECT_EQ(count("SELECT count(*) FROM u"), 1);
}

TEST_F(PostgresTest, ATransactionNotCommittedIsRolledBack) {
  ASSERT_TRUE(connection_->exec("CREATE TABLE r (k TEXT)").ok());
  {
    auto transaction = PostgresTransaction::begin(*connection_);
    ASSERT_TRUE(transaction.ok());
    ASSERT_TRUE(connection_->query("INSERT INTO r VALUES ($1)", "gone").ok());
  }
  EXPECT_TRUE(connection_->reusable());
  {
    auto transaction = PostgresTransaction::begin(*connection_);
    ASSERT_TRUE(transaction.ok());
    ASSERT_TRUE(connection_->query("INSERT INTO r VALUES ($1)", "kept").ok());
    ASSERT_TRUE(transaction->commit().ok());
  }
  EXPECT_EQ(count("SELECT count(*) FROM r"), 1);
}

TEST_F(PostgresTest, NodesStartingAtOnceMigrateOnce) {
  std::vector<std::thread> nodes;
  std::vector<Status> results(4);
  for (std::size_t i = 0; i < results.size(); ++i) {
    nodes.emplace_back([&, i] {
      auto connection = PostgresConnection::open(conninfo_);
      results[i] = connection.ok() ? migrate_postgres(**connection) : Status(std::move(connection).error());
    });
  }
  for (auto& node : nodes) node.join();
  for (const Status& result : results) EXPECT_TRUE(result.ok()) << result.error().message;
  EXPECT_EQ(count("SELECT version FROM berth_schema"), static_cast<std::int64_t>(postgres_schema_version()));
  EXPECT_EQ(count("SELECT count(*) FROM berth_schema"), 1);
  EXPECT_EQ(count("SELECT count(*) FROM information_schema.tables WHERE table_name = 'manifests'"), 1);
  EXPECT_TRUE(migrate_postgres(*connection_).ok());
}

TEST_F(PostgresTest, RefusesADatabaseFromANewerBerth) {
  ASSERT_TRUE(migrate_postgres(*connection_).ok());
  ASSERT_TRUE(connection_->exec("UPDATE berth_schema SET version = version + 1").ok());
  Status refused = migrate_postgres(*connection_);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::unavailable);
  EXPECT_NE(refused.error().message.find("newer than this berth"), std::string::npos);
}

TEST_F(PostgresTest, TheSchemaQueuesLostReferencesForGarbageCollection) {
  ASSERT_TRUE(migrate_postgres(*connection_).ok());
  ASSERT_TRUE(connection_->exec(R"sql(
    INSERT INTO repositories (name, created) VALUES ('team/app', 1);
    INSERT INTO repository_blobs VALUES ('team/app', 'sha256:layer', 10);
    INSERT INTO manifests (repository, digest, media_type, content, artifact_type, annotations, created)
      VALUES ('team/app', 'sha256:index', 'i', '\x00', '', '', 1), ('team/app', 'sha256:child', 'm', '\x00', '', '', 1),
             ('team/app', 'sha256:sig', 'm', '\x00', '', '', 1);
    UPDATE manifests SET subject = 'sha256:index' WHERE digest = 'sha256:sig';
    INSERT INTO manifest_references VALUES ('team/app', 'sha256:child', 'sha256:layer', 0),
                                           ('team/app', 'sha256:index', 'sha256:child', 1);
  )sql").ok());
  EXPECT_EQ(count("SELECT count(*) FROM gc_blob_reviews"), 0);
  // Deleting the index cascades to its reference: the child and the referrer are queued.
  ASSERT_TRUE(connection_->exec("DELETE FROM manifests WHERE digest = 'sha256:index'").ok());
  EXPECT_EQ(count("SELECT count(*) FROM gc_manifest_reviews WHERE digest IN ('sha256:child', 'sha256:sig')"), 2);
  ASSERT_TRUE(connection_->exec("DELETE FROM manifests WHERE digest = 'sha256:child'").ok());
  EXPECT_EQ(count("SELECT count(*) FROM gc_blob_reviews WHERE digest = 'sha256:layer' AND unreferenced > 0"), 1);
  // Deleting the repository unlinks its blobs: queued again.
  ASSERT_TRUE(connection_->exec("UPDATE gc_blob_reviews SET unreferenced = 0").ok());
  ASSERT_TRUE(connection_->exec("DELETE FROM repositories").ok());
  EXPECT_EQ(count("SELECT count(*) FROM gc_blob_reviews WHERE unreferenced > 0"), 1);
}

TEST_F(PostgresTest, ThePoolBoundsConnectionsAndWaitsForOne) {
  PostgresPool pool(conninfo_, 2, std::chrono::milliseconds(100));
  auto first = pool.acquire();
  auto second = pool.acquire();
  ASSERT_TRUE(first.ok() && second.ok());
  auto third = pool.acquire();
  ASSERT_FALSE(third.ok());
  EXPECT_EQ(third.error().code, ErrorCode::unavailable);
  std::thread returner([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    auto returned = std::move(*first);
  });
  auto waited = pool.acquire();
  returner.join();
  ASSERT_TRUE(waited.ok()) << waited.error().message;
  EXPECT_TRUE((*waited)->query("SELECT 1").ok());
}

TEST_F(PostgresTest, ThePoolRecoversWhenTheServerComesBack) {
  PostgresPool pool(conninfo_, 2, std::chrono::milliseconds(100));
  {
    auto lease = pool.acquire();
    ASSERT_TRUE(lease.ok());
  }
  server_->stop();
  {
    // The idle connection is dead: the query fails as unavailable and the connection is dropped.
    auto lease = pool.acquire();
    ASSERT_TRUE(lease.ok());
    auto lost = (*lease)->query("SELECT 1");
    ASSERT_FALSE(lost.ok());
    EXPECT_EQ(lost.error().code, ErrorCode::unavailable);
    EXPECT_FALSE((*lease)->reusable());
  }
  auto down = pool.acquire();
  ASSERT_FALSE(down.ok());
  EXPECT_EQ(down.error().code, ErrorCode::unavailable);
  server_->start();
  auto back = pool.acquire();
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_TRUE((*back)->query("SELECT 1").ok());
}

}  // namespace
}  // namespace berth::metadata

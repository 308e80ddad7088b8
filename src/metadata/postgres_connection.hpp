// Thin RAII layer over libpq for the PostgreSQL metadata store (issue 10, design.md §5).
//
// A PostgresConnection is used by one thread at a time and prepares each distinct SQL text once
// (server-side prepared statements, named per connection), so a hot query is planned once per
// connection. Parameters travel as text, or as binary for bytes; results come back as text.
// PostgresPool bounds the connections a node opens and replaces broken ones on the next acquire,
// so service resumes by itself once the database is back.
//
//   auto pool = PostgresPool::open("postgresql://berth@db/berth", 16);
//   auto lease = pool->acquire();
//   auto rows = (*lease)->query("SELECT name FROM repositories WHERE name > $1 LIMIT $2", after, limit);
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/result.hpp"
#include "metadata/pq_library.hpp"

namespace berth::metadata {

// Bytes sent as a binary parameter (bytea), as they are.
struct PgBytes {
  std::string_view data;
};

// One parameter: NULL, text, or bytes.
struct PgParam {
  std::optional<std::string> text;
  bool binary = false;

  PgParam() = default;  // NULL
  PgParam(std::string_view value) : text(std::string(value)) {}
  PgParam(const std::string& value) : text(value) {}
  PgParam(const char* value) : text(std::string(value)) {}
  PgParam(std::int64_t value) : text(std::to_string(value)) {}
  PgParam(PgBytes bytes) : text(std::string(bytes.data)), binary(true) {}
  template <typename T>
  PgParam(const std::optional<T>& value) {
    if (value) *this = PgParam(*value);
  }
};

// A query's rows. Columns are read as text; bytea columns are decoded with `bytes`.
class PgRows {
 public:
  PgRows(const PqLibrary& pq, PGresult* result) : pq_(&pq), result_(result, Clear{&pq}) {}

  int size() const { return pq_->ntuples(result_.get()); }
  bool empty() const { return size() == 0; }
  bool is_null(int row, int column) const { return pq_->getisnull(result_.get(), row, column) != 0; }
  std::string_view text(int row, int column) const;
  // internal when the value is not an integer (a column of another type).
  Result<std::int64_t> integer(int row, int column) const;
  Result<std::string> bytes(int row, int column) const;
  // Rows an INSERT, UPDATE or DELETE changed.
  std::int64_t changed() const;

 private:
  struct Clear {
    const PqLibrary* pq;
    void operator()(PGresult* result) const { pq->clear(result); }
  };
  const PqLibrary* pq_;
  std::unique_ptr<PGresult, Clear> result_;
};

// The error PostgreSQL reported, with its SQLSTATE mapped: connection failures, serialization
// failures, deadlocks, shutdowns and too many connections are `unavailable` (retrying may help),
// integrity violations are `conflict`, anything else `internal`.
Error postgres_error(std::string_view sqlstate, std::string_view message, std::string_view context);

class PostgresConnection {
 public:
  // unavailable when libpq cannot be loaded, or the server cannot be reached or refuses the
  // connection.
  static Result<std::unique_ptr<PostgresConnection>> open(const std::string& conninfo);
  ~PostgresConnection();
  PostgresConnection(const PostgresConnection&) = delete;
  PostgresConnection& operator=(const PostgresConnection&) = delete;

  // Runs one or more statements without parameters or results (DDL, BEGIN/COMMIT).
  Status exec(std::string_view sql);
  // Runs one statement with $1... parameters, prepared on first use on this connection.
  Result<PgRows> query(std::string_view sql, std::span<const PgParam> params);
  template <typename... Args>
  Result<PgRows> query(std::string_view sql, const Args&... args) {
    const PgParam params[] = {PgParam(args)..., PgParam()};
    return query(sql, std::span<const PgParam>(params, sizeof...(Args)));
  }
  // False once the connection to the server is lost (or a statement failed as if it were), or
  // while a transaction is still open on it (its owner failed to end it): such a connection is
  // never reused.
  bool reusable() const;

 private:
  PostgresConnection(const PqLibrary& pq, PGconn* connection) : pq_(pq), connection_(connection) {}
  Result<PgRows> checked(PGresult* result, std::string_view context);
  std::string connection_message() const;

  const PqLibrary& pq_;
  PGconn* connection_;
  bool lost_ = false;
  std::unordered_map<std::string, std::string> statements_;  // SQL text -> prepared statement name
};

// BEGIN ... COMMIT on one connection. Rolls back unless commit() succeeded.
class PostgresTransaction {
 public:
  static Result<PostgresTransaction> begin(PostgresConnection& connection);
  PostgresTransaction(PostgresTransaction&& other) noexcept;
  PostgresTransaction& operator=(PostgresTransaction&&) = delete;
  ~PostgresTransaction();
  Status commit();

 private:
  explicit PostgresTransaction(PostgresConnection* connection) : connection_(connection) {}
  PostgresConnection* connection_;
};

class PostgresPool {
 public:
  class Lease {
   public:
    Lease(PostgresPool* pool, std::unique_ptr<PostgresConnection> connection)
        : pool_(pool), connection_(std::move(connection)) {}
    Lease(Lease&&) noexcept = default;
    Lease& operator=(Lease&&) = delete;
    ~Lease();
    PostgresConnection& operator*() const { return *connection_; }
    PostgresConnection* operator->() const { return connection_.get(); }

   private:
    PostgresPool* pool_;
    std::unique_ptr<PostgresConnection> connection_;
  };

  // At most `max_connections` open at once; an acquire waits up to `wait` for one to come back.
  PostgresPool(std::string conninfo, std::size_t max_connections,
               std::chrono::milliseconds wait = std::chrono::seconds(10));

  // An idle connection, or a new one while fewer than the maximum are open. unavailable when the
  // server cannot be reached, or when every connection stays busy for the whole wait.
  Result<Lease> acquire();

 private:
  void release(std::unique_ptr<PostgresConnection> connection);

  const std::string conninfo_;
  const std::size_t max_connections_;
  const std::chrono::milliseconds wait_;
  std::mutex mutex_;
  std::condition_variable returned_;
  std::vector<std::unique_ptr<PostgresConnection>> idle_;
  std::size_t open_ = 0;  // idle and leased
};

}  // namespace berth::metadata

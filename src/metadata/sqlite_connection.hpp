// Thin RAII layer over the sqlite3 C API for the SQLite metadata store.
//
// A SqliteConnection is used by one thread at a time (opened NOMUTEX) and caches its prepared
// statements, so a hot query is compiled once per connection. ConnectionPool hands connections to
// threads and takes them back; it grows to the number of threads that query at once, so readers
// never queue behind each other (WAL lets them run beside the one writer).
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/result.hpp"

namespace berth::metadata {

// BUSY/LOCKED -> unavailable, CONSTRAINT -> conflict, anything else -> internal.
Error sqlite_error(sqlite3* db, int rc, std::string_view context);

// One cached prepared statement in use. Parameters are 1-based, columns 0-based (as in SQLite).
// Destruction resets the statement and clears its bindings for the next user.
class Statement {
 public:
  Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  ~Statement();
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&&) = delete;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  // Values are copied (SQLITE_TRANSIENT), so temporaries are safe to bind.
  Statement& bind(int index, std::string_view text);
  Statement& bind(int index, std::int64_t value);
  Statement& bind_blob(int index, std::string_view bytes);
  Statement& bind_null(int index);
  Statement& bind_optional(int index, const std::optional<std::string>& text);

  // True when a row is ready, false when done.
  Result<bool> step();
  // Steps to completion (statements without rows).
  Status run();

  std::string_view column_text(int column) const;
  std::string_view column_blob(int column) const;
  std::int64_t column_int(int column) const;
  bool column_is_null(int column) const;

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_;
  int bind_rc_ = SQLITE_OK;
};

class SqliteConnection {
 public:
  static Result<std::unique_ptr<SqliteConnection>> open(const std::filesystem::path& file);
  ~SqliteConnection();
  SqliteConnection(const SqliteConnection&) = delete;
  SqliteConnection& operator=(const SqliteConnection&) = delete;

  // Runs one or more statements without results (pragmas, DDL, BEGIN/COMMIT).
  Status exec(const char* sql);
  // The statement for `sql`, compiled on first use and cached for the connection's life.
  Result<Statement> prepare(std::string_view sql);
  // Rows changed by the last INSERT/UPDATE/DELETE.
  std::int64_t changes() const;
  // False outside BEGIN...COMMIT, and after SQLite rolled a transaction back on its own (an I/O
  // error, a full disk), which it may do when a statement fails.
  bool in_transaction() const;

 private:
  explicit SqliteConnection(sqlite3* db) : db_(db) {}

  sqlite3* db_;
  std::unordered_map<std::string, sqlite3_stmt*> statements_;
};

// A write transaction (BEGIN IMMEDIATE, so it never fails half-way on a lock upgrade). Rolls back
// unless commit() succeeded.
class Transaction {
 public:
  static Result<Transaction> begin(SqliteConnection& connection);
  Transaction(Transaction&& other) noexcept;
  Transaction& operator=(Transaction&&) = delete;
  ~Transaction();
  Status commit();

 private:
  explicit Transaction(SqliteConnection* connection) : connection_(connection) {}
  SqliteConnection* connection_;
};

class ConnectionPool {
 public:
  class Lease {
   public:
    Lease(ConnectionPool* pool, std::unique_ptr<SqliteConnection> connection)
        : pool_(pool), connection_(std::move(connection)) {}
    Lease(Lease&&) noexcept = default;
    Lease& operator=(Lease&&) = delete;
    ~Lease();
    SqliteConnection& operator*() const { return *connection_; }
    SqliteConnection* operator->() const { return connection_.get(); }

   private:
    ConnectionPool* pool_;
    std::unique_ptr<SqliteConnection> connection_;
  };

  explicit ConnectionPool(std::filesystem::path file) : file_(std::move(file)) {}

  // An idle connection, or a new one when all are busy.
  Result<Lease> acquire();

 private:
  std::filesystem::path file_;
  std::mutex mutex_;
  std::vector<std::unique_ptr<SqliteConnection>> idle_;
};

}  // namespace berth::metadata

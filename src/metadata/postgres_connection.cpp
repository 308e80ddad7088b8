#include "metadata/postgres_connection.hpp"

#include <charconv>
#include <utility>

#include "common/log.hpp"

namespace berth::metadata {
namespace {

// SQLSTATE classes and codes (PostgreSQL manual, appendix A) after which a retry may succeed.
// The session itself is gone: the server closed it, is shutting down, or crashed.
bool session_lost(std::string_view sqlstate) {
  return sqlstate.empty() || sqlstate.starts_with("08") || sqlstate.starts_with("57P");
}

bool retryable(std::string_view sqlstate) {
  return sqlstate.starts_with("08") ||  // connection exception
         sqlstate == "40001" ||         // serialization_failure
         sqlstate == "40P01" ||         // deadlock_detected
         sqlstate.starts_with("57P") || // operator intervention: shutdown, crash, cannot connect now
         sqlstate == "53300";           // too_many_connections
}

// libpq's messages end with a newline.
std::string trimmed(const char* message) {
  std::string text = message != nullptr ? message : "";
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

// Server notices (a table that already exists, a shutdown under way) go to the log, not stderr.
void log_notice(void*, const char* message) { log::debug("postgres notice", {{"message", trimmed(message)}}); }

}  // namespace

Error postgres_error(std::string_view sqlstate, std::string_view message, std::string_view context) {
  std::string text = std::string(context) + ": " + std::string(message);
  if (!sqlstate.empty()) text += " (SQLSTATE " + std::string(sqlstate) + ")";
  if (sqlstate.empty() || retryable(sqlstate)) return make_error(ErrorCode::unavailable, std::move(text));
  if (sqlstate.starts_with("23")) return make_error(ErrorCode::conflict, std::move(text));
  return make_error(ErrorCode::internal, std::move(text));
}

std::string_view PgRows::text(int row, int column) const {
  return {pq_->getvalue(result_.get(), row, column),
          static_cast<std::size_t>(pq_->getlength(result_.get(), row, column))};
}

Result<std::int64_t> PgRows::integer(int row, int column) const {
  std::string_view value = text(row, column);
  std::int64_t number = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), number);
  if (ec != std::errc() || end != value.data() + value.size()) {
    return make_error(ErrorCode::internal, "column " + std::to_string(column) + " is not an integer");
  }
  return number;
}

Result<std::string> PgRows::bytes(int row, int column) const {
  std::size_t length = 0;
  unsigned char* decoded = pq_->unescape_bytea(
      reinterpret_cast<const unsigned char*>(pq_->getvalue(result_.get(), row, column)), &length);
  if (decoded == nullptr) return make_error(ErrorCode::internal, "column " + std::to_string(column) + ": bad bytea");
  std::string value(reinterpret_cast<const char*>(decoded), length);
  pq_->freemem(decoded);
  return value;
}

std::int64_t PgRows::changed() const {
  const char* count = pq_->cmd_tuples(result_.get());
  std::int64_t number = 0;
  std::from_chars(count, count + std::char_traits<char>::length(count), number);
  return number;
}

Result<std::unique_ptr<PostgresConnection>> PostgresConnection::open(const std::string& conninfo) {
  Result<const PqLibrary*> pq = pq_library();
  if (!pq) return std::move(pq).error();
  PGconn* connection = (*pq)->connectdb(conninfo.c_str());
  if (connection == nullptr) return make_error(ErrorCode::unavailable, "postgres: out of memory connecting");
  if ((*pq)->status(connection) != CONNECTION_OK) {
    // The message names host and port; the password in a conninfo is never part of it.
    Error error = make_error(ErrorCode::unavailable,
                             "postgres: cannot connect: " + trimmed((*pq)->error_message(connection)));
    (*pq)->finish(connection);
    return error;
  }
  (*pq)->set_notice_processor(connection, &log_notice, nullptr);
  return std::unique_ptr<PostgresConnection>(new PostgresConnection(**pq, connection));
}

PostgresConnection::~PostgresConnection() { pq_.finish(connection_); }

std::string PostgresConnection::connection_message() const { return trimmed(pq_.error_message(connection_)); }

bool PostgresConnection::reusable() const {
  return !lost_ && pq_.status(connection_) == CONNECTION_OK && pq_.transaction_status(connection_) == PQTRANS_IDLE;
}

Result<PgRows> PostgresConnection::checked(PGresult* result, std::string_view context) {
  if (result == nullptr) {
    lost_ = true;
    return postgres_error("", connection_message(), context);
  }
  ExecStatusType status = pq_.result_status(result);
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return PgRows(pq_, result);
  const char* field = pq_.result_error_field(result, PG_DIAG_SQLSTATE);
  const std::string sqlstate = field != nullptr ? field : "";
  lost_ = lost_ || session_lost(sqlstate);
  Error error = postgres_error(sqlstate, trimmed(pq_.result_error_message(result)), context);
  pq_.clear(result);
  return error;
}

Status PostgresConnection::exec(std::string_view sql) {
  const std::string text(sql);
  auto done = checked(pq_.exec(connection_, text.c_str()), text);
  if (!done.ok()) return std::move(done).error();
  return {};
}

Result<PgRows> PostgresConnection::query(std::string_view sql, std::span<const PgParam> params) {
  auto prepared = statements_.find(std::string(sql));
  if (prepared == statements_.end()) {
    std::string name = "s" + std::to_string(statements_.size());
    auto made = checked(pq_.prepare(connection_, name.c_str(), std::string(sql).c_str(), 0, nullptr), sql);
    if (!made.ok()) return std::move(made).error();
    prepared = statements_.emplace(std::string(sql), std::move(name)).first;
  }
  std::vector<const char*> values(params.size());
  std::vector<int> lengths(params.size());
  std::vector<int> formats(params.size());
  for (std::size_t i = 0; i < params.size(); ++i) {
    if (params[i].text) {
      values[i] = params[i].text->data();
      lengths[i] = static_cast<int>(params[i].text->size());
    }
    formats[i] = params[i].binary ? 1 : 0;
  }
  return checked(pq_.exec_prepared(connection_, prepared->second.c_str(), static_cast<int>(params.size()),
                                   values.data(), lengths.data(), formats.data(), 0),
                 sql);
}

Result<PostgresTransaction> PostgresTransaction::begin(PostgresConnection& connection) {
  BERTH_TRY(connection.exec("BEGIN"));
  return PostgresTransaction(&connection);
}

PostgresTransaction::PostgresTransaction(PostgresTransaction&& other) noexcept
    : connection_(std::exchange(other.connection_, nullptr)) {}

PostgresTransaction::~PostgresTransaction() {
  // A failed ROLLBACK leaves a broken connection, which the pool discards.
  if (connection_ != nullptr) (void)connection_->exec("ROLLBACK");
}

Status PostgresTransaction::commit() {
  PostgresConnection* connection = std::exchange(connection_, nullptr);
  return connection->exec("COMMIT");
}

PostgresPool::PostgresPool(std::string conninfo, std::size_t max_connections, std::chrono::milliseconds wait)
    : conninfo_(std::move(conninfo)), max_connections_(max_connections), wait_(wait) {}

Result<PostgresPool::Lease> PostgresPool::acquire() {
  {
    std::unique_lock lock(mutex_);
    const bool available = returned_.wait_for(lock, wait_, [&] { return !idle_.empty() || open_ < max_connections_; });
    if (!available) {
      return make_error(ErrorCode::unavailable, "postgres: all " + std::to_string(max_connections_) +
                                                    " connections stayed busy for " +
                                                    std::to_string(wait_.count()) + " ms");
    }
    if (!idle_.empty()) {
      auto connection = std::move(idle_.back());
      idle_.pop_back();
      return Lease(this, std::move(connection));
    }
    ++open_;
  }
  // Connected outside the lock: a slow or unreachable server must not stall other acquirers.
  auto connection = PostgresConnection::open(conninfo_);
  if (!connection.ok()) {
    std::lock_guard lock(mutex_);
    --open_;
    returned_.notify_one();
    return std::move(connection).error();
  }
  return Lease(this, std::move(*connection));
}

void PostgresPool::release(std::unique_ptr<PostgresConnection> connection) {
  std::lock_guard lock(mutex_);
  if (connection->reusable()) {
    idle_.push_back(std::move(connection));
  } else {
    --open_;
  }
  returned_.notify_one();
}

PostgresPool::Lease::~Lease() {
  if (connection_) pool_->release(std::move(connection_));
}

}  // namespace berth::metadata

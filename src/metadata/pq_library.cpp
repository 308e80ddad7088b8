#include "metadata/pq_library.hpp"

#include "common/shared_library.hpp"

namespace berth::metadata {
namespace {

// The soname of Debian's libpq5, which libpq-dev compiles against.
constexpr const char* kSoname = "libpq.so.5";

Result<const PqLibrary*> load() {
  Result<SharedLibrary> handle = SharedLibrary::open(kSoname);
  if (!handle) return std::move(handle).error();
  static PqLibrary library{};
  handle->bind("PQconnectdb", library.connectdb);
  handle->bind("PQstatus", library.status);
  handle->bind("PQtransactionStatus", library.transaction_status);
  handle->bind("PQerrorMessage", library.error_message);
  handle->bind("PQfinish", library.finish);
  handle->bind("PQexec", library.exec);
  handle->bind("PQprepare", library.prepare);
  handle->bind("PQexecPrepared", library.exec_prepared);
  handle->bind("PQresultStatus", library.result_status);
  handle->bind("PQresultErrorField", library.result_error_field);
  handle->bind("PQresultErrorMessage", library.result_error_message);
  handle->bind("PQclear", library.clear);
  handle->bind("PQntuples", library.ntuples);
  handle->bind("PQgetisnull", library.getisnull);
  handle->bind("PQgetvalue", library.getvalue);
  handle->bind("PQgetlength", library.getlength);
  handle->bind("PQcmdTuples", library.cmd_tuples);
  handle->bind("PQunescapeBytea", library.unescape_bytea);
  handle->bind("PQfreemem", library.freemem);
  handle->bind("PQsetNoticeProcessor", library.set_notice_processor);
  BERTH_TRY(handle->complete());
  return &library;
}

}  // namespace

Result<const PqLibrary*> pq_library() {
  static const Result<const PqLibrary*> loaded = load();
  return loaded;
}

}  // namespace berth::metadata

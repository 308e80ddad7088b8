// libpq, opened on first use instead of linked (common/shared_library.hpp): libpq.so.5 brings
// Kerberos, LDAP, SASL and GnuTLS with it, which a berth on SQLite would otherwise carry in memory
// from start-up. Only a node configured for PostgreSQL loads it.
#pragma once

#include <libpq-fe.h>

#include <cstddef>

#include "common/result.hpp"

namespace berth::metadata {

// The libpq entry points berth uses, as the loaded library exports them.
struct PqLibrary {
  PGconn* (*connectdb)(const char*);
  ConnStatusType (*status)(const PGconn*);
  PGTransactionStatusType (*transaction_status)(const PGconn*);
  char* (*error_message)(const PGconn*);
  void (*finish)(PGconn*);
  PGresult* (*exec)(PGconn*, const char*);
  PGresult* (*prepare)(PGconn*, const char*, const char*, int, const Oid*);
  PGresult* (*exec_prepared)(PGconn*, const char*, int, const char* const*, const int*, const int*, int);
  ExecStatusType (*result_status)(const PGresult*);
  char* (*result_error_field)(const PGresult*, int);
  char* (*result_error_message)(const PGresult*);
  void (*clear)(PGresult*);
  int (*ntuples)(const PGresult*);
  int (*getisnull)(const PGresult*, int, int);
  char* (*getvalue)(const PGresult*, int, int);
  int (*getlength)(const PGresult*, int, int);
  char* (*cmd_tuples)(PGresult*);
  unsigned char* (*unescape_bytea)(const unsigned char*, std::size_t*);
  void (*freemem)(void*);
  PQnoticeProcessor (*set_notice_processor)(PGconn*, PQnoticeProcessor, void*);
};

// Loads libpq once (thread-safe). unavailable, with the reason, when the library or one of its
// symbols cannot be found; later calls give the same answer.
Result<const PqLibrary*> pq_library();

}  // namespace berth::metadata

// The PostgreSQL metadata schema as an ordered list of migrations, the counterpart of
// sqlite_schema.hpp with the same tables, keys and garbage-collection triggers (PL/pgSQL). Table
// `berth_schema` records how many migrations have been applied. migrate_postgres() applies the
// rest in one transaction that holds a transaction-scoped advisory lock, so nodes starting at
// once take turns and a half-applied schema is never seen. Never edit a released migration:
// append a new one.
#pragma once

#include <cstddef>

#include "common/result.hpp"
#include "metadata/postgres_connection.hpp"

namespace berth::metadata {

// The schema version this build writes (the number of migrations).
std::size_t postgres_schema_version();

// Brings the database up to postgres_schema_version(). A database written by a newer berth is
// refused with `unavailable` rather than touched.
Status migrate_postgres(PostgresConnection& connection);

}  // namespace berth::metadata

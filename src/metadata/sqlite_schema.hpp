// The SQLite metadata schema as an ordered list of migrations. PRAGMA user_version records how many
// have been applied; migrate() applies the rest in one transaction, so a database is always at a
// version this code knows. Never edit a released migration: append a new one.
#pragma once

#include <cstddef>

#include "common/result.hpp"
#include "metadata/sqlite_connection.hpp"

namespace berth::metadata {

// The schema version this build writes (the number of migrations).
std::size_t sqlite_schema_version();

// Brings the database up to sqlite_schema_version(). A database written by a newer berth (higher
// user_version) is refused with `unavailable` rather than touched.
Status migrate(SqliteConnection& connection);

}  // namespace berth::metadata

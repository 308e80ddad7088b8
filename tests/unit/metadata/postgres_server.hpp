// A throwaway PostgreSQL 15 cluster for tests: initdb into a temp dir, served on a Unix socket in
// that dir only (no TCP port to collide with), stopped and removed by the destructor. As root, the
// server runs as the `postgres` system user, since PostgreSQL refuses to run as root.
// scripts/deps.sh installs postgresql-15 for the tests.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

namespace berth::test {

class PostgresServer {
 public:
  // Initialises and starts a cluster; throws std::runtime_error (with the log) when it cannot.
  PostgresServer();
  ~PostgresServer();
  PostgresServer(const PostgresServer&) = delete;
  PostgresServer& operator=(const PostgresServer&) = delete;

  // A new, empty database for one test.
  std::string create_database();
  // libpq conninfo for `database`.
  std::string conninfo(const std::string& database = "postgres") const;

  void stop();
  void start();

 private:
  std::filesystem::path dir_;
  int databases_ = 0;
  bool running_ = false;
};

}  // namespace berth::test

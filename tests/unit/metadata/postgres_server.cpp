#include "postgres_server.hpp"

#include <fcntl.h>
#include <pwd.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <vector>

#include "metadata/postgres_connection.hpp"

extern char** environ;

namespace berth::test {
namespace {

const std::filesystem::path kBin = "/usr/lib/postgresql/15/bin";

// Runs `argv` as the server's user, output to `log`; its exit status.
int run(std::vector<std::string> argv, const std::filesystem::path& log) {
  if (geteuid() == 0) argv.insert(argv.begin(), {"runuser", "-u", "postgres", "--"});
  std::vector<char*> args;
  for (auto& arg : argv) args.push_back(arg.data());
  args.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  pid_t pid = 0;
  int rc = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) return -1;
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

PostgresServer::PostgresServer() {
  std::string pattern = (std::filesystem::temp_directory_path() / "berth-pg-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  dir_ = pattern;
  if (geteuid() == 0) {
    const passwd* postgres = getpwnam("postgres");
    if (postgres == nullptr || chown(dir_.c_str(), postgres->pw_uid, postgres->pw_gid) != 0) {
      throw std::runtime_error("cannot hand " + dir_.string() + " to the postgres user");
    }
  }
  if (run({(kBin / "initdb").string(), "-D", (dir_ / "data").string(), "-A", "trust", "-U", "berth", "--no-sync",
           "-E", "UTF8", "--locale=C.UTF-8"},
          dir_ / "initdb.log") != 0) {
    throw std::runtime_error("initdb failed: " + read_file(dir_ / "initdb.log"));
  }
  start();
}

PostgresServer::~PostgresServer() {
  if (running_) stop();
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

void PostgresServer::start() {
  // fsync off: the tests need durability from neither the disk nor this throwaway cluster.
  if (run({(kBin / "pg_ctl").string(), "-D", (dir_ / "data").string(), "-w", "-t", "30", "-l",
           (dir_ / "server.log").string(), "-o", "-k " + dir_.string() + " -c listen_addresses='' -F", "start"},
          dir_ / "pg_ctl.log") != 0) {
    throw std::runtime_error("pg_ctl start failed: " + read_file(dir_ / "server.log"));
  }
  running_ = true;
}

void PostgresServer::stop() {
  run({(kBin / "pg_ctl").string(), "-D", (dir_ / "data").string(), "-m", "immediate", "-w", "stop"},
      dir_ / "pg_ctl.log");
  running_ = false;
}

std::string PostgresServer::conninfo(const std::string& database) const {
  return "host=" + dir_.string() + " user=berth dbname=" + database;
}

std::string PostgresServer::create_database() {
  const std::string name = "test_" + std::to_string(++databases_);
  auto connection = metadata::PostgresConnection::open(conninfo());
  if (!connection.ok()) throw std::runtime_error(connection.error().message);
  auto created = (*connection)->exec("CREATE DATABASE " + name);
  if (!created.ok()) throw std::runtime_error(created.error().message);
  return name;
}

}  // namespace berth::test

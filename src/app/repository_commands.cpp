#include "app/repository_commands.hpp"

#include <iostream>
#include <string>

#include "app/data_stores.hpp"
#include "common/names.hpp"

namespace berth::app {
namespace {

constexpr std::size_t kListPage = 1000;

bool check_name(std::string_view name) {
  if (is_valid_repository_name(name)) return true;
  std::cerr << "berth: invalid repository name '" << name
            << "': lower-case letters and digits, separated by '.', '_', '__', '-' or '/'\n";
  return false;
}

}  // namespace

int create_repository(const Settings& settings, std::string_view name) {
  if (!check_name(name)) return 2;
  auto metadata = open_metadata_or_report(settings.data_dir);
  if (!metadata) return 2;
  auto exists = metadata->repository_exists(name);
  if (!exists.ok()) {
    std::cerr << "berth: " << exists.error().message << "\n";
    return 1;
  }
  if (*exists) {
    std::cout << "repository " << name << " already exists\n";
    return 0;
  }
  auto created = metadata->create_repository(name);
  if (!created.ok()) {
    std::cerr << "berth: " << created.error().message << "\n";
    return 1;
  }
  std::cout << "created repository " << name << "\n";
  return 0;
}

int list_repositories(const Settings& settings) {
  auto metadata = open_metadata_or_report(settings.data_dir);
  if (!metadata) return 2;
  std::string after;
  while (true) {
    auto page = metadata->list_repositories(after, kListPage);
    if (!page.ok()) {
      std::cerr << "berth: " << page.error().message << "\n";
      return 1;
    }
    for (const auto& name : *page) std::cout << name << "\n";
    if (page->size() < kListPage) return 0;
    after = page->back();
  }
}

int delete_repository(const Settings& settings, std::string_view name, bool force) {
  if (!check_name(name)) return 2;
  auto metadata = open_metadata_or_report(settings.data_dir);
  if (!metadata) return 2;
  auto deleted = metadata->delete_repository(name, force);
  if (!deleted.ok()) {
    if (deleted.error().code == ErrorCode::conflict) {
      std::cerr << "berth: repository " << name << " still holds images; delete them first or pass --force\n";
    } else if (deleted.error().code == ErrorCode::name_unknown) {
      std::cerr << "berth: no repository named " << name << "\n";
    } else {
      std::cerr << "berth: " << deleted.error().message << "\n";
    }
    return 1;
  }
  std::cout << "deleted repository " << name << "\n";
  return 0;
}

}  // namespace berth::app

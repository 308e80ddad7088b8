#include "common/names.hpp"

namespace berth {
namespace {

bool is_lower_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

// One path component: alnum runs joined by '.', '_', '__' or one or more '-'.
bool is_valid_component(std::string_view component) {
  std::size_t i = 0;
  const std::size_t n = component.size();
  auto alnum_run = [&] {
    std::size_t start = i;
    while (i < n && is_lower_alnum(component[i])) ++i;
    return i > start;
  };
  if (!alnum_run()) return false;
  while (i < n) {
    char c = component[i];
    if (c == '.') {
      ++i;
    } else if (c == '_') {
      ++i;
      if (i < n && component[i] == '_') ++i;
    } else if (c == '-') {
      while (i < n && component[i] == '-') ++i;
    } else {
      return false;
    }
    if (!alnum_run()) return false;
  }
  return true;
}

}  // namespace

bool is_valid_repository_name(std::string_view name) {
  if (name.empty() || name.size() > 255) return false;
  while (true) {
    auto slash = name.find('/');
    if (!is_valid_component(name.substr(0, slash))) return false;
    if (slash == std::string_view::npos) return true;
    name.remove_prefix(slash + 1);
  }
}

bool is_valid_tag(std::string_view tag) {
  if (tag.empty() || tag.size() > 128) return false;
  auto word = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'; };
  if (!word(tag[0])) return false;
  for (char c : tag.substr(1)) {
    if (!word(c) && c != '.' && c != '-') return false;
  }
  return true;
}

}  // namespace berth

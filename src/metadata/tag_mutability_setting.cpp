#include "metadata/tag_mutability_setting.hpp"

#include <algorithm>

namespace berth::metadata {
namespace {

constexpr std::size_t kMaxFilterLength = 128;

bool is_filter_character(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '.' || c == '_' ||
         c == '*' || c == '-';
}

bool takes_exclusions(TagMutability mutability) {
  return mutability == TagMutability::immutable_with_exclusion || mutability == TagMutability::mutable_with_exclusion;
}

}  // namespace

std::string_view tag_mutability_name(TagMutability mutability) {
  switch (mutability) {
    case TagMutability::mutable_tags:
      return "MUTABLE";
    case TagMutability::immutable:
      return "IMMUTABLE";
    case TagMutability::immutable_with_exclusion:
      return "IMMUTABLE_WITH_EXCLUSION";
    case TagMutability::mutable_with_exclusion:
      return "MUTABLE_WITH_EXCLUSION";
  }
  return "MUTABLE";
}

std::optional<TagMutability> tag_mutability_named(std::string_view name) {
  const auto named = std::ranges::find(kTagMutabilities, name, tag_mutability_name);
  if (named == kTagMutabilities.end()) return std::nullopt;
  return *named;
}

Status check_exclusion_filter(std::string_view filter) {
  if (filter.empty() || filter.size() > kMaxFilterLength) {
    return make_error(ErrorCode::invalid_argument, "must have length between 1 and 128");
  }
  if (!std::ranges::all_of(filter, is_filter_character)) {
    return make_error(ErrorCode::invalid_argument, "must satisfy regular expression pattern: ^[0-9a-zA-Z._*-]{1,128}");
  }
  return {};
}

Status check_exclusion_filter_count(TagMutability mutability, std::size_t count) {
  const std::string name(tag_mutability_name(mutability));
  if (takes_exclusions(mutability) && (count == 0 || count > kMaxExclusionFilters)) {
    return make_error(ErrorCode::invalid_argument,
                      "must list 1 to " + std::to_string(kMaxExclusionFilters) + " filters for " + name);
  }
  if (!takes_exclusions(mutability) && count > 0) {
    return make_error(ErrorCode::invalid_argument, "is only allowed with " + name + "_WITH_EXCLUSION");
  }
  return {};
}

}  // namespace berth::metadata

// A repository's tag mutability as it is declared: ECR's mode name and the `*` wildcard exclusion
// filters of the *_WITH_EXCLUSION modes. The ECR API (CreateRepository, PutImageTagMutability) and
// provisioning (the module's `image_tag_mutability` input) both check a declaration with these
// rules, so each accepts exactly the settings the other does. Messages are constraints
// ("must ...") that each caller prefixes with what it names the value.
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "metadata/metadata_store.hpp"

namespace berth::metadata {

struct TagMutabilitySetting {
  TagMutability mutability = TagMutability::mutable_tags;
  std::vector<std::string> exclusions;  // empty unless the mode is *_WITH_EXCLUSION

  bool operator==(const TagMutabilitySetting&) const = default;
};

// Every mode, in ECR's order.
inline constexpr std::array<TagMutability, 4> kTagMutabilities = {TagMutability::mutable_tags, TagMutability::immutable,
                                                                  TagMutability::immutable_with_exclusion,
                                                                  TagMutability::mutable_with_exclusion};

inline constexpr std::size_t kMaxExclusionFilters = 5;

// ECR's `ImageTagMutability` name ("MUTABLE", "IMMUTABLE_WITH_EXCLUSION", ...).
std::string_view tag_mutability_name(TagMutability mutability);
// The mode ECR names `name` (case-sensitive, as ECR is); nullopt for none.
std::optional<TagMutability> tag_mutability_named(std::string_view name);

// invalid_argument unless `filter` is 1 to 128 of [0-9a-zA-Z._*-].
Status check_exclusion_filter(std::string_view filter);
// invalid_argument unless the *_WITH_EXCLUSION modes have 1 to kMaxExclusionFilters filters and
// the others none.
Status check_exclusion_filter_count(TagMutability mutability, std::size_t count);

}  // namespace berth::metadata

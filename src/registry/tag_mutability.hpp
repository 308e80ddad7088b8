// ECR tag immutability on the registry's manifest PUT (interfaces.md §6.2, §6.5): in an immutable
// repository a push may not move an existing tag to another manifest. The exclusion modes flip the
// rule for tags matching one of the repository's `*` wildcard filters (whole tag, case-sensitive):
// IMMUTABLE_WITH_EXCLUSION leaves matching tags mutable, MUTABLE_WITH_EXCLUSION makes only matching
// tags immutable. Pushing the digest a tag already names is not a move and is always allowed.
#pragma once

#include <string_view>

#include "common/result.hpp"
#include "metadata/metadata_store.hpp"

namespace berth::registry {

// Whether a push may point an existing `tag` at another manifest.
bool tag_may_move(const metadata::RepositorySettings& settings, std::string_view tag);

// tag_immutable (TAG_INVALID on the registry) in ECR's words: `The image tag '<tag>' already exists in the '<repository>'
// repository and cannot be overwritten because the repository is immutable.`
Error immutable_tag(std::string_view tag, std::string_view repository);

}  // namespace berth::registry

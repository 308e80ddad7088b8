#include "registry/tag_mutability.hpp"

#include <algorithm>
#include <string>

#include "auth/text_match.hpp"

namespace berth::registry {
namespace {

// Filters hold only [0-9a-zA-Z._*-] (the ECR front door checks them), so IAM's `*`/`?` matcher
// only ever sees `*`.
bool excluded(const metadata::RepositorySettings& settings, std::string_view tag) {
  return std::any_of(settings.tag_mutability_exclusions.begin(), settings.tag_mutability_exclusions.end(),
                     [&](const std::string& filter) { return auth::wildcard_match(filter, tag, auth::Case::sensitive); });
}

}  // namespace

bool tag_may_move(const metadata::RepositorySettings& settings, std::string_view tag) {
  switch (settings.tag_mutability) {
    case metadata::TagMutability::mutable_tags:
      return true;
    case metadata::TagMutability::immutable:
      return false;
    case metadata::TagMutability::immutable_with_exclusion:
      return excluded(settings, tag);
    case metadata::TagMutability::mutable_with_exclusion:
      return !excluded(settings, tag);
  }
  return false;
}

Error immutable_tag(std::string_view tag, std::string_view repository) {
  return make_error(ErrorCode::tag_immutable, "The image tag '" + std::string(tag) + "' already exists in the '" +
                                                std::string(repository) +
                                                "' repository and cannot be overwritten because the repository is "
                                                "immutable.");
}

}  // namespace berth::registry

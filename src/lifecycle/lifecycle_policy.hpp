// ECR lifecycle policies (interfaces.md §6.4): ECR's grammar, the parsed rules that
// lifecycle_evaluation applies, and the MoJ module's canned policies (§1.3).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"

namespace berth::lifecycle {

// ECR's limits on lifecycle policy text, in bytes.
inline constexpr std::size_t kMinLifecyclePolicyLength = 100;
inline constexpr std::size_t kMaxLifecyclePolicyLength = 30720;

enum class TagStatus { tagged, untagged, any };
enum class CountType { image_count_more_than, since_image_pushed };  // countUnit is always days

struct LifecycleRule {
  std::int64_t priority = 0;
  std::string description;
  TagStatus tag_status = TagStatus::any;
  // Tagged rules only: an image is selected when every prefix and every pattern matches one of its tags.
  std::vector<std::string> tag_prefixes;
  std::vector<std::string> tag_patterns;  // `*` matches any run of characters
  CountType count_type = CountType::image_count_more_than;
  std::int64_t count_number = 0;  // images to keep, or days since push
};

struct LifecyclePolicy {
  std::vector<LifecycleRule> rules;  // lowest rulePriority first, the order ECR applies them
  std::string text;                  // the document compacted, key order kept: what is stored
};

// Validates `text` against ECR's grammar. invalid_argument naming the element, e.g.
// "rules[1].selection.countUnit: only allowed with countType \"sinceImagePushed\"".
Result<LifecyclePolicy> parse_lifecycle_policy(std::string_view text);

// parse_lifecycle_policy's text alone.
Result<std::string> normalise_lifecycle_policy(std::string_view text);

enum class CannedLifecycle { days, images };

// The module's single-rule policy: expire images older than `count` days, or keep the `count`
// newest. `count` must be positive.
std::string canned_lifecycle_policy(CannedLifecycle type, std::int64_t count);

}  // namespace berth::lifecycle

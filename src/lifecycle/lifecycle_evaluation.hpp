// Which images a lifecycle policy expires, by ECR's evaluation rules (interfaces.md §6.4):
// - rules apply in rulePriority order, lowest first, and each image is expired by one rule at most;
// - an image whose tags a rule selects can no longer be expired by a later (lower-priority) rule,
//   yet later rules still count it, as if it had not been expired;
// - imageCountMoreThan keeps the `countNumber` most recently pushed images a rule selects and
//   expires the rest; sinceImagePushed expires what was pushed more than `countNumber` days ago;
// - images that belong to another (an index's children, referrers with a `subject`) are neither
//   counted nor expired: they follow their parent, as ECR keeps a manifest list's images.
// Pure: the caller reads the images and deletes what comes back.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "common/digest.hpp"
#include "lifecycle/lifecycle_policy.hpp"

namespace berth::lifecycle {

struct LifecycleImage {
  Digest digest;
  std::vector<std::string> tags;  // none: untagged
  std::int64_t pushed_unix = 0;
  bool dependent = false;  // a child of an index or a referrer: follows its parent
};

struct Expiry {
  Digest digest;
  std::vector<std::string> tags;
  std::int64_t pushed_unix = 0;
  std::int64_t rule_priority = 0;
  std::string reason;  // one line: which count or age made the rule expire it
};

// In push order, oldest first (the order ECR expires in). Images pushed in the same second are
// ordered by digest, so a run is repeatable.
std::vector<Expiry> evaluate_lifecycle(const LifecyclePolicy& policy, std::span<const LifecycleImage> images,
                                       std::int64_t now_unix);

// ECR's tagPatternList match: `*` is any run of characters; everything else is literal.
bool tag_pattern_matches(std::string_view pattern, std::string_view tag);

}  // namespace berth::lifecycle

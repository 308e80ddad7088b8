// ECR lifecycle policies (interfaces.md §6.4): validation against ECR's grammar, and the MoJ
// module's canned policies (§1.3). What is returned is the text to store with the repository.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.hpp"

namespace berth::provision {

// ECR's limits on lifecycle policy text, in bytes.
inline constexpr std::size_t kMinLifecyclePolicyLength = 100;
inline constexpr std::size_t kMaxLifecyclePolicyLength = 30720;

// Validates `text` and returns it compacted (key order kept). invalid_argument naming the element,
// e.g. "rules[1].selection.countUnit: only allowed with countType \"sinceImagePushed\"".
Result<std::string> normalise_lifecycle_policy(std::string_view text);

enum class CannedLifecycle { days, images };

// The module's single-rule policy: expire images older than `count` days, or keep the `count`
// newest. `count` must be positive.
std::string canned_lifecycle_policy(CannedLifecycle type, std::int64_t count);

}  // namespace berth::provision

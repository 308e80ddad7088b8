// "Did you mean" hints for misspelt names (module inputs, variables, providers).
#pragma once

#include <span>
#include <string>
#include <string_view>

namespace berth::provision {

// ` (did you mean "x"?)` for the candidate closest to `word` when it is within a third of the
// word's length in edits (at least one), else empty.
std::string did_you_mean(std::string_view word, std::span<const std::string_view> candidates);

}  // namespace berth::provision

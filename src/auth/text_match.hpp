// String comparisons of the IAM policy language (interfaces.md §5): ASCII case folding for action
// names and condition keys, and the `*`/`?` wildcard of StringLike, Action and Resource elements.
// Pure functions, thread-safe.
#pragma once

#include <string_view>

namespace berth::auth {

enum class Case { sensitive, insensitive };

// ASCII case folding only: IAM names (actions, condition keys) are ASCII.
bool iequals(std::string_view a, std::string_view b);

// Strict weak order that ignores ASCII case; transparent so maps keyed by it accept string_views.
struct CaseInsensitiveLess {
  using is_transparent = void;
  bool operator()(std::string_view a, std::string_view b) const;
};

// `*` matches any run of characters (none included, `/` and `:` included), `?` exactly one
// character (one UTF-8 sequence, since policies may hold U+0080–U+00FF). No escapes: IAM has none.
// Linear in practice: backtracks only to the last `*`.
bool wildcard_match(std::string_view pattern, std::string_view text, Case sensitivity);

}  // namespace berth::auth

// Splitting an HTTP request-target into the decoded path and the raw query.
#pragma once

#include <string>
#include <string_view>

#include "common/result.hpp"

namespace berth::http {

struct Target {
  std::string path;       // percent-decoded except `%2F` ('+' stays '+': it means space only in queries)
  std::string raw_query;  // after the first '?', undecoded; empty when absent
};

// 0–15 for a hexadecimal digit of either case, -1 for anything else (%-escapes).
int hex_value(char c);

// Decodes %-escapes in a path or one of its segments. `%2F` stays as it is: RFC 3986 makes an
// encoded '/' data, not a separator, so decoding it would let `team%2Fapp` route and authorize as
// the two-segment name `team/app`. invalid_argument for a malformed escape or one that decodes to NUL.
Result<std::string> decode_path(std::string_view path);

// Accepts origin-form only ("/path?query"); invalid_argument for any other form, a malformed
// %-escape, or an escape that decodes to NUL.
Result<Target> parse_target(std::string_view target);

}  // namespace berth::http

// Parameters of an AWS query-protocol request (interfaces.md §4.1): an
// `application/x-www-form-urlencoded` body, or the query string of a GET. Unlike http::Query, '+'
// means a space here (HTML form encoding, which SDKs use for the body).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.hpp"

namespace berth::aws {

class FormParams {
 public:
  // invalid_argument for a malformed %-escape; empty pairs (`a=1&&b=2`) are skipped.
  static Result<FormParams> parse(std::string_view encoded);

  // The first value of `name` (names are case-sensitive, as AWS's are).
  std::optional<std::string_view> get(std::string_view name) const;
  bool has(std::string_view name) const { return get(name).has_value(); }
  // Whether any parameter name starts with `prefix` (lists: `PolicyArns.member.1.arn`).
  bool has_prefix(std::string_view prefix) const;
  const std::vector<std::pair<std::string, std::string>>& all() const { return items_; }

 private:
  std::vector<std::pair<std::string, std::string>> items_;
};

}  // namespace berth::aws

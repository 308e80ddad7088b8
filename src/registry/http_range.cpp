#include "registry/http_range.hpp"

#include <strings.h>
#include <limits>

namespace berth::registry {
namespace {

constexpr std::uint64_t kMax = std::numeric_limits<std::uint64_t>::max();

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// Decimal digits only. Saturates instead of overflowing: a position beyond 2^64 is past the end of
// any blob, which is exactly what the saturated value says.
std::optional<std::uint64_t> parse_position(std::string_view text) {
  if (text.empty()) return std::nullopt;
  std::uint64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    const auto digit = static_cast<std::uint64_t>(c - '0');
    value = value > (kMax - digit) / 10 ? kMax : value * 10 + digit;
  }
  return value;
}

RangeSelection partial(std::uint64_t first, std::uint64_t last) {
  return {RangeSelection::Kind::partial, first, last - first + 1};
}

}  // namespace

RangeSelection select_range(std::optional<std::string_view> header, std::uint64_t size) {
  constexpr RangeSelection kFull{};
  constexpr RangeSelection kUnsatisfiable{RangeSelection::Kind::unsatisfiable, 0, 0};
  if (!header) return kFull;
  std::string_view value = trim(*header);
  constexpr std::string_view kUnit = "bytes";
  if (value.size() <= kUnit.size() || ::strncasecmp(value.data(), kUnit.data(), kUnit.size()) != 0) return kFull;
  value = trim(value.substr(kUnit.size()));
  if (value.empty() || value.front() != '=') return kFull;
  value = trim(value.substr(1));
  if (value.find(',') != std::string_view::npos) return kFull;

  const auto dash = value.find('-');
  if (dash == std::string_view::npos) return kFull;
  const std::string_view first_text = trim(value.substr(0, dash));
  const std::string_view last_text = trim(value.substr(dash + 1));

  if (first_text.empty()) {
    auto suffix = parse_position(last_text);
    if (!suffix) return kFull;
    if (*suffix == 0) return kUnsatisfiable;
    // An empty representation has no bytes to select; serving it whole is the honest answer.
    if (size == 0) return kFull;
    return partial(*suffix >= size ? 0 : size - *suffix, size - 1);
  }

  auto first = parse_position(first_text);
  if (!first) return kFull;
  std::uint64_t last = kMax;
  if (!last_text.empty()) {
    auto parsed = parse_position(last_text);
    if (!parsed || *parsed < *first) return kFull;
    last = *parsed;
  }
  if (*first >= size) return kUnsatisfiable;
  return partial(*first, last >= size ? size - 1 : last);
}

std::string content_range_value(const RangeSelection& selection, std::uint64_t size) {
  if (selection.kind == RangeSelection::Kind::partial) {
    return "bytes " + std::to_string(selection.offset) + "-" + std::to_string(selection.offset + selection.length - 1) +
           "/" + std::to_string(size);
  }
  return "bytes */" + std::to_string(size);
}

}  // namespace berth::registry

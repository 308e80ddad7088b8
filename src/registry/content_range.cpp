#include "registry/content_range.hpp"

#include <charconv>
#include <limits>
#include <optional>

namespace berth::registry {
namespace {

// Offsets are file offsets, so they must fit off_t.
constexpr std::uint64_t kMaxOffset = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());

std::optional<std::uint64_t> parse_offset(std::string_view text) {
  std::uint64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{} || end != text.data() + text.size() || value > kMaxOffset) return std::nullopt;
  return value;
}

Error invalid(std::string_view header) {
  return make_error(ErrorCode::range_invalid, "invalid content range: " + std::string(header.substr(0, 64)));
}

}  // namespace

Result<ChunkRange> parse_content_range(std::string_view header) {
  const std::string_view text = header;
  const auto dash = text.find('-');
  if (dash == std::string_view::npos) return invalid(header);
  auto first = parse_offset(text.substr(0, dash));
  auto last = parse_offset(text.substr(dash + 1));
  if (!first || !last || *last < *first) return invalid(header);
  return ChunkRange{*first, *last};
}

std::string upload_range_value(std::uint64_t size) { return "0-" + std::to_string(size == 0 ? 0 : size - 1); }

}  // namespace berth::registry

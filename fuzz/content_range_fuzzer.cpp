// Upload `Content-Range` (registry/content_range) and blob GET `Range` (registry/http_range).
// Input: a byte choosing which, 8 bytes of representation size for Range, then the header value.
#include "fuzz_input.hpp"
#include "registry/content_range.hpp"
#include "registry/http_range.hpp"

using berth::fuzz::check;

namespace {

void check_content_range(std::string_view header) {
  const auto range = berth::registry::parse_content_range(header);
  if (!range) return;
  check(range->first <= range->last, "Content-Range with first > last");
  check(range->last <= static_cast<std::uint64_t>(INT64_MAX), "Content-Range beyond off_t");
  check(range->length() >= 1, "Content-Range of no bytes");
}

void check_range(std::string_view header, std::uint64_t size) {
  using Kind = berth::registry::RangeSelection::Kind;
  const auto selection = berth::registry::select_range(header, size);
  const std::string value = berth::registry::content_range_value(selection, size);
  if (selection.kind == Kind::partial) {
    check(selection.length >= 1, "partial range of no bytes");
    check(selection.offset < size && selection.length <= size - selection.offset, "partial range past the end");
    check(value.starts_with("bytes "), "partial Content-Range without its unit");
  } else if (selection.kind == Kind::unsatisfiable) {
    check(value == "bytes */" + std::to_string(size), "unsatisfiable Content-Range is not bytes */size");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  berth::fuzz::Input input(data, size);
  if (input.byte() % 2 == 0) {
    check_content_range(input.rest());
    return 0;
  }
  std::uint64_t representation_size = 0;
  for (int i = 0; i < 8; ++i) representation_size = representation_size << 8 | input.byte();
  check_range(input.rest(), representation_size);
  return 0;
}

// The `Range` request header of a blob GET (RFC 9110 §14.2), reduced to what a registry serves:
// one byte range of one representation. Anything berth chooses not to honour (other units, several
// ranges, bad syntax) selects the whole representation, as RFC 9110 lets a server ignore Range.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace berth::registry {

struct RangeSelection {
  enum class Kind {
    full,           // 200 with the whole representation
    partial,        // 206 with [offset, offset + length)
    unsatisfiable,  // 416 with `Content-Range: bytes */<size>`
  };
  Kind kind = Kind::full;
  std::uint64_t offset = 0;
  std::uint64_t length = 0;
};

// Applies `header` (the Range value, if any) to a representation of `size` bytes. Accepts
// `bytes=a-b`, `bytes=a-` and `bytes=-n`; a last position past the end is clamped.
RangeSelection select_range(std::optional<std::string_view> header, std::uint64_t size);

// The Content-Range response value: `bytes a-b/size` for partial, `bytes */size` for unsatisfiable.
std::string content_range_value(const RangeSelection& selection, std::uint64_t size);

}  // namespace berth::registry

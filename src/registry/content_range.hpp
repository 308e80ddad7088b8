// The `Content-Range` request header of an upload chunk (PATCH, final PUT). The OCI grammar is
// `^[0-9]+-[0-9]+$`, inclusive, first chunk at 0, and nothing else: `bytes=1024-2047` is the
// syntax of a `Range` request header, so a client sending it means something else and its chunk
// must not be appended. Also the `Range` response value that reports an upload's progress.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.hpp"

namespace berth::registry {

struct ChunkRange {
  std::uint64_t first = 0;
  std::uint64_t last = 0;  // inclusive
  std::uint64_t length() const { return last - first + 1; }
};

// range_invalid for anything outside the grammar (signs, spaces, units, empty numbers), for
// last < first, and for numbers above 2^63.
Result<ChunkRange> parse_content_range(std::string_view header);

// `0-<size-1>`, or `0-0` for an empty upload (what the reference registry and clients expect).
std::string upload_range_value(std::uint64_t size);

}  // namespace berth::registry

// The UTF-8 checks the HCL reader needs: input must be valid UTF-8 (so every string it yields can
// be serialised), and `\u`/`\U` escapes are re-encoded.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace berth::hcl {

// Offset of the first byte that is not part of a well-formed UTF-8 sequence, or npos.
std::size_t find_invalid_utf8(std::string_view text);

// Appends the code point; false (nothing appended) for surrogates and values above U+10FFFF.
bool append_utf8(std::string& out, char32_t code_point);

}  // namespace berth::hcl

#include "hcl/utf8.hpp"

#include <algorithm>
#include <iterator>

namespace berth::hcl {
namespace {

// A multi-byte sequence: its lead byte's marker bits, its length, and the smallest code point it
// may encode (smaller ones are overlong forms).
struct SequenceShape {
  unsigned char lead_mask;
  unsigned char lead_bits;
  std::size_t length;
  char32_t minimum;
};

constexpr SequenceShape kShapes[] = {{0xE0, 0xC0, 2, 0x80}, {0xF0, 0xE0, 3, 0x800}, {0xF8, 0xF0, 4, 0x10000}};

bool is_scalar_value(char32_t code_point) {
  return code_point <= 0x10FFFF && (code_point < 0xD800 || code_point > 0xDFFF);
}

}  // namespace

std::size_t find_invalid_utf8(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto lead = static_cast<unsigned char>(text[i]);
    if (lead < 0x80) {
      ++i;
      continue;
    }
    const auto* shape = std::find_if(std::begin(kShapes), std::end(kShapes),
                                     [&](const SequenceShape& s) { return (lead & s.lead_mask) == s.lead_bits; });
    if (shape == std::end(kShapes) || i + shape->length > text.size()) return i;
    char32_t code_point = lead & ~shape->lead_mask;
    for (std::size_t k = 1; k < shape->length; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xC0) != 0x80) return i;
      code_point = (code_point << 6) | (next & 0x3F);
    }
    if (code_point < shape->minimum || !is_scalar_value(code_point)) return i;  // overlong or not a character
    i += shape->length;
  }
  return std::string_view::npos;
}

bool append_utf8(std::string& out, char32_t code_point) {
  if (!is_scalar_value(code_point)) return false;
  if (code_point < 0x80) {
    out += static_cast<char>(code_point);
  } else if (code_point < 0x800) {
    out += static_cast<char>(0xC0 | (code_point >> 6));
    out += static_cast<char>(0x80 | (code_point & 0x3F));
  } else if (code_point < 0x10000) {
    out += static_cast<char>(0xE0 | (code_point >> 12));
    out += static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code_point & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (code_point >> 18));
    out += static_cast<char>(0x80 | ((code_point >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code_point & 0x3F));
  }
  return true;
}

}  // namespace berth::hcl

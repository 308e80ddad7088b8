#include "common/base64.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <cstdint>

namespace berth::base64 {
namespace {

constexpr std::int8_t kInvalid = -1;

struct Alphabet {
  char char62;
  char char63;
  bool padded;
};

constexpr Alphabet kStandard{'+', '/', true};
constexpr Alphabet kUrl{'-', '_', false};

constexpr std::array<std::int8_t, 256> decode_table(Alphabet alphabet) {
  std::array<std::int8_t, 256> table{};
  table.fill(kInvalid);
  for (int i = 0; i < 26; ++i) {
    table['A' + i] = static_cast<std::int8_t>(i);
    table['a' + i] = static_cast<std::int8_t>(26 + i);
  }
  for (int i = 0; i < 10; ++i) table['0' + i] = static_cast<std::int8_t>(52 + i);
  table[static_cast<unsigned char>(alphabet.char62)] = 62;
  table[static_cast<unsigned char>(alphabet.char63)] = 63;
  return table;
}

constexpr auto kStandardTable = decode_table(kStandard);
constexpr auto kUrlTable = decode_table(kUrl);

Error invalid(std::string_view why) {
  return make_error(ErrorCode::invalid_argument, "invalid base64: " + std::string(why));
}

// Decodes unpadded text; the caller has removed and checked any padding.
Result<std::string> decode_unpadded(std::string_view text, const std::array<std::int8_t, 256>& table) {
  if (text.size() % 4 == 1) return invalid("impossible length");
  std::string out(text.size() * 6 / 8, '\0');
  std::size_t written = 0;
  std::uint32_t accumulator = 0;
  int bits = 0;
  for (char c : text) {
    std::int8_t value = table[static_cast<unsigned char>(c)];
    if (value == kInvalid) return invalid("character outside the alphabet");
    accumulator = (accumulator << 6) | static_cast<std::uint32_t>(value);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[written++] = static_cast<char>((accumulator >> bits) & 0xFF);
    }
  }
  // Leftover bits (2 or 4) must be zero, else two spellings would decode to the same bytes.
  if ((accumulator & ((1U << bits) - 1)) != 0) return invalid("non-zero trailing bits");
  return out;
}

}  // namespace

std::string encode(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3), '\0');
  int written = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(written));
  return out;
}

std::string encode_url(std::string_view bytes) {
  std::string out = encode(bytes);
  while (!out.empty() && out.back() == '=') out.pop_back();
  std::replace(out.begin(), out.end(), kStandard.char62, kUrl.char62);
  std::replace(out.begin(), out.end(), kStandard.char63, kUrl.char63);
  return out;
}

Result<std::string> decode(std::string_view text) {
  if (text.size() % 4 != 0) return invalid("length is not a multiple of 4");
  std::size_t padding = 0;
  while (padding < 2 && padding < text.size() && text[text.size() - 1 - padding] == '=') ++padding;
  return decode_unpadded(text.substr(0, text.size() - padding), kStandardTable);
}

Result<std::string> decode_url(std::string_view text) { return decode_unpadded(text, kUrlTable); }

}  // namespace berth::base64

#include "registry/upload_id.hpp"

#include <openssl/rand.h>

#include <array>

namespace berth::registry {
namespace {

constexpr std::size_t kLength = 36;

bool is_dash_position(std::size_t i) { return i == 8 || i == 13 || i == 18 || i == 23; }

}  // namespace

Result<std::string> new_upload_id() {
  std::array<unsigned char, 16> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
    return make_error(ErrorCode::internal, "RAND_bytes failed");
  }
  bytes[6] = static_cast<unsigned char>((bytes[6] & 0x0f) | 0x40);  // version 4
  bytes[8] = static_cast<unsigned char>((bytes[8] & 0x3f) | 0x80);  // RFC 9562 variant
  constexpr char kHex[] = "0123456789abcdef";
  std::string id;
  id.reserve(kLength);
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) id += '-';
    id += kHex[bytes[i] >> 4];
    id += kHex[bytes[i] & 0x0f];
  }
  return id;
}

bool is_valid_upload_id(std::string_view id) {
  if (id.size() != kLength) return false;
  for (std::size_t i = 0; i < id.size(); ++i) {
    const char c = id[i];
    if (is_dash_position(i)) {
      if (c != '-') return false;
    } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
      return false;
    }
  }
  return true;
}

}  // namespace berth::registry

// The server's key ring: AES-256 keys that seal session tokens and registry passwords
// (session_token.hpp), so that any node holding the ring can verify any credential.
//
// One key is active and seals; every key opens, so rotating adds a new active key while tokens
// sealed under older keys stay valid until their holders drop them from the ring. A key's id is
// derived from its material (8 lower-case hex characters), so nodes configured with the same keys
// agree on ids without any coordination.
//
// On disk (`<data>/keys/`, mode 0700): one file per key, `NNNNNN.key` (0600), holding the key in
// base64 and a newline, ready to paste into a multi-node config. The highest number is the active
// key. Files appear atomically (temp file, fsync, link, fsync of the directory), and link(2) never
// replaces an existing file, so two processes starting at once settle on one first key.
//
// A KeyRing is a value: build it, then share it const between threads.
#pragma once

#include <array>
#include <cstddef>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"

namespace berth::auth {

inline constexpr std::size_t kKeySize = 32;

class RingKey {
 public:
  // 32 bytes from OpenSSL's CSPRNG; internal error if it cannot be seeded.
  static Result<RingKey> generate();
  // invalid_argument unless `material` is exactly 32 bytes.
  static Result<RingKey> from_bytes(std::string_view material);
  // invalid_argument unless `text` is the padded base64 of 32 bytes.
  static Result<RingKey> from_base64(std::string_view text);

  RingKey(const RingKey&) = default;
  RingKey& operator=(const RingKey&) = default;
  ~RingKey();  // wipes the material

  const std::string& id() const { return id_; }
  std::span<const unsigned char, kKeySize> material() const { return material_; }
  std::string to_base64() const;

 private:
  explicit RingKey(std::span<const unsigned char, kKeySize> material);
  std::array<unsigned char, kKeySize> material_{};
  std::string id_;
};

class KeyRing {
 public:
  explicit KeyRing(RingKey active);

  // Reads every key file in `directory`, creating the directory (0700) and a first key when there
  // is none. Refuses (invalid_argument) a directory or key file that group or others can access,
  // a malformed key file, or two files holding the same key; I/O failures are internal.
  static Result<KeyRing> load_or_create(const std::filesystem::path& directory);

  // Keys from configuration, as base64 text; the first is active. invalid_argument on an empty
  // list, a malformed key or a repeated key.
  static Result<KeyRing> from_keys(std::span<const std::string> base64_keys);

  // Writes a new key file to `directory` (which must exist); processes that load the directory
  // afterwards seal with it. Returns the new key's id.
  static Result<std::string> rotate_directory(const std::filesystem::path& directory);

  // Adds a key for opening only. conflict if a key with the same id is already in the ring.
  Status add(RingKey key);
  // Adds a key and makes it the active one; the previous active key stays for opening.
  Status rotate(RingKey key);

  const RingKey& active() const { return keys_[active_]; }
  // nullptr when no key has this id.
  const RingKey* find(std::string_view id) const;
  std::size_t size() const { return keys_.size(); }

 private:
  std::vector<RingKey> keys_;
  std::size_t active_ = 0;
};

}  // namespace berth::auth

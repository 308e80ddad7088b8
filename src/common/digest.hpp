// Content digests (`algorithm:hex`) and the streaming hasher that computes them.
// sha256 is required by OCI; sha512 is accepted. Other algorithms are refused with DIGEST_INVALID.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "common/result.hpp"

namespace berth {

enum class DigestAlgorithm { sha256, sha512 };

class Digest {
 public:
  // Parses and validates `sha256:<64 lower hex>` or `sha512:<128 lower hex>`.
  static Result<Digest> parse(std::string_view text);

  DigestAlgorithm algorithm() const { return algorithm_; }
  std::string_view algorithm_name() const;
  const std::string& hex() const { return hex_; }
  std::string str() const;  // "sha256:abcd..."

  bool operator==(const Digest&) const = default;
  auto operator<=>(const Digest&) const = default;

 private:
  Digest(DigestAlgorithm algorithm, std::string hex) : algorithm_(algorithm), hex_(std::move(hex)) {}
  friend class Hasher;
  DigestAlgorithm algorithm_ = DigestAlgorithm::sha256;
  std::string hex_;
};

// Incremental hash over bytes as they stream. Copyable state (clone) lets an upload keep its running
// hash between chunks without re-reading the file.
class Hasher {
 public:
  explicit Hasher(DigestAlgorithm algorithm = DigestAlgorithm::sha256);
  ~Hasher();
  Hasher(Hasher&&) noexcept;
  Hasher& operator=(Hasher&&) noexcept;
  Hasher(const Hasher&) = delete;
  Hasher& operator=(const Hasher&) = delete;

  void update(const void* data, std::size_t size);
  void update(std::string_view bytes) { update(bytes.data(), bytes.size()); }
  // The digest of everything seen so far; the hasher keeps accepting bytes afterwards.
  Digest digest() const;
  DigestAlgorithm algorithm() const { return algorithm_; }

  static Digest of(std::string_view bytes, DigestAlgorithm algorithm = DigestAlgorithm::sha256);

 private:
  struct Impl;
  DigestAlgorithm algorithm_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace berth

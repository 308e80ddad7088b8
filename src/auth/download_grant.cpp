#include "auth/download_grant.hpp"

#include <charconv>

#include "auth/sealed_token.hpp"

namespace berth::auth {
namespace {

// Neither a repository name nor a digest can hold a newline, so the fields split unambiguously.
constexpr char kSeparator = '\n';

}  // namespace

Result<std::string> seal_download_grant(const KeyRing& ring, std::string_view repository, std::string_view digest,
                                        std::int64_t expires_unix) {
  std::string plaintext;
  plaintext.append(repository).push_back(kSeparator);
  plaintext.append(digest).push_back(kSeparator);
  plaintext.append(std::to_string(expires_unix));
  return seal_token(ring, TokenPurpose::blob_download, plaintext);
}

Status check_download_grant(const KeyRing& ring, std::string_view grant, std::string_view repository,
                            std::string_view digest, std::int64_t now_unix) {
  Result<std::string> opened = open_token(ring, TokenPurpose::blob_download, grant);
  if (!opened) return make_error(ErrorCode::unauthorized, "download grant refused: " + opened.error().message);
  const std::string_view text = *opened;
  const std::size_t first = text.find(kSeparator);
  const std::size_t second = first == std::string_view::npos ? first : text.find(kSeparator, first + 1);
  if (second == std::string_view::npos) return make_error(ErrorCode::unauthorized, "download grant malformed");
  std::int64_t expires = 0;
  const std::string_view expiry = text.substr(second + 1);
  const auto [end, error] = std::from_chars(expiry.data(), expiry.data() + expiry.size(), expires);
  if (error != std::errc{} || end != expiry.data() + expiry.size()) {
    return make_error(ErrorCode::unauthorized, "download grant malformed");
  }
  if (text.substr(0, first) != repository || text.substr(first + 1, second - first - 1) != digest) {
    return make_error(ErrorCode::unauthorized, "download grant is for another blob");
  }
  if (expires <= now_unix) return make_error(ErrorCode::unauthorized, "download grant expired");
  return {};
}

}  // namespace berth::auth

// Download grants: a short-lived URL to one blob of one repository that works without other
// credentials, as ECR's GetDownloadUrlForLayer hands out presigned S3 URLs. The grant is a sealed
// token (sealed_token.hpp, its own purpose) carried in the URL's query; it names the repository,
// the digest and the expiry, so it opens exactly that blob, for GET and HEAD, until it expires, on
// every node sharing the key ring. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "auth/key_ring.hpp"
#include "common/result.hpp"

namespace berth::auth {

// The query parameter of a download URL that carries the grant.
inline constexpr std::string_view kDownloadGrantParameter = "berth-download-grant";

Result<std::string> seal_download_grant(const KeyRing& ring, std::string_view repository, std::string_view digest,
                                        std::int64_t expires_unix);

// unauthorized when the grant is not one this ring sealed, names another repository or digest, or
// expired at or before `now_unix`; the message is for logs.
Status check_download_grant(const KeyRing& ring, std::string_view grant, std::string_view repository,
                            std::string_view digest, std::int64_t now_unix);

}  // namespace berth::auth

// What the STS and ECR front doors need to know about this server.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>

#include "auth/role_permissions.hpp"

namespace berth::aws {

struct AwsOptions {
  auth::AccountSettings account;  // account id (registry id) and region
  std::string public_url;         // proxyEndpoint: how clients reach the registry, no trailing slash
  std::chrono::seconds allowed_clock_skew{5 * 60};        // SigV4 request time window, each way
  std::chrono::seconds registry_password_lifetime{12 * 60 * 60};  // ECR: 12 h
  std::chrono::seconds default_session_duration{60 * 60};  // STS DurationSeconds when absent
  std::size_t max_request_bytes = 1024 * 1024;             // STS form / ECR JSON request bodies
  // ECR requests that carry content: UploadLayerPart (a part of up to 20 MiB, base64 in JSON) and
  // PutImage (a manifest of up to 4 MiB, JSON-escaped).
  std::size_t max_content_request_bytes = 32 * 1024 * 1024;
  std::uint64_t max_images_per_repository = 100'000;  // PutImage, as registry::RegistryOptions
  // BatchCheckLayerAvailability re-marks a blob awaiting garbage collection review once its last
  // mark is this old, as the registry's blob HEAD does (registry::RegistryOptions).
  std::chrono::seconds reuse_mark_interval{60};
  // How long a GetDownloadUrlForLayer URL opens its blob.
  std::chrono::seconds download_url_lifetime{10 * 60};
};

}  // namespace berth::aws

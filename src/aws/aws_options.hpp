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
};

}  // namespace berth::aws

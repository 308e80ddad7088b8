// The STS query protocol's success bodies (interfaces.md §4.3, §4.4): `<OpResponse xmlns=...>
// <OpResult>...</OpResult><ResponseMetadata><RequestId/></ResponseMetadata></OpResponse>`.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "aws/sts_service.hpp"

namespace berth::aws {

// ISO 8601 in UTC with whole seconds, as AWS writes timestamps: `2026-01-01T01:00:00Z`.
std::string iso8601_utc(std::chrono::sys_seconds time);

std::string assume_role_with_web_identity_xml(const AssumedRole& assumed, std::string_view request_id);
std::string get_caller_identity_xml(const CallerIdentity& caller, std::string_view request_id);

}  // namespace berth::aws

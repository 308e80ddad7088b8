// The part of an audit event that says who acted: the role session and the web identity token it
// came from (never a secret). One place, so STS, ECR and the registry record callers alike.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "auth/session_token.hpp"
#include "metadata/metadata_store.hpp"

namespace berth::auth {

struct SessionIdentity {
  std::string_view role_arn;
  std::string_view role_session_name;
  std::string_view access_key_id;
  const SourceIdentity& source;
};

// An event for `action` at `time` from `source_address`, with every identity field filled in.
metadata::AuditEvent audit_event_for(std::string action, const SessionIdentity& who, std::string_view source_address,
                                     std::chrono::sys_seconds time);

}  // namespace berth::auth

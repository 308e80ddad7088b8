#include "auth/audit_identity.hpp"

#include <nlohmann/json.hpp>

#include <utility>

namespace berth::auth {

metadata::AuditEvent audit_event_for(std::string action, const SessionIdentity& who, std::string_view source_address,
                                     std::chrono::sys_seconds time) {
  metadata::AuditEvent event;
  event.time_unix = time.time_since_epoch().count();
  event.action = std::move(action);
  event.role_arn = who.role_arn;
  event.role_session_name = who.role_session_name;
  event.access_key_id = who.access_key_id;
  event.source_address = source_address;
  event.issuer = who.source.issuer;
  event.subject = who.source.subject;
  for (const auto& audience : who.source.audience) {
    if (!event.audience.empty()) event.audience += ',';
    event.audience += audience;
  }
  // Claims are strings from a verified token; replace anything that is not UTF-8 rather than fail.
  event.claims_json = nlohmann::json(who.source.claims).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return event;
}

}  // namespace berth::auth

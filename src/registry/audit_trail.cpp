#include "registry/audit_trail.hpp"

#include <chrono>
#include <utility>

#include "auth/audit_identity.hpp"
#include "common/log.hpp"

namespace berth::registry {

metadata::AuditEvent audit_event(const RegistryRequest& request, std::string action) {
  const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  static const auth::SourceIdentity kAnonymous;
  const auto& session = request.caller.session;
  metadata::AuditEvent event =
      session ? auth::audit_event_for(std::move(action),
                                      {session->role_arn, session->role_session_name, session->access_key_id,
                                       session->source},
                                      request.http.remote_address, now)
              : auth::audit_event_for(std::move(action), {"", "", "", kAnonymous}, request.http.remote_address, now);
  event.repository = request.route.repository;
  event.reference = request.route.reference;
  return event;
}

http::Task<void> record_audit_event(metadata::AuditBatcher& audit, metadata::AuditEvent event) {
  Result<std::int64_t> appended = co_await audit.append(event);
  if (!appended.ok()) {
    log::error("audit event not recorded", {{"action", event.action},
                                            {"repository", event.repository},
                                            {"reference", event.reference},
                                            {"role_arn", event.role_arn},
                                            {"error", appended.error().message}});
  }
}

}  // namespace berth::registry

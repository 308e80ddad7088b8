// The registry's part of the audit trail (design.md §1 step 5): every change to a repository's
// content is recorded with who made it. Handlers fill in what they learned (digests) and, once the
// change is made, wait for the event's commit before answering:
//
//   metadata::AuditEvent event = audit_event(request, "registry:PutManifest");
//   event.digest = digest.str();
//   co_await record_audit_event(context.audit, std::move(event));
#pragma once

#include <string>

#include "metadata/audit_batcher.hpp"
#include "metadata/metadata_store.hpp"
#include "registry/registry.hpp"

namespace berth::registry {

// An event at the current time naming the route's repository and reference, the client's address
// and, when the caller logged in with a registry password, its role session and web identity.
// Anonymous callers leave the identity fields empty.
metadata::AuditEvent audit_event(const RegistryRequest& request, std::string action);

// Appends `event` with the next group commit; a failure is logged as an error and not returned,
// because the change the event describes has already happened and the client must hear that it
// succeeded.
http::Task<void> record_audit_event(metadata::AuditBatcher& audit, metadata::AuditEvent event);

}  // namespace berth::registry

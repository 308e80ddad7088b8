// Long-lived access keys (`berth access-key create ROLE`): credentials for operators and automation
// that are not CI jobs and so have no OIDC token to exchange. A key is an `AKIA…` id and a secret,
// bound to one role: a request signed with it acts as a session of that role, with the role's
// policies read on every request as for any session. The secret is shown once, at creation; the
// store keeps it sealed under the key ring (SigV4 verification needs the secret itself, so it
// cannot be kept as a hash), bound to its id so that a sealed secret moved to another key's row
// opens nothing. Every key expires; deleting it revokes it for the next request.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "auth/key_ring.hpp"
#include "auth/role_permissions.hpp"
#include "auth/session_token.hpp"
#include "common/result.hpp"
#include "metadata/metadata_store.hpp"

namespace berth::auth {

inline constexpr std::string_view kLongTermAccessKeyPrefix = "AKIA";

struct IssuedAccessKey {
  metadata::AccessKeyRecord record;  // what the store keeps
  std::string secret_access_key;     // shown to the operator once, never stored in the clear
};

// A new key for `role_name`, created at `now` and expiring after `lifetime`. internal only if the
// CSPRNG or OpenSSL fails.
Result<IssuedAccessKey> issue_access_key(const KeyRing& ring, std::string_view role_name,
                                         std::chrono::sys_seconds now, std::chrono::seconds lifetime);

// The session a request signed with the key acts as at `now`: the key's role, the key as access
// key id and session name, issued now and expiring with the key. aws_invalid_client_token_id
// (AWS's words for an unknown or revoked key) when the key has expired or its sealed secret does
// not open under `ring` for this key.
Result<SessionClaims> access_key_session(const KeyRing& ring, const metadata::AccessKeyRecord& key,
                                         const AccountSettings& account, std::chrono::sys_seconds now);

}  // namespace berth::auth

// What every ECR operation works with (interfaces.md §6.3), and the checks they share: the
// registry id, the repository name, and IAM authorisation of the calling role session with AWS's
// AccessDeniedException wording.
//
// Operations are blocking functions (SQLite, role policy lookups): the front door runs them on its
// blocking pool. Each reads its own JSON input and returns the JSON output document.
#pragma once

#include <nlohmann/json.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/key_ring.hpp"
#include "auth/role_permissions.hpp"
#include "auth/session_token.hpp"
#include "aws/aws_options.hpp"
#include "aws/ecr_json_input.hpp"
#include "common/result.hpp"
#include "metadata/metadata_store.hpp"
#include "storage/blob_store.hpp"

namespace berth::aws {

struct EcrServices {
  const AwsOptions& options;
  auth::RolePermissions& permissions;
  metadata::MetadataStore& metadata;
  storage::BlobStore& blobs;
  const auth::KeyRing& keys;
};

// One authenticated request.
struct EcrCall {
  auth::SessionClaims session;
  std::string source_address;  // "ip:port"
  std::chrono::system_clock::time_point now;
};

// What an operation answers. An operation that hands out a credential or changes a repository
// returns its audit events too: the front door sends the document only once they are durable, and
// waits for that commit without holding a thread of the blocking pool (metadata/audit_batcher.hpp).
struct EcrOutput {
  nlohmann::json document;
  std::vector<metadata::AuditEvent> audit_events;
};

using EcrOperation = Result<EcrOutput> (*)(EcrServices& services, const EcrCall& call, std::string_view body);

// Whether the session may perform `action` ("ecr:ListImages") on `resource`.
Result<bool> may(EcrServices& services, const EcrCall& call, std::string_view action, std::string_view resource);
// As `may`, but a refusal is aws_access_denied in AWS's words.
Status authorize(EcrServices& services, const EcrCall& call, std::string_view action, std::string_view resource);

Error repository_not_found(const EcrServices& services, std::string_view repository);

// `registryId`, when given, must be this registry's (the account id): aws_validation_error otherwise.
Status check_registry_id(const EcrServices& services, const EcrJsonInput& input);

// A repository name as the ECR model allows it (2–256 characters of the OCI name grammar);
// aws_validation_error naming `member` otherwise.
Status check_repository_name(const EcrJsonInput& input, std::string_view member, std::string_view name);

// The `repositoryName` of `input`, checked, once `action` is allowed on it; whether it exists is
// left to the caller.
Result<std::string> authorized_repository_name(EcrServices& services, const EcrCall& call, const EcrJsonInput& input,
                                               std::string_view action);

// An audit event for a change the caller made to `repository`, at the time of the call.
metadata::AuditEvent change_event(const EcrCall& call, std::string action, std::string_view repository);

// The `repositoryName` of an image operation, once `action` is allowed on it (IAM decides before
// existence, as in AWS) and it exists (aws_repository_not_found otherwise).
Result<std::string> open_repository(EcrServices& services, const EcrCall& call, const EcrJsonInput& input,
                                    std::string_view action);

}  // namespace berth::aws

// Errors as values. Every module boundary returns Result<T>; the front door (OCI, ECR, STS) maps
// the ErrorCode to its protocol's status and body in exactly one place.
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace berth {

// One list for every protocol berth speaks. Names follow the protocol documents so that a grep
// for the wire code finds the enumerator.
enum class ErrorCode {
  // OCI Distribution (and Docker-only) codes.
  blob_unknown,
  blob_upload_invalid,
  blob_upload_unknown,
  digest_invalid,
  manifest_blob_unknown,
  manifest_invalid,
  manifest_unknown,
  name_invalid,
  name_unknown,
  size_invalid,
  unauthorized,
  denied,
  unsupported,
  too_many_requests,
  range_invalid,
  pagination_number_invalid,
  tag_invalid,
  // Refinements of OCI codes that other protocols tell apart (ECR's PutImage): each answers the OCI
  // code in its comment on the registry.
  manifest_child_unknown,  // MANIFEST_BLOB_UNKNOWN: an index entry that is not stored
  tag_immutable,           // TAG_INVALID: a push that would move an immutable tag
  // Generic conditions that every front door maps to its own shape.
  invalid_argument,   // malformed input that has no more specific code
  payload_too_large,  // request body above a configured limit
  not_found,          // a lookup that found nothing (internal use; front doors specialise it)
  conflict,           // a state that forbids the operation (e.g. repository not empty)
  limit_exceeded,     // a quota would be exceeded (e.g. images per repository)
  unavailable,        // a dependency is down; retrying may help
  internal,           // a bug or an I/O failure; details are logged, never sent to clients
  // AWS request authentication (SigV4), interfaces.md §7.4. Each names the STS code; the ECR JSON
  // front door sends the `__type` in the comment.
  aws_missing_authentication_token,  // MissingAuthenticationToken / MissingAuthenticationTokenException
  aws_incomplete_signature,          // IncompleteSignature / IncompleteSignatureException
  aws_signature_does_not_match,      // SignatureDoesNotMatch / InvalidSignatureException (also time, scope)
  aws_invalid_client_token_id,       // InvalidClientTokenId / UnrecognizedClientException
  aws_expired_token,                 // ExpiredToken / ExpiredTokenException
  // AWS web identity federation (STS AssumeRoleWithWebIdentity), interfaces.md §4.5.
  aws_invalid_identity_token,   // InvalidIdentityToken: malformed, bad signature, wrong issuer/audience/alg/key
  aws_expired_identity_token,   // ExpiredTokenException (HTTP 400): the web identity token's `exp` has passed
  aws_idp_rejected_claim,       // IDPRejectedClaim: the identity provider or the role rejects a claim
  aws_idp_communication_error,  // IDPCommunicationError: discovery/JWKS unreachable or unusable; retryable
  // AWS authorisation and request validation (STS code / ECR `__type`).
  aws_access_denied,              // AccessDenied / AccessDeniedException
  aws_validation_error,           // ValidationError / InvalidParameterException
  aws_malformed_policy_document,  // MalformedPolicyDocument (STS session policy)
  aws_repository_not_found,       // RepositoryNotFoundException
  aws_image_not_found,            // ImageNotFoundException
  aws_repository_already_exists,  // RepositoryAlreadyExistsException
  aws_repository_not_empty,       // RepositoryNotEmptyException
  aws_invalid_tag_parameter,      // InvalidTagParameterException
  aws_too_many_tags,              // TooManyTagsException
  aws_lifecycle_policy_not_found,          // LifecyclePolicyNotFoundException
  aws_lifecycle_policy_preview_not_found,  // LifecyclePolicyPreviewNotFoundException
  aws_repository_policy_not_found,         // RepositoryPolicyNotFoundException
  aws_validation_exception,                // ValidationException (ECR: a value outside the model's limits)
  aws_unknown_operation,          // UnknownOperationException (ECR), InvalidAction (STS)
  // ECR's image and layer push operations (PutImage, the layer upload trio): the `__type` of each.
  aws_image_already_exists,      // ImageAlreadyExistsException
  aws_image_digest_mismatch,     // ImageDigestDoesNotMatchException
  aws_upload_not_found,          // UploadNotFoundException
  aws_invalid_layer_part,        // InvalidLayerPartException
  aws_empty_upload,              // EmptyUploadException
  aws_invalid_layer,             // InvalidLayerException
  aws_layer_already_exists,      // LayerAlreadyExistsException
  aws_layers_not_found,          // LayersNotFoundException
};

struct Error {
  ErrorCode code = ErrorCode::internal;
  std::string message;
  // Optional JSON text carried verbatim into protocol error bodies (OCI "detail").
  std::string detail_json;
};

inline Error make_error(ErrorCode code, std::string message, std::string detail_json = {}) {
  return Error{code, std::move(message), std::move(detail_json)};
}

// A value or an Error. Deliberately small: the project builds as C++20, so no std::expected.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit by design
  Result(Error error) : state_(std::in_place_index<1>, std::move(error)) {}  // NOLINT

  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { assert(ok()); return std::get<0>(state_); }
  const T& value() const& { assert(ok()); return std::get<0>(state_); }
  T&& value() && { assert(ok()); return std::get<0>(std::move(state_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const& { assert(!ok()); return std::get<1>(state_); }
  Error&& error() && { assert(!ok()); return std::get<1>(std::move(state_)); }

 private:
  std::variant<T, Error> state_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)) {}  // NOLINT: implicit by design

  bool ok() const { return !error_.has_value(); }
  explicit operator bool() const { return ok(); }
  const Error& error() const& { assert(!ok()); return *error_; }
  Error&& error() && { assert(!ok()); return std::move(*error_); }

 private:
  std::optional<Error> error_;
};

using Status = Result<void>;

}  // namespace berth

// Early return on error, for functions that return any Result<U>.
#define BERTH_TRY(expr)                            \
  do {                                             \
    auto&& berth_try_result_ = (expr);             \
    if (!berth_try_result_.ok())                   \
      return std::move(berth_try_result_).error(); \
  } while (0)

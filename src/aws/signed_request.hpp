// Authenticates a SigV4-signed STS or ECR request (interfaces.md §7.4 order): parse the signature,
// find the credential - the session sealed in X-Amz-Security-Token, whose access key must be the
// one that signed, or without a token a long-lived `AKIA` access key from the store
// (auth/access_key.hpp) - check the scope (region, service), the time window, then the signature
// over the body as received. A long-lived key's use is recorded (at most once a minute).
#pragma once

#include <chrono>
#include <string_view>

#include "auth/key_ring.hpp"
#include "auth/session_token.hpp"
#include "aws/aws_options.hpp"
#include "common/result.hpp"
#include "http/message.hpp"
#include "metadata/metadata_store.hpp"

namespace berth::aws {

// `service` is the signing name: "sts" or "ecr". Errors carry the aws_* ErrorCodes of sigv4.hpp
// and session_token.hpp (missing token, incomplete signature, invalid client token id, expired
// token, signature does not match).
Result<auth::SessionClaims> authenticate_signed_request(const http::Request& request, std::string_view body,
                                                        std::string_view service, const auth::KeyRing& keys,
                                                        metadata::MetadataStore& access_keys,
                                                        const AwsOptions& options,
                                                        std::chrono::system_clock::time_point now);

}  // namespace berth::aws

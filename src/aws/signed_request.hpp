// Authenticates a SigV4-signed STS or ECR request made with berth session credentials
// (interfaces.md §7.4 order): parse the signature, open the session sealed in
// X-Amz-Security-Token, check the access key is that session's, the scope (region, service), the
// time window, then the signature over the body as received.
#pragma once

#include <chrono>
#include <string_view>

#include "auth/key_ring.hpp"
#include "auth/session_token.hpp"
#include "aws/aws_options.hpp"
#include "common/result.hpp"
#include "http/message.hpp"

namespace berth::aws {

// `service` is the signing name: "sts" or "ecr". Errors carry the aws_* ErrorCodes of sigv4.hpp
// and session_token.hpp (missing token, incomplete signature, invalid client token id, expired
// token, signature does not match).
Result<auth::SessionClaims> authenticate_signed_request(const http::Request& request, std::string_view body,
                                                        std::string_view service, const auth::KeyRing& keys,
                                                        const AwsOptions& options,
                                                        std::chrono::system_clock::time_point now);

}  // namespace berth::aws

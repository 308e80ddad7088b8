// The OpenID Provider configuration document (OpenID Connect Discovery 1.0 §3/§4), fetched from
// `<issuer>/.well-known/openid-configuration`. Only what verification needs is kept.
#pragma once

#include <string>
#include <string_view>

#include "common/result.hpp"

namespace berth::oidc {

struct DiscoveryDocument {
  std::string issuer;
  std::string jwks_uri;
};

// Discovery §4.3: `issuer` must equal `expected_issuer` exactly, or an attacker who controls one
// issuer's document could point us at another's keys. `jwks_uri` must be an https URL with a host;
// `allow_insecure` also accepts http (local test identity providers only).
// aws_idp_communication_error otherwise, and for malformed or non-strict JSON.
Result<DiscoveryDocument> parse_discovery(std::string_view json, std::string_view expected_issuer,
                                          bool allow_insecure = false);

}  // namespace berth::oidc

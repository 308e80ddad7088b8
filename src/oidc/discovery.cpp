#include "oidc/discovery.hpp"

#include <fmt/format.h>

#include "oidc/strict_json.hpp"

namespace berth::oidc {
namespace {

Error bad_document(std::string message) {
  return make_error(ErrorCode::aws_idp_communication_error, "OpenID configuration: " + std::move(message));
}

// "https://" (or "http://" when allowed) followed by a host: no userinfo-only or empty authority.
bool acceptable_jwks_uri(std::string_view uri, bool allow_insecure) {
  std::string_view rest;
  if (uri.starts_with("https://")) {
    rest = uri.substr(8);
  } else if (allow_insecure && uri.starts_with("http://")) {
    rest = uri.substr(7);
  } else {
    return false;
  }
  const std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
  return !authority.empty() && authority.find('@') == std::string_view::npos &&
         rest.find_first_of(" \t\r\n") == std::string_view::npos;
}

}  // namespace

Result<DiscoveryDocument> parse_discovery(std::string_view json, std::string_view expected_issuer,
                                          bool allow_insecure) {
  auto document = parse_json_object(json);
  if (!document.ok()) return bad_document(document.error().message);
  auto issuer = document->find("issuer");
  if (issuer == document->end() || !issuer->is_string()) return bad_document("no issuer");
  if (issuer->get_ref<const std::string&>() != expected_issuer) {
    return bad_document(fmt::format("issuer {} does not match the configured issuer {}",
                                    issuer->get_ref<const std::string&>().substr(0, 256), expected_issuer));
  }
  auto jwks_uri = document->find("jwks_uri");
  if (jwks_uri == document->end() || !jwks_uri->is_string()) return bad_document("no jwks_uri");
  if (!acceptable_jwks_uri(jwks_uri->get_ref<const std::string&>(), allow_insecure)) {
    return bad_document(allow_insecure ? "jwks_uri is not an http(s) URL" : "jwks_uri is not an https URL");
  }
  return DiscoveryDocument{issuer->get<std::string>(), jwks_uri->get<std::string>()};
}

}  // namespace berth::oidc

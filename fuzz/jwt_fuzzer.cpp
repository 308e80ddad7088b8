// OIDC ID tokens (oidc/jwt) and the strict base64url under them (common/base64). Input: a byte
// choosing the form, then either a whole compact JWS, or `<header JSON>\n<claims JSON>` that the
// target signs with its own key, so that the claim checks behind the signature are reached too.
#include <algorithm>
#include <chrono>

#include "common/base64.hpp"
#include "fuzz_input.hpp"
#include "oidc/jwt.hpp"
#include "oidc/test_signer.hpp"

using berth::fuzz::check;
namespace oidc = berth::oidc;

namespace {

struct Issuer {
  berth::oidc::UniqueEvpPkey ec_key = oidc::testing::generate_ec_key("P-256");
  berth::oidc::UniqueEvpPkey rsa_key = oidc::testing::generate_rsa_key(2048);
  oidc::Jwks keys = oidc::Jwks::parse(oidc::testing::jwks_document(
                                         nlohmann::json::array({oidc::testing::public_jwk(ec_key.get(), "fuzz-ec"),
                                                                oidc::testing::public_jwk(rsa_key.get(), "fuzz-rsa")})))
                        .value();
  oidc::VerifyOptions options{.issuer = "https://token.actions.githubusercontent.com",
                              .accepted_audiences = {"sts.amazonaws.com"},
                              .now = std::chrono::system_clock::time_point(std::chrono::seconds(1632493600))};
};

void check_base64_segments(std::string_view token) {
  while (true) {
    const auto dot = token.find('.');
    const std::string_view segment = token.substr(0, dot);
    // Strict decoding means one spelling per byte string: whatever decodes encodes back the same.
    if (const auto bytes = berth::base64::decode_url(segment)) {
      check(berth::base64::encode_url(*bytes) == segment, "base64url decode/encode is not the identity");
    }
    if (const auto bytes = berth::base64::decode(segment)) {
      check(berth::base64::encode(*bytes) == segment, "base64 decode/encode is not the identity");
    }
    if (dot == std::string_view::npos) return;
    token.remove_prefix(dot + 1);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const Issuer issuer;
  berth::fuzz::Input input(data, size);
  std::string token;
  if (input.byte() % 2 == 0) {
    token = std::string(input.rest());
    check_base64_segments(token);
  } else {
    const std::string_view header = input.line();
    const std::string signing_input = oidc::testing::signing_input(header, input.rest());
    token = signing_input + "." +
            berth::base64::encode_url(oidc::testing::jws_signature(issuer.ec_key.get(), "ES256", signing_input));
  }
  const auto verified = oidc::verify_jwt(token, issuer.keys, issuer.options);
  if (!verified) return 0;
  check(verified->issuer == issuer.options.issuer, "accepted another issuer");
  check(!verified->subject.empty(), "accepted an empty subject");
  check(std::any_of(verified->audiences.begin(), verified->audiences.end(),
                    [&](const std::string& audience) { return audience == "sts.amazonaws.com"; }),
        "accepted without an accepted audience");
  check(verified->expires_at + issuer.options.leeway >= issuer.options.now, "accepted an expired token");
  check(verified->header.value("kid", "").starts_with("fuzz-"), "verified with a key not in the JWKS");
  return 0;
}

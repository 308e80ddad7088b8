// Cost of verifying the web identity token every CI job sends to STS AssumeRoleWithWebIdentity: a
// GitHub Actions ID token (RS256, 2048-bit key, the claims GitHub sends on a push), verified
// against the issuer's JWKS. The token and key were generated once with the openssl CLI; only the
// public key is kept here.
#include <benchmark/benchmark.h>

#include <chrono>
#include <string_view>

#include "oidc/jwks.hpp"
#include "oidc/jwt.hpp"

namespace {

using berth::oidc::Jwks;
using berth::oidc::VerifyOptions;

constexpr std::string_view kJwks =
    R"({"keys":[{"kty":"RSA","alg":"RS256","use":"sig","kid":"78167F727DEC5D801DD1C8784C704A1C880EC0E1",)"
    R"("e":"AQAB","n":")"
    "5ADa-FzWF-B02XAUlWu_KhJZM_BmsiX_b5Bjw7MfIQ_9nXTNUF4gluSDevryifo2uxjSf0UCIuzvAOXI5AJPknK3yX0tQ_fMlxAq"
    "IKLHbg9D-L272qwoggD99Wo1Ejlq1V7ATpHJQdjeBD8a-E7fYE_O0oAEA6pyEoA-d4vRJyk4d_A8S2jkZswZ2ZlV4cfQNob15_vA"
    "JuP0pTgEv_Q7ucffoErUOaMfJ_P03hEel-jDwl6XEAsDbt8XokloHETADSvlFaFT4sq124SyO1hJc6N0asLXJ-6kyxpllyyKAMvF"
    "p0BHokbbOoItDZX1tbkuDANSydQoWNKrmdH1lUkQGw"
    R"("}]})";

constexpr std::string_view kToken =
    "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiIsIng1dCI6ImVCWl9jbjNzWFlBZDBjaDRUSEJLSElnT3dPRSIsImtpZCI6Ijc4MTY3"
    "RjcyN0RFQzVEODAxREQxQzg3ODRDNzA0QTFDODgwRUMwRTEifQ.eyJqdGkiOiI1ZTBhM2M2ZS0yZDJiLTRkM2YtOWE1My0wZjZiZ"
    "DQzZTBiNzkiLCJzdWIiOiJyZXBvOm1pbmlzdHJ5b2ZqdXN0aWNlL2V4YW1wbGUtcmVwb3NpdG9yeTpyZWY6cmVmcy9oZWFkcy9tY"
    "WluIiwiYXVkIjoic3RzLmFtYXpvbmF3cy5jb20iLCJyZWYiOiJyZWZzL2hlYWRzL21haW4iLCJzaGEiOiJkNmZkZTkyOTMwZDQ3M"
    "TVhMmI0OTg1N2QyNGI5NDA5NTZiMjZkMmQzIiwicmVwb3NpdG9yeSI6Im1pbmlzdHJ5b2ZqdXN0aWNlL2V4YW1wbGUtcmVwb3Npd"
    "G9yeSIsInJlcG9zaXRvcnlfb3duZXIiOiJtaW5pc3RyeW9manVzdGljZSIsInJlcG9zaXRvcnlfb3duZXJfaWQiOiIyMjAzNTc0I"
    "iwicnVuX2lkIjoiNzIwODMwMTIyNiIsInJ1bl9udW1iZXIiOiI0MiIsInJ1bl9hdHRlbXB0IjoiMSIsInJlcG9zaXRvcnlfdmlza"
    "WJpbGl0eSI6InB1YmxpYyIsInJlcG9zaXRvcnlfaWQiOiI2MTIzNDU2NzgiLCJhY3Rvcl9pZCI6IjEyMzQ1NjciLCJhY3RvciI6I"
    "m9jdG9jYXQiLCJ3b3JrZmxvdyI6IkJ1aWxkIGFuZCBwdXNoIiwiaGVhZF9yZWYiOiIiLCJiYXNlX3JlZiI6IiIsImV2ZW50X25hb"
    "WUiOiJwdXNoIiwicmVmX3Byb3RlY3RlZCI6InRydWUiLCJyZWZfdHlwZSI6ImJyYW5jaCIsIndvcmtmbG93X3JlZiI6Im1pbmlzd"
    "HJ5b2ZqdXN0aWNlL2V4YW1wbGUtcmVwb3NpdG9yeS8uZ2l0aHViL3dvcmtmbG93cy9idWlsZC55bWxAcmVmcy9oZWFkcy9tYWluI"
    "iwid29ya2Zsb3dfc2hhIjoiZDZmZGU5MjkzMGQ0NzE1YTJiNDk4NTdkMjRiOTQwOTU2YjI2ZDJkMyIsImpvYl93b3JrZmxvd19yZ"
    "WYiOiJtaW5pc3RyeW9manVzdGljZS9leGFtcGxlLXJlcG9zaXRvcnkvLmdpdGh1Yi93b3JrZmxvd3MvYnVpbGQueW1sQHJlZnMva"
    "GVhZHMvbWFpbiIsImpvYl93b3JrZmxvd19zaGEiOiJkNmZkZTkyOTMwZDQ3MTVhMmI0OTg1N2QyNGI5NDA5NTZiMjZkMmQzIiwic"
    "nVubmVyX2Vudmlyb25tZW50IjoiZ2l0aHViLWhvc3RlZCIsImlzcyI6Imh0dHBzOi8vdG9rZW4uYWN0aW9ucy5naXRodWJ1c2VyY"
    "29udGVudC5jb20iLCJuYmYiOjE3NjcyMjUwMDAsImV4cCI6MTc2NzIyNTkwMCwiaWF0IjoxNzY3MjI1NjAwfQ.cre1nFzPN2XqBF"
    "N6wje_5qhnGHsAEH9X0dUKeM0V_G6PJW0EUlJlukEbgCnYl8KzxwA-MjHOhWKIa0Qj2kiC-UkogHXRkbmaG25QM0_Af9sm3BWcQs"
    "VGdiHVJkX2GJpjEgLUmeAfto_N1cJ18vrc_Wbx7BgJ4X2r8mNGgvxVnK7DX05FI6kcMY-lMO9rxY9Ho41kiGdPny0eRNb_AhG1Uv"
    "QqhF3ttIPrfVt5Dznr8viIYXxfvC75-NDJmEMSk8Ipgg3R8UVRze4PlruU6Rz-Mf6RdIrblxzqiDZ38ofOacorNFgUxX0lsGc3lr"
    "q1iJSphj8tZMdAsxVv_tpHzGfbWQ";

VerifyOptions github_options() {
  return VerifyOptions{.issuer = "https://token.actions.githubusercontent.com",
                       .accepted_audiences = {"sts.amazonaws.com"},
                       .now = std::chrono::system_clock::time_point(std::chrono::seconds(1767225650))};
}

// Parse (base64url, strict JSON), pick the key by kid, RSA PKCS#1 v1.5 verify, check the claims.
void BM_JwtVerifyGitHubRs256(benchmark::State& state) {
  auto keys = Jwks::parse(kJwks);
  if (!keys.ok()) {
    state.SkipWithError(keys.error().message.c_str());
    return;
  }
  const VerifyOptions options = github_options();
  for (auto _ : state) {
    auto token = berth::oidc::verify_jwt(kToken, *keys, options);
    if (!token.ok()) {
      state.SkipWithError(token.error().message.c_str());
      break;
    }
    benchmark::DoNotOptimize(token);
  }
}
BENCHMARK(BM_JwtVerifyGitHubRs256);

// What a JWKS refresh costs: JSON parse plus building and checking the OpenSSL key.
void BM_JwksParseGitHubKey(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(Jwks::parse(kJwks));
}
BENCHMARK(BM_JwksParseGitHubKey);

}  // namespace

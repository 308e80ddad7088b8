// SigV4 verification cost for the request every CI job sends: the AWS CLI's ECR
// GetAuthorizationToken (interfaces.md §7.6 vector (a), with the CLI's unsigned headers too).
#include <benchmark/benchmark.h>

#include <chrono>

#include "auth/sigv4.hpp"
#include "common/digest.hpp"

namespace {

using berth::auth::SignedRequest;

constexpr std::string_view kSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const std::chrono::system_clock::time_point kNow =
    std::chrono::sys_days{std::chrono::year{2026} / 1 / 1} + std::chrono::seconds(30);

SignedRequest ecr_get_authorization_token() {
  return SignedRequest{"POST",
                       "/",
                       "",
                       {{"Host", "api.ecr.eu-west-2.amazonaws.com"},
                        {"Accept-Encoding", "identity"},
                        {"X-Amz-Target", "AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken"},
                        {"Content-Type", "application/x-amz-json-1.1"},
                        {"User-Agent",
                         "aws-cli/2.9.19 Python/3.11.2 Linux/6.1.0-13-amd64 source/x86_64.debian.12 prompt/off "
                         "command/ecr.get-login-password"},
                        {"X-Amz-Date", "20260101T000000Z"},
                        {"X-Amz-Security-Token", "EXAMPLESESSIONTOKEN"},
                        {"Authorization",
                         "AWS4-HMAC-SHA256 Credential=ASIAEXAMPLEEXAMPLE01/20260101/eu-west-2/ecr/aws4_request, "
                         "SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-amz-target, "
                         "Signature=c24330d9ca6847f5bd87ac6d903b767e8714096534ce399aa82ce9c4348a8c9e"},
                        {"Content-Length", "2"}},
                       berth::Hasher::of("{}").hex()};
}

// What the ECR front door pays per request: parse, then verify (canonical request, string to sign,
// key derivation, HMAC, compare).
void BM_SigV4VerifyEcrRequest(benchmark::State& state) {
  SignedRequest request = ecr_get_authorization_token();
  for (auto _ : state) {
    auto parsed = berth::auth::parse_authorization(request);
    berth::Status status =
        berth::auth::verify_signature(request, *parsed, kSecret, kNow, berth::auth::kDefaultAllowedSkew);
    if (!status.ok()) state.SkipWithError(status.error().message.c_str());
    benchmark::DoNotOptimize(status);
  }
}
BENCHMARK(BM_SigV4VerifyEcrRequest);

void BM_SigV4ParseAuthorization(benchmark::State& state) {
  SignedRequest request = ecr_get_authorization_token();
  for (auto _ : state) benchmark::DoNotOptimize(berth::auth::parse_authorization(request));
}
BENCHMARK(BM_SigV4ParseAuthorization);

void BM_SigV4CanonicalRequest(benchmark::State& state) {
  SignedRequest request = ecr_get_authorization_token();
  auto parsed = berth::auth::parse_authorization(request);
  for (auto _ : state) benchmark::DoNotOptimize(berth::auth::canonical_request(request, *parsed));
}
BENCHMARK(BM_SigV4CanonicalRequest);

// Four chained HMACs; a front door could cache this per (key, day, region, service).
void BM_SigV4SigningKey(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(berth::auth::signing_key(kSecret, "20260101", "eu-west-2", "ecr"));
}
BENCHMARK(BM_SigV4SigningKey);

}  // namespace

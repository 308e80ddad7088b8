// Per-request costs of keyless CI credentials: opening the session token an SDK sends with every
// signed ECR/STS call, opening the registry password docker sends with every registry request,
// and evaluating the MoJ module's push policy (interfaces.md §1.3) for a push.
#include <benchmark/benchmark.h>

#include <chrono>
#include <string>
#include <vector>

#include "auth/auth_fixtures.hpp"
#include "auth/iam_policy.hpp"
#include "auth/key_ring.hpp"
#include "auth/session_token.hpp"

namespace {

using namespace std::chrono_literals;
using berth::auth::KeyRing;
using berth::auth::fixtures::kMojPushPolicy;

const std::chrono::sys_seconds kIssued = std::chrono::sys_days{std::chrono::year{2026} / 1 / 1};

KeyRing bench_ring() {
  KeyRing ring(*berth::auth::RingKey::from_bytes(std::string(berth::auth::kKeySize, 'k')));
  // A rotated ring, as in production: lookups pass over an older key.
  (void)ring.rotate(*berth::auth::RingKey::from_bytes(std::string(berth::auth::kKeySize, 'n')));
  return ring;
}

berth::auth::SessionClaims github_session() { return berth::auth::fixtures::github_session(kIssued); }

void BM_OpenSessionToken(benchmark::State& state) {
  KeyRing ring = bench_ring();
  std::string token = *berth::auth::seal_session(ring, github_session());
  state.counters["token_chars"] = static_cast<double>(token.size());
  for (auto _ : state) {
    auto claims = berth::auth::open_session(ring, token, kIssued + 1min);
    if (!claims.ok()) state.SkipWithError(claims.error().message.c_str());
    benchmark::DoNotOptimize(claims);
  }
}
BENCHMARK(BM_OpenSessionToken);

void BM_OpenRegistryPassword(benchmark::State& state) {
  KeyRing ring = bench_ring();
  std::string password = *berth::auth::seal_registry_password(
      ring, berth::auth::registry_password_for(github_session(), kIssued, 12h, 12h));
  state.counters["password_chars"] = static_cast<double>(password.size());
  for (auto _ : state) {
    auto claims = berth::auth::open_registry_password(ring, password, kIssued + 1min);
    if (!claims.ok()) state.SkipWithError(claims.error().message.c_str());
    benchmark::DoNotOptimize(claims);
  }
}
BENCHMARK(BM_OpenRegistryPassword);

void BM_SealSessionToken(benchmark::State& state) {
  KeyRing ring = bench_ring();
  berth::auth::SessionClaims claims = github_session();
  for (auto _ : state) benchmark::DoNotOptimize(berth::auth::seal_session(ring, claims));
}
BENCHMARK(BM_SealSessionToken);

// The last action in the list, so the whole statement is scanned.
void BM_EvaluateMojPushPolicy(benchmark::State& state) {
  std::vector<berth::auth::PolicyDocument> policies{
      *berth::auth::parse_policy(kMojPushPolicy, berth::auth::PolicyKind::permission)};
  berth::auth::RequestContext request{
      "ecr:UploadLayerPart", "arn:aws:ecr:eu-west-2:000000000000:repository/example-team/example-repository", "", {}};
  for (auto _ : state) {
    auto decision = berth::auth::evaluate_all(policies, request);
    if (decision != berth::auth::Decision::allow) state.SkipWithError("push was not allowed");
    benchmark::DoNotOptimize(decision);
  }
}
BENCHMARK(BM_EvaluateMojPushPolicy);

void BM_ParseMojPushPolicy(benchmark::State& state) {
  for (auto _ : state) {
    benchmark::DoNotOptimize(berth::auth::parse_policy(kMojPushPolicy, berth::auth::PolicyKind::permission));
  }
}
BENCHMARK(BM_ParseMojPushPolicy);

}  // namespace

// IAM policy documents and their conditions (auth/iam_policy): session policies arrive in STS
// requests, roles in `berth role put` files, repository policies in ECR SetRepositoryPolicy. Input: a byte choosing the document kind, the action,
// resource and `sub` claim of the request to evaluate (one line each), then the document.
#include <array>

#include "auth/iam_policy.hpp"
#include "fuzz_input.hpp"

using berth::fuzz::check;
namespace auth = berth::auth;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static constexpr std::array kKinds = {auth::PolicyKind::permission, auth::PolicyKind::trust,
                                        auth::PolicyKind::session, auth::PolicyKind::repository};
  static const auth::AwsCaller kCaller{"000000000000", "arn:aws:iam::000000000000:role/ci",
                                       "arn:aws:sts::000000000000:assumed-role/ci/session"};
  berth::fuzz::Input input(data, size);
  const auth::PolicyKind kind = kKinds[input.byte() % kKinds.size()];
  auth::RequestContext request;
  request.action = std::string(input.line());
  request.resource = std::string(input.line());
  request.federated_principal = "arn:aws:iam::000000000000:oidc-provider/token.actions.githubusercontent.com";
  request.caller = &kCaller;
  request.condition_values["token.actions.githubusercontent.com:sub"] = {std::string(input.line())};
  request.condition_values["token.actions.githubusercontent.com:aud"] = {"sts.amazonaws.com"};

  const auto policy = auth::parse_policy(input.rest(), kind);
  if (!policy) {
    check(policy.error().code == berth::ErrorCode::invalid_argument, "refusal other than invalid_argument");
    return 0;
  }
  check(!policy->statements.empty(), "accepted a document without statements");
  const auth::Decision decision = auth::evaluate(*policy, request);
  const std::span<const auth::PolicyDocument> alone(&*policy, 1);
  check(auth::evaluate_all(alone, request) == decision, "evaluate_all of one document differs from evaluate");
  // A session policy can only narrow; narrowing by the role's own policy changes nothing.
  check(auth::evaluate_for_session(alone, nullptr, &*policy, request) == decision,
        "a document narrowed by itself decides otherwise");
  check(auth::evaluate_resource_policy(*policy, request).decision == decision,
        "a document decides otherwise as a resource policy");
  return 0;
}

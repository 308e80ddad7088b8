// IAM JSON policy documents: parsing with AWS's refusals, and evaluation (interfaces.md §5).
//
// Berth uses four kinds of document: the permission policies attached to a role (the MoJ module's
// push/pull policy, §1.3), the role's trust policy (who may AssumeRoleWithWebIdentity, §1.4), the
// optional inline session policy a caller passes to STS (§4.2), which can only narrow, and a
// repository's policy (ECR SetRepositoryPolicy), a resource-based policy naming AWS principals:
//
//   Result<PolicyDocument> trust = parse_policy(text, PolicyKind::trust);
//   RequestContext context{"sts:AssumeRoleWithWebIdentity", "", provider_arn, claims_as_condition_keys};
//   if (evaluate(*trust, context) != Decision::allow) ... AccessDenied ...
//
//   RequestContext push{"ecr:PutImage", repository_arn, "", {}};
//   Decision d = evaluate_for_session(role_policies, repository_policy, session_policy, push);
//
// Supported: Version, Statement (object or array), Sid, Effect, Action/NotAction,
// Resource/NotResource, Principal ("*", {"Federated": ...} in trust policies, {"AWS": ...} and
// {"Service": ...} in repository policies), Condition with the String*
// operators, Null and Bool, the IfExists suffix and the ForAnyValue:/ForAllValues: prefixes.
// Anything else (NotPrincipal, other principal types, numeric/date/ARN operators, policy
// variables) is refused at parse time rather than silently ignored. Parsed documents are immutable
// values; evaluation is pure and thread-safe.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "auth/text_match.hpp"
#include "common/result.hpp"

namespace berth::auth {

// Which rules a document must follow: trust policies name a Federated Principal and no Resource;
// permission and session policies name a Resource and no Principal; repository policies name AWS
// or Service principals, and a Resource only optionally (the repository is implied).
enum class PolicyKind { permission, trust, session, repository };

// Length limits in characters (interfaces.md §4.2, §5). Trust: the quota's maximum, because berth
// writes these itself (one sub pattern per repository) and has no quota to raise. Permission: IAM's
// managed-policy limit.
inline constexpr std::size_t kMaxPermissionPolicyLength = 6144;
inline constexpr std::size_t kMaxTrustPolicyLength = 4096;
inline constexpr std::size_t kMaxSessionPolicyLength = 2048;
inline constexpr std::size_t kMaxRepositoryPolicyLength = 10240;  // SetRepositoryPolicy's policyText

enum class Effect { allow, deny };

enum class ConditionOperator {
  string_equals,
  string_not_equals,
  string_equals_ignore_case,
  string_not_equals_ignore_case,
  string_like,
  string_not_like,
  null,
  boolean,
};

enum class SetOperator { none, for_any_value, for_all_values };

// One key under one operator: `"ForAnyValue:StringLike": {"<key>": [values...]}`.
struct Condition {
  ConditionOperator op = ConditionOperator::string_equals;
  SetOperator set = SetOperator::none;
  bool if_exists = false;
  std::string key;
  std::vector<std::string> values;  // numbers and booleans in the document are kept as their JSON text
};

struct Principal {
  bool anyone = false;                 // "Principal": "*"
  std::vector<std::string> federated;  // identity provider ARNs; "*" among them also means anyone
  // "*", a 12-digit account id, or an IAM ARN: `arn:aws:iam::<account>:root`, `...:role/<name>`,
  // `...:user/<name>`, `arn:aws:sts::<account>:assumed-role/<role>/<session>`.
  std::vector<std::string> aws;
  std::vector<std::string> service;  // "codebuild.amazonaws.com": kept, never matches a berth caller
};

struct Statement {
  std::string sid;
  Effect effect = Effect::allow;
  bool not_action = false;  // `actions` came from NotAction
  std::vector<std::string> actions;
  bool not_resource = false;           // `resources` came from NotResource
  std::vector<std::string> resources;  // empty in trust policies: the role itself is the resource
  std::optional<Principal> principal;
  std::vector<Condition> conditions;  // all must hold
};

struct PolicyDocument {
  std::string version;  // "2012-10-17" or "2008-10-17" (the default when absent)
  std::vector<Statement> statements;
};

// Parses and validates `text`. invalid_argument, with a message naming the offending element
// (e.g. "Statement[1].Condition: unsupported operator 'NumericEquals'"), when the text is not JSON,
// exceeds the kind's length limit, holds characters other than TAB, LF, CR and U+0020–U+00FF, or
// breaks the policy grammar.
Result<PolicyDocument> parse_policy(std::string_view text, PolicyKind kind);

// Condition values of a request, keyed case-insensitively as IAM does ("token.actions.
// githubusercontent.com:sub"). A key with no entry, or an empty vector, is absent.
using ConditionValues = std::map<std::string, std::vector<std::string>, CaseInsensitiveLess>;

// Who signed a request, as the AWS principals of a resource-based policy name it.
struct AwsCaller {
  std::string account_id;   // "123456789012"
  std::string role_arn;     // "arn:aws:iam::123456789012:role/ci"
  std::string session_arn;  // "arn:aws:sts::123456789012:assumed-role/ci/<session name>"
};

struct RequestContext {
  std::string action;               // "ecr:PutImage", "sts:AssumeRoleWithWebIdentity"
  std::string resource;             // ARN; empty when evaluating a trust policy
  std::string federated_principal;  // the OIDC provider ARN, for trust policies
  ConditionValues condition_values;
  const AwsCaller* caller = nullptr;  // for repository policies; nullptr matches no AWS principal
};

enum class Decision { allow, deny_explicit, deny_implicit };

// A repository policy's decision and, when it allows, whether a statement named the role session
// itself (IAM then does not narrow that grant by the session policy).
struct ResourcePolicyDecision {
  Decision decision = Decision::deny_implicit;
  bool session_named = false;
};

// A matching Deny statement wins; otherwise a matching Allow allows; otherwise implicit deny.
// Conditions follow interfaces.md §5. Where §5 leaves AWS's behaviour open (a multi-valued key
// under an operator without ForAnyValue:/ForAllValues:), a positive operator holds if any request
// value matches and a negated one if none does, so that a negated operator is always the exact
// negation of its positive form.
Decision evaluate(const PolicyDocument& policy, const RequestContext& request);

// The same rule across several documents (e.g. every permission policy attached to a role).
Decision evaluate_all(std::span<const PolicyDocument> policies, const RequestContext& request);

// A resource-based policy, for `request.caller`. A statement naming the caller's account (its id or
// `:root`) delegates to the caller's identity policies: such an Allow grants nothing by itself,
// such a Deny applies to every principal of the account. Statements naming the role, the role
// session or "*" apply to the caller directly.
ResourcePolicyDecision evaluate_resource_policy(const PolicyDocument& policy, const RequestContext& request);

// A role session's effective permissions, by IAM's rule within one account: an explicit Deny in the
// role's policies, the resource policy or the session policy wins; otherwise the role's policies or
// the resource policy (either may be absent: nullptr) must allow, and a session policy narrows both
// except a resource-policy grant that names the session itself.
Decision evaluate_for_session(std::span<const PolicyDocument> role_policies, const PolicyDocument* resource_policy,
                              const PolicyDocument* session_policy, const RequestContext& request);

}  // namespace berth::auth

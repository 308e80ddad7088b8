// IAM JSON policy documents: parsing with AWS's refusals, and evaluation (interfaces.md §5).
//
// Berth uses three kinds of document: the permission policies attached to a role (the MoJ module's
// push/pull policy, §1.3), the role's trust policy (who may AssumeRoleWithWebIdentity, §1.4), and
// the optional inline session policy a caller passes to STS (§4.2), which can only narrow:
//
//   Result<PolicyDocument> trust = parse_policy(text, PolicyKind::trust);
//   RequestContext context{"sts:AssumeRoleWithWebIdentity", "", provider_arn, claims_as_condition_keys};
//   if (evaluate(*trust, context) != Decision::allow) ... AccessDenied ...
//
//   RequestContext push{"ecr:PutImage", repository_arn, "", {}};
//   Decision d = evaluate_with_session_policy(role_policies, session_policy, push);
//
// Supported: Version, Statement (object or array), Sid, Effect, Action/NotAction,
// Resource/NotResource, Principal ("*" or {"Federated": ...}), Condition with the String*
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

// Which rules a document must follow: trust policies name a Principal and no Resource; permission
// and session policies name a Resource and no Principal.
enum class PolicyKind { permission, trust, session };

// Length limits in characters (interfaces.md §4.2, §5). Trust: the quota's maximum, because berth
// writes these itself (one sub pattern per repository) and has no quota to raise. Permission: IAM's
// managed-policy limit.
inline constexpr std::size_t kMaxPermissionPolicyLength = 6144;
inline constexpr std::size_t kMaxTrustPolicyLength = 4096;
inline constexpr std::size_t kMaxSessionPolicyLength = 2048;

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

struct RequestContext {
  std::string action;               // "ecr:PutImage", "sts:AssumeRoleWithWebIdentity"
  std::string resource;             // ARN; empty when evaluating a trust policy
  std::string federated_principal;  // the OIDC provider ARN, for trust policies
  ConditionValues condition_values;
};

enum class Decision { allow, deny_explicit, deny_implicit };

// A matching Deny statement wins; otherwise a matching Allow allows; otherwise implicit deny.
// Conditions follow interfaces.md §5. Where §5 leaves AWS's behaviour open (a multi-valued key
// under an operator without ForAnyValue:/ForAllValues:), a positive operator holds if any request
// value matches and a negated one if none does, so that a negated operator is always the exact
// negation of its positive form.
Decision evaluate(const PolicyDocument& policy, const RequestContext& request);

// The same rule across several documents (e.g. every permission policy attached to a role).
Decision evaluate_all(std::span<const PolicyDocument> policies, const RequestContext& request);

// A role session's effective permissions: an explicit Deny in any document wins; otherwise allowed
// only if the role's policies allow and, when there is a session policy, it allows too.
Decision evaluate_with_session_policy(std::span<const PolicyDocument> role_policies,
                                      const PolicyDocument* session_policy, const RequestContext& request);

}  // namespace berth::auth

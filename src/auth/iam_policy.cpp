#include "auth/iam_policy.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <nlohmann/json.hpp>
#include <utility>

namespace berth::auth {
namespace {

using nlohmann::json;

Error invalid(std::string message) { return make_error(ErrorCode::invalid_argument, std::move(message)); }

// Counts characters, refusing invalid UTF-8 and anything outside TAB, LF, CR, U+0020–U+00FF: with
// that repertoire a character is one byte (ASCII) or a two-byte sequence with lead 0xC2 or 0xC3.
Result<std::size_t> count_policy_characters(std::string_view text) {
  std::size_t count = 0;
  for (std::size_t i = 0; i < text.size(); ++count) {
    auto byte = static_cast<unsigned char>(text[i]);
    if ((byte >= 0x20 && byte < 0x80) || byte == '\t' || byte == '\n' || byte == '\r') {
      ++i;
    } else if ((byte == 0xC2 || byte == 0xC3) && i + 1 < text.size() &&
               (static_cast<unsigned char>(text[i + 1]) & 0xC0) == 0x80) {
      i += 2;
    } else {
      return invalid(fmt::format("policy: character at byte offset {} is outside TAB, LF, CR and U+0020-U+00FF", i));
    }
  }
  return count;
}

std::size_t max_length(PolicyKind kind) {
  switch (kind) {
    case PolicyKind::permission:
      return kMaxPermissionPolicyLength;
    case PolicyKind::trust:
      return kMaxTrustPolicyLength;
    case PolicyKind::session:
      return kMaxSessionPolicyLength;
    case PolicyKind::repository:
      return kMaxRepositoryPolicyLength;
  }
  return 0;
}

struct ParseState {
  PolicyKind kind;
  bool variables_enabled;  // Version 2012-10-17 gives `${...}` a meaning berth does not implement
};

Status refuse_variables(const ParseState& state, std::string_view value, const std::string& where) {
  if (state.variables_enabled && value.find("${") != std::string_view::npos) {
    return invalid(fmt::format("{}: policy variables are not supported ('{}')", where, value));
  }
  return {};
}

// "X": "a" or "X": ["a", "b"]: a non-empty list of strings.
Result<std::vector<std::string>> string_list(const json& value, const std::string& where) {
  std::vector<std::string> items;
  if (value.is_string()) {
    items.push_back(value.get<std::string>());
    return items;
  }
  if (!value.is_array() || value.empty()) return invalid(where + ": must be a string or a non-empty array of strings");
  for (const json& item : value) {
    if (!item.is_string()) return invalid(where + ": must be a string or a non-empty array of strings");
    items.push_back(item.get<std::string>());
  }
  return items;
}

bool valid_action(std::string_view action) {
  if (action == "*") return true;
  std::size_t colon = action.find(':');
  if (colon == 0 || colon == std::string_view::npos || colon + 1 == action.size()) return false;
  return std::all_of(action.begin(), action.begin() + static_cast<std::ptrdiff_t>(colon), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
  });
}

// "*" or an ARN with its six parts (`arn:partition:service:region:account:resource`).
bool valid_resource(std::string_view resource) {
  if (resource == "*") return true;
  return resource.starts_with("arn:") && std::count(resource.begin(), resource.end(), ':') >= 5;
}

Result<std::vector<std::string>> parse_actions(const json& value, const std::string& where) {
  Result<std::vector<std::string>> actions = string_list(value, where);
  if (!actions) return actions;
  for (const std::string& action : *actions) {
    if (!valid_action(action)) {
      return invalid(fmt::format("{}: '{}' is not '*' or '<service>:<action>'", where, action));
    }
  }
  return actions;
}

Result<std::vector<std::string>> parse_resources(const ParseState& state, const json& value, const std::string& where) {
  Result<std::vector<std::string>> resources = string_list(value, where);
  if (!resources) return resources;
  for (const std::string& resource : *resources) {
    if (!valid_resource(resource)) return invalid(fmt::format("{}: '{}' is not '*' or an ARN", where, resource));
    BERTH_TRY(refuse_variables(state, resource, where));
  }
  return resources;
}

bool is_account_id(std::string_view text) {
  return text.size() == 12 && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// The forms IAM accepts for an "AWS" principal; wildcards other than "*" alone are not among them.
bool valid_aws_principal(std::string_view principal) {
  if (principal == "*" || is_account_id(principal)) return true;
  for (std::string_view service : {std::string_view("arn:aws:iam::"), std::string_view("arn:aws:sts::")}) {
    if (!principal.starts_with(service)) continue;
    std::string_view rest = principal.substr(service.size());
    if (rest.size() < 14 || !is_account_id(rest.substr(0, 12)) || rest[12] != ':') return false;
    std::string_view resource = rest.substr(13);
    if (resource.find('*') != std::string_view::npos || resource.find('?') != std::string_view::npos) return false;
    if (service == "arn:aws:sts::") {
      std::size_t slash = resource.find('/', std::string_view("assumed-role/").size());
      return resource.starts_with("assumed-role/") && slash != std::string_view::npos &&
             slash > std::string_view("assumed-role/").size() && slash + 1 < resource.size();
    }
    return resource == "root" || ((resource.starts_with("role/") || resource.starts_with("user/")) && resource.size() > 5);
  }
  return false;
}

Result<Principal> parse_principal(PolicyKind kind, const json& value, const std::string& where) {
  Principal principal;
  if (value.is_string()) {
    if (value.get<std::string>() != "*") return invalid(where + ": must be \"*\" or an object");
    principal.anyone = true;
    return principal;
  }
  if (!value.is_object() || value.empty()) return invalid(where + ": must be \"*\" or an object");
  for (const auto& [type, ids] : value.items()) {
    bool supported = kind == PolicyKind::trust ? type == "Federated" : (type == "AWS" || type == "Service");
    if (!supported) return invalid(fmt::format("{}: principal type '{}' is not supported", where, type));
    Result<std::vector<std::string>> names = string_list(ids, where + "." + type);
    if (!names) return std::move(names).error();
    if (type == "AWS") {
      for (const std::string& name : *names) {
        if (!valid_aws_principal(name)) return invalid(fmt::format("{}.AWS: invalid principal '{}'", where, name));
      }
      principal.aws = std::move(*names);
    } else if (type == "Service") {
      principal.service = std::move(*names);
    } else {
      principal.federated = std::move(*names);
    }
  }
  return principal;
}

struct OperatorName {
  std::string_view name;
  ConditionOperator op;
};

constexpr std::array<OperatorName, 8> kOperators{{
    {"StringEquals", ConditionOperator::string_equals},
    {"StringNotEquals", ConditionOperator::string_not_equals},
    {"StringEqualsIgnoreCase", ConditionOperator::string_equals_ignore_case},
    {"StringNotEqualsIgnoreCase", ConditionOperator::string_not_equals_ignore_case},
    {"StringLike", ConditionOperator::string_like},
    {"StringNotLike", ConditionOperator::string_not_like},
    {"Null", ConditionOperator::null},
    {"Bool", ConditionOperator::boolean},
}};

// `[ForAnyValue:|ForAllValues:]<Operator>[IfExists]`
Result<Condition> parse_operator(std::string_view text, const std::string& where) {
  Condition condition;
  std::string_view name = text;
  if (name.starts_with("ForAnyValue:")) {
    condition.set = SetOperator::for_any_value;
    name.remove_prefix(std::string_view("ForAnyValue:").size());
  } else if (name.starts_with("ForAllValues:")) {
    condition.set = SetOperator::for_all_values;
    name.remove_prefix(std::string_view("ForAllValues:").size());
  }
  if (name.ends_with("IfExists")) {
    condition.if_exists = true;
    name.remove_suffix(std::string_view("IfExists").size());
  }
  auto known =
      std::find_if(kOperators.begin(), kOperators.end(), [&](const OperatorName& o) { return o.name == name; });
  if (known == kOperators.end()) return invalid(fmt::format("{}: unsupported operator '{}'", where, text));
  condition.op = known->op;
  if (condition.op == ConditionOperator::null && (condition.if_exists || condition.set != SetOperator::none)) {
    return invalid(fmt::format("{}: '{}': Null takes neither IfExists nor a set operator", where, text));
  }
  return condition;
}

Result<std::string> condition_value(const json& value, const std::string& where) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_boolean() || value.is_number()) return value.dump();
  return invalid(where + ": values must be strings, numbers or booleans");
}

Result<std::vector<std::string>> condition_values(const ParseState& state, const Condition& condition,
                                                  const json& value, const std::string& where) {
  std::vector<std::string> values;
  if (value.is_array()) {
    for (const json& item : value) {
      Result<std::string> text = condition_value(item, where);
      if (!text) return std::move(text).error();
      values.push_back(std::move(*text));
    }
  } else {
    Result<std::string> text = condition_value(value, where);
    if (!text) return std::move(text).error();
    values.push_back(std::move(*text));
  }
  for (const std::string& text : values) {
    bool needs_boolean = condition.op == ConditionOperator::null || condition.op == ConditionOperator::boolean;
    if (needs_boolean && text != "true" && text != "false") {
      return invalid(fmt::format("{}: '{}' is not true or false", where, text));
    }
    BERTH_TRY(refuse_variables(state, text, where));
  }
  return values;
}

Result<std::vector<Condition>> parse_conditions(const ParseState& state, const json& value, const std::string& where) {
  if (!value.is_object()) return invalid(where + ": must be an object");
  std::vector<Condition> conditions;
  for (const auto& [operator_text, keys] : value.items()) {
    std::string operator_where = fmt::format("{}.{}", where, operator_text);
    Result<Condition> shape = parse_operator(operator_text, where);
    if (!shape) return std::move(shape).error();
    if (!keys.is_object() || keys.empty()) return invalid(operator_where + ": must be a non-empty object of keys");
    for (const auto& [key, values] : keys.items()) {
      Condition condition = *shape;
      condition.key = key;
      Result<std::vector<std::string>> parsed = condition_values(state, condition, values, operator_where + "." + key);
      if (!parsed) return std::move(parsed).error();
      condition.values = std::move(*parsed);
      conditions.push_back(std::move(condition));
    }
  }
  return conditions;
}

bool names_principal(PolicyKind kind) { return kind == PolicyKind::trust || kind == PolicyKind::repository; }

Result<Statement> parse_statement(const ParseState& state, const json& value, const std::string& where) {
  if (!value.is_object()) return invalid(where + ": must be an object");
  Statement statement;
  bool has_effect = false;
  bool has_action = false;
  bool has_resource = false;
  for (const auto& [name, element] : value.items()) {
    std::string element_where = fmt::format("{}.{}", where, name);
    if (name == "Sid") {
      if (!element.is_string()) return invalid(element_where + ": must be a string");
      statement.sid = element.get<std::string>();
    } else if (name == "Effect") {
      if (element == "Allow") {
        statement.effect = Effect::allow;
      } else if (element == "Deny") {
        statement.effect = Effect::deny;
      } else {
        return invalid(element_where + ": must be \"Allow\" or \"Deny\"");
      }
      has_effect = true;
    } else if (name == "Action" || name == "NotAction") {
      if (has_action) return invalid(where + ": has both Action and NotAction");
      Result<std::vector<std::string>> actions = parse_actions(element, element_where);
      if (!actions) return std::move(actions).error();
      statement.actions = std::move(*actions);
      statement.not_action = name == "NotAction";
      has_action = true;
    } else if (name == "Resource" || name == "NotResource") {
      if (state.kind == PolicyKind::trust) return invalid(element_where + ": a trust policy cannot name a resource");
      if (has_resource) return invalid(where + ": has both Resource and NotResource");
      Result<std::vector<std::string>> resources = parse_resources(state, element, element_where);
      if (!resources) return std::move(resources).error();
      statement.resources = std::move(*resources);
      statement.not_resource = name == "NotResource";
      has_resource = true;
    } else if (name == "Principal") {
      if (!names_principal(state.kind)) {
        return invalid(element_where + ": only trust and repository policies name a principal");
      }
      Result<Principal> principal = parse_principal(state.kind, element, element_where);
      if (!principal) return std::move(principal).error();
      statement.principal = std::move(*principal);
    } else if (name == "Condition") {
      Result<std::vector<Condition>> conditions = parse_conditions(state, element, element_where);
      if (!conditions) return std::move(conditions).error();
      statement.conditions = std::move(*conditions);
    } else {
      return invalid(fmt::format("{}: unsupported element '{}'", where, name));
    }
  }
  if (!has_effect) return invalid(where + ": missing Effect");
  if (!has_action) return invalid(where + ": missing Action or NotAction");
  if (names_principal(state.kind) && !statement.principal) return invalid(where + ": missing Principal");
  bool needs_resource = state.kind == PolicyKind::permission || state.kind == PolicyKind::session;
  if (needs_resource && !has_resource) return invalid(where + ": missing Resource or NotResource");
  return statement;
}

// --- evaluation ---

bool any_matches(const std::vector<std::string>& patterns, std::string_view text, Case sensitivity) {
  return std::any_of(patterns.begin(), patterns.end(),
                     [&](const std::string& pattern) { return wildcard_match(pattern, text, sensitivity); });
}

bool action_matches(const Statement& statement, std::string_view action) {
  return any_matches(statement.actions, action, Case::insensitive) != statement.not_action;
}

bool resource_matches(const Statement& statement, std::string_view resource) {
  if (statement.resources.empty()) return true;
  return any_matches(statement.resources, resource, Case::sensitive) != statement.not_resource;
}

// How strongly a statement's principal names the request's: ordered, the strongest match counts.
enum class PrincipalMatch { none, account, direct, session };

PrincipalMatch aws_principal_match(std::string_view name, const AwsCaller& caller) {
  if (name == "*" || name == caller.role_arn) return PrincipalMatch::direct;
  if (name == caller.session_arn) return PrincipalMatch::session;
  if (name == caller.account_id || name == "arn:aws:iam::" + caller.account_id + ":root") return PrincipalMatch::account;
  return PrincipalMatch::none;
}

PrincipalMatch principal_match(const Statement& statement, const RequestContext& request) {
  if (!statement.principal) return PrincipalMatch::direct;
  const Principal& principal = *statement.principal;
  if (principal.anyone) return PrincipalMatch::direct;
  bool federated = std::any_of(principal.federated.begin(), principal.federated.end(), [&](const std::string& id) {
    return id == "*" || (!request.federated_principal.empty() && id == request.federated_principal);
  });
  if (federated) return PrincipalMatch::direct;
  PrincipalMatch best = PrincipalMatch::none;
  if (request.caller != nullptr) {
    for (const std::string& name : principal.aws) best = std::max(best, aws_principal_match(name, *request.caller));
  }
  return best;
}

bool negated(ConditionOperator op) {
  return op == ConditionOperator::string_not_equals || op == ConditionOperator::string_not_equals_ignore_case ||
         op == ConditionOperator::string_not_like;
}

// The positive form of the operator, for one request value against one policy value.
bool value_matches(ConditionOperator op, std::string_view policy_value, std::string_view request_value) {
  switch (op) {
    case ConditionOperator::string_equals:
    case ConditionOperator::string_not_equals:
      return policy_value == request_value;
    case ConditionOperator::string_equals_ignore_case:
    case ConditionOperator::string_not_equals_ignore_case:
    case ConditionOperator::boolean:
      return iequals(policy_value, request_value);
    case ConditionOperator::string_like:
    case ConditionOperator::string_not_like:
      return wildcard_match(policy_value, request_value, Case::sensitive);
    case ConditionOperator::null:
      return false;
  }
  return false;
}

// One request value "satisfies" the operator: for a positive operator it matches some policy value
// (values are ORed); for a negated one it matches none of them.
bool satisfies(const Condition& condition, std::string_view request_value) {
  bool matched = std::any_of(condition.values.begin(), condition.values.end(), [&](const std::string& policy_value) {
    return value_matches(condition.op, policy_value, request_value);
  });
  return matched != negated(condition.op);
}

bool condition_holds(const Condition& condition, const ConditionValues& values) {
  auto found = values.find(condition.key);
  bool present = found != values.end() && !found->second.empty();
  if (condition.op == ConditionOperator::null) {
    return std::any_of(condition.values.begin(), condition.values.end(),
                       [&](const std::string& v) { return (v == "true") != present; });
  }
  if (!present) {
    if (condition.if_exists || condition.set == SetOperator::for_all_values) return true;
    if (condition.set == SetOperator::for_any_value) return false;
    return negated(condition.op);
  }
  const std::vector<std::string>& request_values = found->second;
  auto holds = [&](const std::string& v) { return satisfies(condition, v); };
  switch (condition.set) {
    case SetOperator::for_all_values:
      return std::all_of(request_values.begin(), request_values.end(), holds);
    case SetOperator::for_any_value:
      return std::any_of(request_values.begin(), request_values.end(), holds);
    case SetOperator::none:
      // Without a set operator a negated condition is the negation of the positive one: no
      // request value may match any policy value.
      return negated(condition.op) ? std::all_of(request_values.begin(), request_values.end(), holds)
                                   : std::any_of(request_values.begin(), request_values.end(), holds);
  }
  return false;
}

bool statement_applies(const Statement& statement, const RequestContext& request) {
  return action_matches(statement, request.action) && resource_matches(statement, request.resource) &&
         std::all_of(statement.conditions.begin(), statement.conditions.end(),
                     [&](const Condition& c) { return condition_holds(c, request.condition_values); });
}

// A Deny applies to any principal it names, its account included; an Allow naming only the account
// delegates to identity policies, so grants nothing here.
ResourcePolicyDecision decide(std::span<const PolicyDocument> policies, const RequestContext& request) {
  ResourcePolicyDecision result;
  for (const PolicyDocument& policy : policies) {
    for (const Statement& statement : policy.statements) {
      if (!statement_applies(statement, request)) continue;
      PrincipalMatch match = principal_match(statement, request);
      if (match == PrincipalMatch::none) continue;
      if (statement.effect == Effect::deny) return {Decision::deny_explicit, false};
      if (match == PrincipalMatch::account) continue;
      result.decision = Decision::allow;
      result.session_named = result.session_named || match == PrincipalMatch::session;
    }
  }
  return result;
}

}  // namespace

Result<PolicyDocument> parse_policy(std::string_view text, PolicyKind kind) {
  Result<std::size_t> length = count_policy_characters(text);
  if (!length) return std::move(length).error();
  if (*length > max_length(kind)) {
    return invalid(fmt::format("policy: {} characters exceed the limit of {}", *length, max_length(kind)));
  }
  json document = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (document.is_discarded()) return invalid("policy: not valid JSON");
  if (!document.is_object()) return invalid("policy: must be a JSON object");

  PolicyDocument policy;
  policy.version = "2008-10-17";
  const json* statements = nullptr;
  for (const auto& [name, element] : document.items()) {
    if (name == "Version") {
      if (element != "2012-10-17" && element != "2008-10-17") {
        return invalid("Version: must be \"2012-10-17\" or \"2008-10-17\"");
      }
      policy.version = element.get<std::string>();
    } else if (name == "Id") {
      if (!element.is_string()) return invalid("Id: must be a string");
    } else if (name == "Statement") {
      statements = &element;
    } else {
      return invalid(fmt::format("policy: unsupported element '{}'", name));
    }
  }
  if (statements == nullptr) return invalid("policy: missing Statement");
  ParseState state{kind, policy.version == "2012-10-17"};
  if (statements->is_object()) {
    Result<Statement> statement = parse_statement(state, *statements, "Statement");
    if (!statement) return std::move(statement).error();
    policy.statements.push_back(std::move(*statement));
  } else if (statements->is_array() && !statements->empty()) {
    for (std::size_t i = 0; i < statements->size(); ++i) {
      Result<Statement> statement = parse_statement(state, (*statements)[i], fmt::format("Statement[{}]", i));
      if (!statement) return std::move(statement).error();
      policy.statements.push_back(std::move(*statement));
    }
  } else {
    return invalid("Statement: must be an object or a non-empty array");
  }
  return policy;
}

Decision evaluate(const PolicyDocument& policy, const RequestContext& request) {
  return evaluate_all(std::span(&policy, 1), request);
}

Decision evaluate_all(std::span<const PolicyDocument> policies, const RequestContext& request) {
  return decide(policies, request).decision;
}

ResourcePolicyDecision evaluate_resource_policy(const PolicyDocument& policy, const RequestContext& request) {
  return decide(std::span(&policy, 1), request);
}

Decision evaluate_for_session(std::span<const PolicyDocument> role_policies, const PolicyDocument* resource_policy,
                              const PolicyDocument* session_policy, const RequestContext& request) {
  Decision role = evaluate_all(role_policies, request);
  if (role == Decision::deny_explicit) return role;
  ResourcePolicyDecision resource;
  if (resource_policy != nullptr) resource = evaluate_resource_policy(*resource_policy, request);
  if (resource.decision == Decision::deny_explicit) return Decision::deny_explicit;
  Decision session = session_policy != nullptr ? evaluate(*session_policy, request) : Decision::allow;
  if (session == Decision::deny_explicit) return session;
  if (resource.decision == Decision::allow && resource.session_named) return Decision::allow;
  if (role != Decision::allow && resource.decision != Decision::allow) return Decision::deny_implicit;
  return session;
}

}  // namespace berth::auth

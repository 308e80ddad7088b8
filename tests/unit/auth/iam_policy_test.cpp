#include "auth/iam_policy.hpp"

#include <gtest/gtest.h>

#include "auth/auth_fixtures.hpp"

#include <string>
#include <vector>

namespace berth::auth {
namespace {

using fixtures::kMojPushPolicy;

constexpr std::string_view kRepositoryArn =
    "arn:aws:ecr:eu-west-2:000000000000:repository/example-team/example-repository";
constexpr std::string_view kOtherRepositoryArn = "arn:aws:ecr:eu-west-2:000000000000:repository/other-team/other";
constexpr std::string_view kGitHubProvider =
    "arn:aws:iam::000000000000:oidc-provider/token.actions.githubusercontent.com";
constexpr std::string_view kCircleCiProvider =
    "arn:aws:iam::000000000000:oidc-provider/oidc.circleci.com/org/11111111-2222-3333-4444-555555555555";
constexpr std::string_view kAssume = "sts:AssumeRoleWithWebIdentity";

// interfaces.md §1.4, GitHub role with two repositories.
constexpr std::string_view kMojGitHubTrust = R"({
  "Version": "2012-10-17",
  "Statement": [{
    "Effect": "Allow",
    "Action": "sts:AssumeRoleWithWebIdentity",
    "Principal": {"Federated": "arn:aws:iam::000000000000:oidc-provider/token.actions.githubusercontent.com"},
    "Condition": {
      "StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"},
      "ForAnyValue:StringLike": {"token.actions.githubusercontent.com:sub": ["repo:org/a:*", "repo:org/b:*"]}
    }
  }]
})";

// interfaces.md §1.4, CircleCI role with one repository (v2 sub format).
constexpr std::string_view kMojCircleCiTrust = R"({
  "Version": "2012-10-17",
  "Statement": {
    "Effect": "Allow",
    "Action": "sts:AssumeRoleWithWebIdentity",
    "Principal": {"Federated": ["arn:aws:iam::000000000000:oidc-provider/oidc.circleci.com/org/11111111-2222-3333-4444-555555555555"]},
    "Condition": {
      "StringLike": {"oidc.circleci.com/org/11111111-2222-3333-4444-555555555555:sub":
        "org/11111111-2222-3333-4444-555555555555/project/*/user/*/vcs-origin/github.com/ministryofjustice/example-repository/vcs-ref/refs/heads/*"},
      "StringEquals": {"oidc.circleci.com/org/11111111-2222-3333-4444-555555555555:aud": "11111111-2222-3333-4444-555555555555"}
    }
  }
})";

PolicyDocument parse_ok(std::string_view text, PolicyKind kind) {
  Result<PolicyDocument> policy = parse_policy(text, kind);
  EXPECT_TRUE(policy.ok()) << (policy.ok() ? "" : policy.error().message);
  return policy.ok() ? std::move(policy).value() : PolicyDocument{};
}

std::string parse_error(std::string_view text, PolicyKind kind) {
  Result<PolicyDocument> policy = parse_policy(text, kind);
  if (policy.ok()) return "parsed";
  EXPECT_EQ(policy.error().code, ErrorCode::invalid_argument);
  return policy.error().message;
}

RequestContext ecr(std::string action, std::string_view resource) {
  return RequestContext{std::move(action), std::string(resource), "", {}};
}

RequestContext github_assume(std::string sub, std::string aud = "sts.amazonaws.com") {
  RequestContext request{std::string(kAssume), "", std::string(kGitHubProvider), {}};
  request.condition_values["token.actions.githubusercontent.com:sub"] = {std::move(sub)};
  request.condition_values["token.actions.githubusercontent.com:aud"] = {std::move(aud)};
  return request;
}

// A permission policy with one statement whose only condition is `condition` (JSON object text).
PolicyDocument with_condition(std::string_view condition) {
  std::string text =
      R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:Get*","Resource":"*","Condition":)";
  text += condition;
  text += "}}";
  return parse_ok(text, PolicyKind::permission);
}

Decision decide(const PolicyDocument& policy, ConditionValues values) {
  return evaluate(policy, RequestContext{"s3:GetObject", "arn:aws:s3:::bucket/key", "", std::move(values)});
}

// --- parsing ---

TEST(ParsePolicy, ReadsTheMojPushPolicy) {
  PolicyDocument policy = parse_ok(kMojPushPolicy, PolicyKind::permission);
  EXPECT_EQ(policy.version, "2012-10-17");
  ASSERT_EQ(policy.statements.size(), 2u);
  EXPECT_EQ(policy.statements[0].sid, "AllowLogin");
  EXPECT_EQ(policy.statements[0].actions, std::vector<std::string>{"ecr:GetAuthorizationToken"});
  EXPECT_EQ(policy.statements[1].actions.size(), 10u);
  EXPECT_EQ(policy.statements[1].resources, std::vector<std::string>{std::string(kRepositoryArn)});
  EXPECT_FALSE(policy.statements[1].not_action);
}

TEST(ParsePolicy, ReadsTrustPolicyConditions) {
  PolicyDocument policy = parse_ok(kMojGitHubTrust, PolicyKind::trust);
  ASSERT_EQ(policy.statements.size(), 1u);
  const Statement& statement = policy.statements[0];
  ASSERT_TRUE(statement.principal.has_value());
  EXPECT_EQ(statement.principal->federated, std::vector<std::string>{std::string(kGitHubProvider)});
  ASSERT_EQ(statement.conditions.size(), 2u);
  const Condition* like = nullptr;
  for (const Condition& c : statement.conditions) {
    if (c.op == ConditionOperator::string_like) like = &c;
  }
  ASSERT_NE(like, nullptr);
  EXPECT_EQ(like->set, SetOperator::for_any_value);
  EXPECT_EQ(like->values, (std::vector<std::string>{"repo:org/a:*", "repo:org/b:*"}));
}

TEST(ParsePolicy, DefaultsVersionAndKeepsNumbersAndBooleansAsText) {
  PolicyDocument policy = parse_ok(
      R"({"Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{"k":[1,true]},"Bool":{"b":false}}}})",
      PolicyKind::permission);
  EXPECT_EQ(policy.version, "2008-10-17");
  ASSERT_EQ(policy.statements[0].conditions.size(), 2u);
  EXPECT_EQ(policy.statements[0].conditions[1].values, (std::vector<std::string>{"1", "true"}));
  EXPECT_EQ(policy.statements[0].conditions[0].values, std::vector<std::string>{"false"});
}

TEST(ParsePolicy, RefusesMalformedDocumentsNamingTheElement) {
  constexpr PolicyKind P = PolicyKind::permission;
  EXPECT_NE(parse_error("{", P).find("not valid JSON"), std::string::npos);
  EXPECT_NE(parse_error("[]", P).find("JSON object"), std::string::npos);
  EXPECT_NE(parse_error(R"({"Version":"2012-10-17"})", P).find("missing Statement"), std::string::npos);
  EXPECT_NE(parse_error(R"({"Version":"2019-01-01","Statement":[]})", P).find("Version"), std::string::npos);
  EXPECT_NE(parse_error(R"({"Statement":[]})", P).find("non-empty array"), std::string::npos);
  EXPECT_NE(parse_error(R"({"Statement":{"Effect":"Allow","Action":"*","Resource":"*"},"Extra":1})", P).find("'Extra'"),
            std::string::npos);
  EXPECT_NE(parse_error(R"({"Statement":[{"Action":"*","Resource":"*"}]})", P).find("Statement[0]: missing Effect"),
            std::string::npos);
  EXPECT_NE(
      parse_error(R"({"Statement":[{"Effect":"allow","Action":"*","Resource":"*"}]})", P).find("Statement[0].Effect"),
      std::string::npos);
  EXPECT_NE(parse_error(R"({"Statement":{"Effect":"Allow","Resource":"*"}})", P).find("missing Action"),
            std::string::npos);
  EXPECT_NE(parse_error(R"({"Statement":{"Effect":"Allow","Action":"*"}})", P).find("missing Resource"),
            std::string::npos);
  EXPECT_NE(parse_error(R"({"Statement":{"Effect":"Allow","Action":"*","NotAction":"s3:*","Resource":"*"}})", P)
                .find("both Action and NotAction"),
            std::string::npos);
  EXPECT_NE(parse_error(R"({"Statement":{"Effect":"Allow","Action":"*","Resource":"*","NotResource":"*"}})", P)
                .find("both Resource and NotResource"),
            std::string::npos);
  EXPECT_NE(
      parse_error(R"({"Statement":{"Effect":"Allow","Action":"PutImage","Resource":"*"}})", P).find("Statement.Action"),
      std::string::npos);
  EXPECT_NE(parse_error(R"({"Statement":{"Effect":"Allow","Action":"e*r:PutImage","Resource":"*"}})", P)
                .find("'e*r:PutImage'"),
            std::string::npos);
  EXPECT_NE(parse_error(R"({"Statement":{"Effect":"Allow","Action":[],"Resource":"*"}})", P).find("Statement.Action"),
            std::string::npos);
  EXPECT_NE(parse_error(R"({"Statement":{"Effect":"Allow","Action":["ecr:*",3],"Resource":"*"}})", P)
                .find("Statement.Action"),
            std::string::npos);
  EXPECT_NE(parse_error(R"({"Statement":{"Effect":"Allow","Action":"*","Resource":"repository/x"}})", P)
                .find("Statement.Resource"),
            std::string::npos);
  EXPECT_NE(
      parse_error(R"({"Statement":{"Effect":"Allow","Action":"*","Resource":"*","Sid":1}})", P).find("Statement.Sid"),
      std::string::npos);
  EXPECT_NE(parse_error(R"({"Statement":{"Effect":"Allow","Action":"*","Resource":"*","NotPrincipal":"*"}})", P)
                .find("'NotPrincipal'"),
            std::string::npos);
}

TEST(ParsePolicy, RefusesBadConditions) {
  auto condition_error = [](std::string_view condition) {
    std::string text =
        R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":)";
    text += condition;
    text += "}}";
    return parse_error(text, PolicyKind::permission);
  };
  EXPECT_NE(condition_error(R"({"NumericEquals":{"k":"1"}})").find("unsupported operator 'NumericEquals'"),
            std::string::npos);
  EXPECT_NE(condition_error(R"({"ForSomeValues:StringLike":{"k":"1"}})").find("unsupported operator"),
            std::string::npos);
  EXPECT_NE(condition_error(R"({"StringEquals":{}})").find("Condition.StringEquals"), std::string::npos);
  EXPECT_NE(condition_error(R"({"StringEquals":"k"})").find("Condition.StringEquals"), std::string::npos);
  EXPECT_NE(condition_error(R"({"StringEquals":{"k":{"x":1}}})").find("Condition.StringEquals.k"), std::string::npos);
  EXPECT_NE(condition_error(R"({"StringEquals":{"k":[null]}})").find("Condition.StringEquals.k"), std::string::npos);
  EXPECT_NE(condition_error(R"({"Null":{"k":"maybe"}})").find("'maybe' is not true or false"), std::string::npos);
  EXPECT_NE(condition_error(R"({"Bool":{"k":"yes"}})").find("'yes'"), std::string::npos);
  EXPECT_NE(condition_error(R"({"ForAnyValue:Null":{"k":"true"}})").find("Null takes neither"), std::string::npos);
  EXPECT_NE(condition_error(R"({"NullIfExists":{"k":"true"}})").find("Null takes neither"), std::string::npos);
  EXPECT_NE(condition_error(R"({"StringLike":{"k":"${aws:username}"}})").find("policy variables"), std::string::npos);
  EXPECT_NE(condition_error(R"([])").find("Statement.Condition: must be an object"), std::string::npos);
}

TEST(ParsePolicy, EnforcesPrincipalAndResourceRulesPerKind) {
  EXPECT_NE(parse_error(kMojGitHubTrust, PolicyKind::permission).find("only trust and repository policies name a principal"),
            std::string::npos);
  EXPECT_NE(parse_error(kMojPushPolicy, PolicyKind::trust).find("a trust policy cannot name a resource"),
            std::string::npos);
  EXPECT_NE(
      parse_error(R"({"Statement":{"Effect":"Allow","Action":"sts:AssumeRoleWithWebIdentity"}})", PolicyKind::trust)
          .find("missing Principal"),
      std::string::npos);
  EXPECT_NE(parse_error(R"({"Statement":{"Effect":"Allow","Action":"*","Principal":{"AWS":"*"}}})", PolicyKind::trust)
                .find("principal type 'AWS'"),
            std::string::npos);
  EXPECT_NE(parse_error(R"({"Statement":{"Effect":"Allow","Action":"*","Principal":"me"}})", PolicyKind::trust)
                .find("Statement.Principal"),
            std::string::npos);
  EXPECT_EQ(parse_error(R"({"Statement":{"Effect":"Allow","Action":"*","Principal":"*"}})", PolicyKind::trust),
            "parsed");
}

TEST(ParsePolicy, RepositoryPoliciesNameAwsPrincipalsAndMayOmitTheResource) {
  auto with_principal = [](std::string_view principal) {
    return R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"ecr:BatchGetImage","Principal":)" +
           std::string(principal) + "}}";
  };
  for (std::string_view principal :
       {R"("*")", R"({"AWS":"*"})", R"({"AWS":"123456789012"})", R"({"AWS":"arn:aws:iam::123456789012:root"})",
        R"({"AWS":["arn:aws:iam::123456789012:role/ci","arn:aws:iam::123456789012:user/alice"]})",
        R"({"AWS":"arn:aws:sts::123456789012:assumed-role/ci/build-1"})", R"({"Service":"codebuild.amazonaws.com"})"}) {
    EXPECT_EQ(parse_error(with_principal(principal), PolicyKind::repository), "parsed") << principal;
  }
  for (std::string_view principal :
       {R"({"AWS":"12345678901"})", R"({"AWS":"arn:aws:iam::123456789012:role/*"})",
        R"({"AWS":"arn:aws:iam::12345678901x:root"})", R"({"AWS":"arn:aws:iam::123456789012:group/g"})",
        R"({"AWS":"arn:aws:sts::123456789012:assumed-role/ci"})", R"({"AWS":"arn:aws:iam::123456789012:role/"})",
        R"({"AWS":"arn:aws:s3:::bucket"})", R"({"AWS":"ci"})"}) {
    EXPECT_NE(parse_error(with_principal(principal), PolicyKind::repository).find("invalid principal"),
              std::string::npos)
        << principal;
  }
  EXPECT_NE(parse_error(with_principal(R"({"Federated":"*"})"), PolicyKind::repository).find("principal type 'Federated'"),
            std::string::npos);
  EXPECT_NE(parse_error(R"({"Statement":{"Effect":"Allow","Action":"ecr:*"}})", PolicyKind::repository)
                .find("missing Principal"),
            std::string::npos);
  EXPECT_EQ(parse_error(R"({"Statement":{"Effect":"Allow","Action":"ecr:*","Principal":"*","Resource":"*"}})",
                        PolicyKind::repository),
            "parsed");
}

TEST(EvaluateResourcePolicy, MatchesTheCallerByRoleSessionOrAccount) {
  const AwsCaller caller{"000000000000", "arn:aws:iam::000000000000:role/ci",
                         "arn:aws:sts::000000000000:assumed-role/ci/build-1"};
  auto decide_for = [&](std::string_view effect, std::string_view principal) {
    PolicyDocument policy = parse_ok(R"({"Statement":{"Effect":")" + std::string(effect) +
                                         R"(","Action":"ecr:*","Principal":{"AWS":")" + std::string(principal) + R"("}}})",
                                     PolicyKind::repository);
    RequestContext request = ecr("ecr:BatchGetImage", kRepositoryArn);
    request.caller = &caller;
    return evaluate_resource_policy(policy, request);
  };
  EXPECT_EQ(decide_for("Allow", "arn:aws:iam::000000000000:role/ci").decision, Decision::allow);
  EXPECT_FALSE(decide_for("Allow", "arn:aws:iam::000000000000:role/ci").session_named);
  EXPECT_TRUE(decide_for("Allow", "arn:aws:sts::000000000000:assumed-role/ci/build-1").session_named);
  EXPECT_EQ(decide_for("Allow", "arn:aws:sts::000000000000:assumed-role/ci/build-2").decision, Decision::deny_implicit);
  EXPECT_EQ(decide_for("Allow", "arn:aws:iam::000000000000:role/other").decision, Decision::deny_implicit);
  EXPECT_EQ(decide_for("Allow", "000000000000").decision, Decision::deny_implicit);
  EXPECT_EQ(decide_for("Deny", "000000000000").decision, Decision::deny_explicit);
  EXPECT_EQ(decide_for("Deny", "arn:aws:iam::000000000000:root").decision, Decision::deny_explicit);
  EXPECT_EQ(decide_for("Deny", "111111111111").decision, Decision::deny_implicit);
  EXPECT_EQ(decide_for("Allow", "*").decision, Decision::allow);
}

TEST(ParsePolicy, RefusesCharactersOutsideTheIamRepertoire) {
  auto with_sid = [](std::string sid) {
    return R"({"Statement":{"Sid":")" + sid + R"(","Effect":"Allow","Action":"*","Resource":"*"}})";
  };
  EXPECT_EQ(parse_error(with_sid("caf\xC3\xA9\x7F"), PolicyKind::permission), "parsed");  // U+00E9, DEL
  EXPECT_NE(parse_error(with_sid("\xE2\x82\xAC"), PolicyKind::permission).find("outside TAB"),
            std::string::npos);                                                                             // U+20AC
  EXPECT_NE(parse_error(with_sid("\xC3"), PolicyKind::permission).find("outside TAB"), std::string::npos);  // truncated
  EXPECT_NE(parse_error(with_sid(std::string("a\0b", 3)), PolicyKind::permission).find("outside TAB"),
            std::string::npos);
  EXPECT_NE(parse_error(std::string("{\"Statement\":\x01}"), PolicyKind::permission).find("byte offset 13"),
            std::string::npos);
}

TEST(ParsePolicy, EnforcesLengthLimitsPerKindCountingCharacters) {
  auto padded = [](std::size_t length) {
    std::string head = R"({"Statement":{"Effect":"Allow","Action":"*","Resource":"*","Sid":")";
    std::string tail = R"("}})";
    return head + std::string(length - head.size() - tail.size(), 'x') + tail;
  };
  EXPECT_EQ(parse_error(padded(kMaxSessionPolicyLength), PolicyKind::session), "parsed");
  EXPECT_NE(parse_error(padded(kMaxSessionPolicyLength + 1), PolicyKind::session).find("exceed the limit of 2048"),
            std::string::npos);
  EXPECT_EQ(parse_error(padded(kMaxSessionPolicyLength + 1), PolicyKind::permission), "parsed");
  EXPECT_NE(parse_error(padded(kMaxPermissionPolicyLength + 1), PolicyKind::permission).find("exceed"),
            std::string::npos);
  // Two bytes of UTF-8, one character.
  std::string latin = padded(kMaxSessionPolicyLength);
  latin.replace(latin.find("xx"), 2, "\xC3\xA9");
  EXPECT_EQ(latin.size(), kMaxSessionPolicyLength);
  latin.insert(latin.find('x'), "\xC3\xA9");
  latin.erase(latin.find('x'), 2);
  EXPECT_EQ(parse_error(latin, PolicyKind::session), "parsed");
}

// --- evaluation: the MoJ module's policies ---

TEST(EvaluatePolicy, MojPushPolicyAllowsItsRepositoryOnly) {
  PolicyDocument policy = parse_ok(kMojPushPolicy, PolicyKind::permission);
  for (const char* action : {"ecr:PutImage", "ecr:BatchGetImage", "ecr:InitiateLayerUpload", "ecr:BatchDeleteImage"}) {
    EXPECT_EQ(evaluate(policy, ecr(action, kRepositoryArn)), Decision::allow) << action;
    EXPECT_EQ(evaluate(policy, ecr(action, kOtherRepositoryArn)), Decision::deny_implicit) << action;
  }
  EXPECT_EQ(evaluate(policy, ecr("ecr:GetAuthorizationToken", "*")), Decision::allow);
  EXPECT_EQ(evaluate(policy, ecr("ECR:putimage", kRepositoryArn)), Decision::allow);  // actions ignore case
  EXPECT_EQ(evaluate(policy, ecr("ecr:DeleteRepository", kRepositoryArn)), Decision::deny_implicit);
  EXPECT_EQ(evaluate(policy, ecr("ecr:PutImage", std::string(kRepositoryArn) + "-2")), Decision::deny_implicit);
  // Resources are case-sensitive.
  EXPECT_EQ(evaluate(policy, ecr("ecr:PutImage",
                                 "arn:aws:ecr:eu-west-2:000000000000:repository/Example-Team/example-repository")),
            Decision::deny_implicit);
}

TEST(EvaluatePolicy, WildcardActionsAndResources) {
  PolicyDocument policy = parse_ok(R"({"Version":"2012-10-17","Statement":[
      {"Effect":"Allow","Action":"ecr:Batch*","Resource":"arn:aws:ecr:eu-west-2:000000000000:repository/team/*"},
      {"Effect":"Allow","Action":"ecr:Describe?mages","Resource":"arn:aws:ecr:*:000000000000:repository/t?am/x"}]})",
                                   PolicyKind::permission);
  EXPECT_EQ(evaluate(policy, ecr("ecr:BatchGetImage", "arn:aws:ecr:eu-west-2:000000000000:repository/team/app")),
            Decision::allow);
  EXPECT_EQ(evaluate(policy, ecr("ecr:BatchGetImage", "arn:aws:ecr:eu-west-2:000000000000:repository/team/a/b")),
            Decision::allow);
  EXPECT_EQ(evaluate(policy, ecr("ecr:PutImage", "arn:aws:ecr:eu-west-2:000000000000:repository/team/app")),
            Decision::deny_implicit);
  EXPECT_EQ(evaluate(policy, ecr("ecr:BatchGetImage", "arn:aws:ecr:eu-west-2:000000000000:repository/teams/app")),
            Decision::deny_implicit);
  EXPECT_EQ(evaluate(policy, ecr("ecr:DescribeImages", "arn:aws:ecr:us-east-1:000000000000:repository/team/x")),
            Decision::allow);
  EXPECT_EQ(evaluate(policy, ecr("ecr:DescribeImages", "arn:aws:ecr:us-east-1:000000000000:repository/tam/x")),
            Decision::deny_implicit);
}

TEST(EvaluatePolicy, ExplicitDenyBeatsAllow) {
  PolicyDocument push = parse_ok(kMojPushPolicy, PolicyKind::permission);
  PolicyDocument deny = parse_ok(
      R"({"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":"ecr:BatchDeleteImage","Resource":"*"}})",
      PolicyKind::permission);
  std::vector<PolicyDocument> both{push, deny};
  EXPECT_EQ(evaluate_all(both, ecr("ecr:BatchDeleteImage", kRepositoryArn)), Decision::deny_explicit);
  EXPECT_EQ(evaluate_all(both, ecr("ecr:PutImage", kRepositoryArn)), Decision::allow);
  EXPECT_EQ(evaluate_all({}, ecr("ecr:PutImage", kRepositoryArn)), Decision::deny_implicit);
  // Order does not matter, and a deny in the same document wins too.
  std::vector<PolicyDocument> reversed{deny, push};
  EXPECT_EQ(evaluate_all(reversed, ecr("ecr:BatchDeleteImage", kRepositoryArn)), Decision::deny_explicit);
  PolicyDocument mixed = parse_ok(R"({"Statement":[
      {"Effect":"Allow","Action":"ecr:*","Resource":"*"},
      {"Effect":"Deny","Action":"ecr:PutImage","Resource":"*"}]})",
                                  PolicyKind::permission);
  EXPECT_EQ(evaluate(mixed, ecr("ecr:PutImage", kRepositoryArn)), Decision::deny_explicit);
  EXPECT_EQ(evaluate(mixed, ecr("ecr:ListImages", kRepositoryArn)), Decision::allow);
}

TEST(EvaluatePolicy, NotActionAndNotResource) {
  PolicyDocument policy = parse_ok(R"({"Statement":[
      {"Effect":"Allow","NotAction":["ecr:BatchDeleteImage","ecr:Delete*"],"Resource":"*"},
      {"Effect":"Deny","Action":"ecr:PutImage","NotResource":"arn:aws:ecr:eu-west-2:000000000000:repository/example-team/*"}]})",
                                   PolicyKind::permission);
  EXPECT_EQ(evaluate(policy, ecr("ecr:PutImage", kRepositoryArn)), Decision::allow);
  EXPECT_EQ(evaluate(policy, ecr("ecr:PutImage", kOtherRepositoryArn)), Decision::deny_explicit);
  EXPECT_EQ(evaluate(policy, ecr("ecr:BatchDeleteImage", kRepositoryArn)), Decision::deny_implicit);
  EXPECT_EQ(evaluate(policy, ecr("ecr:DeleteRepository", kRepositoryArn)), Decision::deny_implicit);
  EXPECT_EQ(evaluate(policy, ecr("ecr:ListImages", kOtherRepositoryArn)), Decision::allow);
}

TEST(EvaluatePolicy, SessionPolicyCanOnlyNarrow) {
  std::vector<PolicyDocument> role{parse_ok(kMojPushPolicy, PolicyKind::permission)};
  PolicyDocument pull_only = parse_ok(
      R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":["ecr:BatchGetImage","ecr:GetDownloadUrlForLayer"],"Resource":"*"}})",
      PolicyKind::session);
  PolicyDocument everything =
      parse_ok(R"({"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}})", PolicyKind::session);
  PolicyDocument deny_get = parse_ok(
      R"({"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"ecr:BatchGetImage","Resource":"*"}]})",
      PolicyKind::session);

  EXPECT_EQ(evaluate_for_session(role, nullptr, nullptr, ecr("ecr:PutImage", kRepositoryArn)), Decision::allow);
  EXPECT_EQ(evaluate_for_session(role, nullptr, &pull_only, ecr("ecr:BatchGetImage", kRepositoryArn)), Decision::allow);
  EXPECT_EQ(evaluate_for_session(role, nullptr, &pull_only, ecr("ecr:PutImage", kRepositoryArn)),
            Decision::deny_implicit);
  // The session policy grants more than the role: the role still bounds it.
  EXPECT_EQ(evaluate_for_session(role, nullptr, &everything, ecr("ecr:PutImage", kOtherRepositoryArn)),
            Decision::deny_implicit);
  EXPECT_EQ(evaluate_for_session(role, nullptr, &everything, ecr("ecr:CreateRepository", "*")), Decision::deny_implicit);
  EXPECT_EQ(evaluate_for_session(role, nullptr, &deny_get, ecr("ecr:BatchGetImage", kRepositoryArn)),
            Decision::deny_explicit);
  EXPECT_EQ(evaluate_for_session(role, nullptr, &deny_get, ecr("ecr:PutImage", kRepositoryArn)), Decision::allow);
}

TEST(EvaluateTrust, MojGitHubTrustPolicy) {
  PolicyDocument trust = parse_ok(kMojGitHubTrust, PolicyKind::trust);
  EXPECT_EQ(evaluate(trust, github_assume("repo:org/a:ref:refs/heads/main")), Decision::allow);
  EXPECT_EQ(evaluate(trust, github_assume("repo:org/b:environment:production")), Decision::allow);
  EXPECT_EQ(evaluate(trust, github_assume("repo:org/b:pull_request")), Decision::allow);
  EXPECT_EQ(evaluate(trust, github_assume("repo:org/c:ref:refs/heads/main")), Decision::deny_implicit);
  EXPECT_EQ(evaluate(trust, github_assume("repo:org/ab:ref:refs/heads/main")), Decision::deny_implicit);
  EXPECT_EQ(evaluate(trust, github_assume("repo:Org/a:ref:refs/heads/main")),
            Decision::deny_implicit);  // case-sensitive
  EXPECT_EQ(evaluate(trust, github_assume("repo:org/a:ref:refs/heads/main", "https://github.com/org")),
            Decision::deny_implicit);

  RequestContext wrong_provider = github_assume("repo:org/a:ref:refs/heads/main");
  wrong_provider.federated_principal = std::string(kCircleCiProvider);
  EXPECT_EQ(evaluate(trust, wrong_provider), Decision::deny_implicit);
  RequestContext wrong_action = github_assume("repo:org/a:ref:refs/heads/main");
  wrong_action.action = "sts:AssumeRole";
  EXPECT_EQ(evaluate(trust, wrong_action), Decision::deny_implicit);
  RequestContext no_sub = github_assume("repo:org/a:ref:refs/heads/main");
  no_sub.condition_values.erase("token.actions.githubusercontent.com:sub");
  EXPECT_EQ(evaluate(trust, no_sub), Decision::deny_implicit);

  // Condition key names are case-insensitive.
  RequestContext shouting{std::string(kAssume), "", std::string(kGitHubProvider), {}};
  shouting.condition_values["TOKEN.actions.githubusercontent.com:SUB"] = {"repo:org/a:ref:refs/heads/x"};
  shouting.condition_values["Token.Actions.GitHubUserContent.com:Aud"] = {"sts.amazonaws.com"};
  EXPECT_EQ(evaluate(trust, shouting), Decision::allow);
}

TEST(EvaluateTrust, MojCircleCiTrustPolicyTakesV2BranchBuildsOnly) {
  PolicyDocument trust = parse_ok(kMojCircleCiTrust, PolicyKind::trust);
  constexpr std::string_view kOrg = "11111111-2222-3333-4444-555555555555";
  auto assume = [&](std::string sub, std::string aud) {
    RequestContext request{std::string(kAssume), "", std::string(kCircleCiProvider), {}};
    request.condition_values[std::string("oidc.circleci.com/org/") + std::string(kOrg) + ":sub"] = {std::move(sub)};
    request.condition_values[std::string("oidc.circleci.com/org/") + std::string(kOrg) + ":aud"] = {std::move(aud)};
    return request;
  };
  std::string prefix = std::string("org/") + std::string(kOrg) + "/project/p-1/user/u-1";
  std::string v2 = prefix + "/vcs-origin/github.com/ministryofjustice/example-repository/vcs-ref/refs/heads/main";
  EXPECT_EQ(evaluate(trust, assume(v2, std::string(kOrg))), Decision::allow);
  EXPECT_EQ(evaluate(trust, assume(v2, "sts.amazonaws.com")), Decision::deny_implicit);
  EXPECT_EQ(evaluate(trust, assume(prefix, std::string(kOrg))), Decision::deny_implicit);  // v1 sub
  EXPECT_EQ(evaluate(trust,
                     assume(prefix + "/vcs-origin/github.com/ministryofjustice/example-repository/vcs-ref/refs/tags/v1",
                            std::string(kOrg))),
            Decision::deny_implicit);
  EXPECT_EQ(
      evaluate(trust, assume(prefix + "/vcs-origin/github.com/someone-else/example-repository/vcs-ref/refs/heads/main",
                             std::string(kOrg))),
      Decision::deny_implicit);
}

TEST(EvaluateTrust, EmptySubListNeverMatches) {
  PolicyDocument trust =
      parse_ok(R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"sts:AssumeRoleWithWebIdentity",
      "Principal":{"Federated":"arn:aws:iam::000000000000:oidc-provider/token.actions.githubusercontent.com"},
      "Condition":{"ForAnyValue:StringLike":{"token.actions.githubusercontent.com:sub":[]}}}})",
               PolicyKind::trust);
  EXPECT_EQ(evaluate(trust, github_assume("repo:org/a:ref:refs/heads/main")), Decision::deny_implicit);
}

TEST(EvaluateTrust, PrincipalStarMatchesAnyProvider) {
  PolicyDocument trust =
      parse_ok(R"({"Statement":{"Effect":"Allow","Action":"sts:*","Principal":"*"}})", PolicyKind::trust);
  RequestContext request = github_assume("x");
  request.federated_principal = "arn:aws:iam::1:oidc-provider/anything";
  EXPECT_EQ(evaluate(trust, request), Decision::allow);
}

// --- condition operators (interfaces.md §5) ---

TEST(EvaluateConditions, StringEqualsIsExactAndCaseSensitive) {
  PolicyDocument policy = with_condition(R"({"StringEquals":{"k":["a","b"]}})");
  EXPECT_EQ(decide(policy, {{"k", {"a"}}}), Decision::allow);
  EXPECT_EQ(decide(policy, {{"K", {"b"}}}), Decision::allow);  // key names ignore case
  EXPECT_EQ(decide(policy, {{"k", {"A"}}}), Decision::deny_implicit);
  EXPECT_EQ(decide(policy, {{"k", {"a*"}}}), Decision::deny_implicit);
  EXPECT_EQ(decide(policy, {}), Decision::deny_implicit);  // missing key: false
  EXPECT_EQ(decide(policy, {{"k", {}}}), Decision::deny_implicit);
}

TEST(EvaluateConditions, IgnoreCaseVariants) {
  PolicyDocument equals = with_condition(R"({"StringEqualsIgnoreCase":{"k":"Main"}})");
  EXPECT_EQ(decide(equals, {{"k", {"MAIN"}}}), Decision::allow);
  EXPECT_EQ(decide(equals, {{"k", {"mains"}}}), Decision::deny_implicit);
  PolicyDocument not_equals = with_condition(R"({"StringNotEqualsIgnoreCase":{"k":["Main","dev"]}})");
  EXPECT_EQ(decide(not_equals, {{"k", {"MAIN"}}}), Decision::deny_implicit);
  EXPECT_EQ(decide(not_equals, {{"k", {"DEV"}}}), Decision::deny_implicit);
  EXPECT_EQ(decide(not_equals, {{"k", {"other"}}}), Decision::allow);
}

TEST(EvaluateConditions, NegatedOperatorsMustMatchNoneAndHoldOnMissingKeys) {
  PolicyDocument policy = with_condition(R"({"StringNotEquals":{"k":["a","b"]}})");
  EXPECT_EQ(decide(policy, {{"k", {"c"}}}), Decision::allow);
  EXPECT_EQ(decide(policy, {{"k", {"a"}}}), Decision::deny_implicit);
  EXPECT_EQ(decide(policy, {{"k", {"b"}}}), Decision::deny_implicit);
  EXPECT_EQ(decide(policy, {}), Decision::allow);
  PolicyDocument not_like = with_condition(R"({"StringNotLike":{"k":["repo:org/*","x?"]}})");
  EXPECT_EQ(decide(not_like, {{"k", {"repo:org/a:ref"}}}), Decision::deny_implicit);
  EXPECT_EQ(decide(not_like, {{"k", {"xy"}}}), Decision::deny_implicit);
  EXPECT_EQ(decide(not_like, {{"k", {"xyz"}}}), Decision::allow);
  EXPECT_EQ(decide(not_like, {}), Decision::allow);
}

TEST(EvaluateConditions, KeysAndOperatorsAreAnded) {
  PolicyDocument policy = with_condition(R"({"StringEquals":{"a":"1","b":"2"},"StringLike":{"c":"x*"}})");
  EXPECT_EQ(decide(policy, {{"a", {"1"}}, {"b", {"2"}}, {"c", {"xyz"}}}), Decision::allow);
  EXPECT_EQ(decide(policy, {{"a", {"1"}}, {"b", {"3"}}, {"c", {"xyz"}}}), Decision::deny_implicit);
  EXPECT_EQ(decide(policy, {{"a", {"1"}}, {"b", {"2"}}, {"c", {"yz"}}}), Decision::deny_implicit);
  EXPECT_EQ(decide(policy, {{"a", {"1"}}, {"b", {"2"}}}), Decision::deny_implicit);
}

TEST(EvaluateConditions, IfExistsHoldsWhenTheKeyIsAbsent) {
  PolicyDocument policy = with_condition(R"({"StringEqualsIfExists":{"k":"a"}})");
  EXPECT_EQ(decide(policy, {}), Decision::allow);
  EXPECT_EQ(decide(policy, {{"k", {"a"}}}), Decision::allow);
  EXPECT_EQ(decide(policy, {{"k", {"b"}}}), Decision::deny_implicit);
  PolicyDocument any = with_condition(R"({"ForAnyValue:StringLikeIfExists":{"k":"a*"}})");
  EXPECT_EQ(decide(any, {}), Decision::allow);
  EXPECT_EQ(decide(any, {{"k", {"b", "ab"}}}), Decision::allow);
  EXPECT_EQ(decide(any, {{"k", {"b"}}}), Decision::deny_implicit);
}

TEST(EvaluateConditions, NullTestsPresence) {
  PolicyDocument absent = with_condition(R"({"Null":{"k":"true"}})");
  EXPECT_EQ(decide(absent, {}), Decision::allow);
  EXPECT_EQ(decide(absent, {{"k", {"v"}}}), Decision::deny_implicit);
  PolicyDocument present = with_condition(R"({"Null":{"k":false}})");
  EXPECT_EQ(decide(present, {}), Decision::deny_implicit);
  EXPECT_EQ(decide(present, {{"k", {"v"}}}), Decision::allow);
}

TEST(EvaluateConditions, BoolComparesTruthValues) {
  PolicyDocument policy = with_condition(R"({"Bool":{"k":"true"}})");
  EXPECT_EQ(decide(policy, {{"k", {"true"}}}), Decision::allow);
  EXPECT_EQ(decide(policy, {{"k", {"TRUE"}}}), Decision::allow);
  EXPECT_EQ(decide(policy, {{"k", {"false"}}}), Decision::deny_implicit);
  EXPECT_EQ(decide(policy, {}), Decision::deny_implicit);
}

TEST(EvaluateConditions, ForAnyValueNeedsOneMatchAndFailsOnAbsentKeys) {
  PolicyDocument policy = with_condition(R"({"ForAnyValue:StringEquals":{"aud":["x","y"]}})");
  EXPECT_EQ(decide(policy, {{"aud", {"a", "y"}}}), Decision::allow);
  EXPECT_EQ(decide(policy, {{"aud", {"a", "b"}}}), Decision::deny_implicit);
  EXPECT_EQ(decide(policy, {}), Decision::deny_implicit);
  EXPECT_EQ(decide(policy, {{"aud", {}}}), Decision::deny_implicit);
  // With a negated operator: some request value matches none of the policy values.
  PolicyDocument negated = with_condition(R"({"ForAnyValue:StringNotEquals":{"aud":["x","y"]}})");
  EXPECT_EQ(decide(negated, {{"aud", {"x", "z"}}}), Decision::allow);
  EXPECT_EQ(decide(negated, {{"aud", {"x", "y"}}}), Decision::deny_implicit);
  EXPECT_EQ(decide(negated, {}), Decision::deny_implicit);
}

TEST(EvaluateConditions, ForAllValuesNeedsEveryValueAndHoldsOnAbsentKeys) {
  PolicyDocument policy = with_condition(R"({"ForAllValues:StringLike":{"tags":["team-*","env-*"]}})");
  EXPECT_EQ(decide(policy, {{"tags", {"team-a", "env-prod"}}}), Decision::allow);
  EXPECT_EQ(decide(policy, {{"tags", {"team-a", "other"}}}), Decision::deny_implicit);
  EXPECT_EQ(decide(policy, {}), Decision::allow);
  EXPECT_EQ(decide(policy, {{"tags", {}}}), Decision::allow);
  PolicyDocument negated = with_condition(R"({"ForAllValues:StringNotEquals":{"tags":["bad"]}})");
  EXPECT_EQ(decide(negated, {{"tags", {"a", "b"}}}), Decision::allow);
  EXPECT_EQ(decide(negated, {{"tags", {"a", "bad"}}}), Decision::deny_implicit);
}

TEST(EvaluateConditions, MultiValuedKeyWithoutSetOperator) {
  PolicyDocument like = with_condition(R"({"StringLike":{"aud":"a*"}})");
  EXPECT_EQ(decide(like, {{"aud", {"b", "ab"}}}), Decision::allow);
  EXPECT_EQ(decide(like, {{"aud", {"b", "c"}}}), Decision::deny_implicit);
  PolicyDocument not_equals = with_condition(R"({"StringNotEquals":{"aud":"a"}})");
  EXPECT_EQ(decide(not_equals, {{"aud", {"b", "a"}}}), Decision::deny_implicit);
  EXPECT_EQ(decide(not_equals, {{"aud", {"b", "c"}}}), Decision::allow);
}

}  // namespace
}  // namespace berth::auth

#include "aws/sts_service.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <utility>

#include <fmt/format.h>

#include "auth/audit_identity.hpp"
#include "aws/aws_error.hpp"
#include "common/digest.hpp"
#include "common/log.hpp"
#include "common/offload.hpp"

namespace berth::aws {

namespace {

constexpr std::string_view kAssumeAction = "sts:AssumeRoleWithWebIdentity";
constexpr std::size_t kRoleIdSuffixLength = 17;

Error not_authorized() {
  return make_error(ErrorCode::aws_access_denied, "Not authorized to perform sts:AssumeRoleWithWebIdentity");
}

// `arn:aws:iam::<12 digits>:role/...` naming an account other than ours: a well-formed request
// for a role berth cannot have, which AWS refuses as AccessDenied rather than as a bad parameter.
bool names_another_account(std::string_view role_arn, std::string_view account_id) {
  constexpr std::string_view kPrefix = "arn:aws:iam::";
  if (!role_arn.starts_with(kPrefix)) return false;
  role_arn.remove_prefix(kPrefix.size());
  const std::string_view account = role_arn.substr(0, 12);
  const bool twelve_digits =
      account.size() == 12 && std::all_of(account.begin(), account.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (!twelve_digits) return false;
  return role_arn.substr(12).starts_with(":role/") && account != account_id;
}

void add_claim_values(const nlohmann::json& value, std::vector<std::string>& out) {
  if (value.is_string()) {
    out.push_back(value.get<std::string>());
  } else if (value.is_boolean() || value.is_number()) {
    out.push_back(value.dump());
  }
}

auth::SourceIdentity source_identity(const oidc::VerifiedToken& token) {
  auth::SourceIdentity source;
  source.issuer = token.issuer;
  source.subject = token.subject;
  source.audience = token.audiences;
  for (std::string_view name : auth::kAuditedClaims) {
    const auto claim = token.claims.find(name);
    if (claim != token.claims.end() && claim->is_string()) source.claims.emplace(name, claim->get<std::string>());
  }
  return source;
}

metadata::AuditEvent audit_event(const AssumedRole& assumed, std::string_view source_address) {
  const auth::SessionClaims& session = assumed.session;
  return auth::audit_event_for(std::string(kAssumeAction),
                               {session.role_arn, session.role_session_name, session.access_key_id, session.source},
                               source_address, session.issued_at);
}

}  // namespace

std::string role_unique_id(std::string_view role_arn) {
  std::string id = "AROA" + Hasher::of(role_arn).hex().substr(0, kRoleIdSuffixLength);
  for (char& c : id) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return id;
}

Result<AssumedRoleUser> assumed_role_user(std::string_view role_arn, std::string_view session_name,
                                          const auth::AccountSettings& account) {
  Result<std::string> role_name = auth::role_name_from_arn(role_arn, account);
  if (!role_name) return std::move(role_name).error();
  return AssumedRoleUser{
      auth::assumed_role_arn(*role_name, session_name, account),
      fmt::format("{}:{}", role_unique_id(role_arn), session_name)};
}

Result<CallerIdentity> caller_identity(const auth::SessionClaims& session, const auth::AccountSettings& account) {
  Result<AssumedRoleUser> user = assumed_role_user(session.role_arn, session.role_session_name, account);
  if (!user) return std::move(user).error();
  return CallerIdentity{std::move(user->arn), std::move(user->assumed_role_id), account.account_id};
}

auth::ConditionValues web_identity_condition_values(const IdentityProvider& provider,
                                                    const oidc::VerifiedToken& token) {
  auth::ConditionValues values;
  const std::string& prefix = provider.iam_name();
  values[prefix + ":sub"] = {token.subject};
  values[prefix + ":aud"] = token.audiences;
  for (const auto& [name, value] : token.claims.items()) {
    if (name == "sub" || name == "aud") continue;
    std::vector<std::string> claim_values;
    if (value.is_array()) {
      for (const auto& element : value) add_claim_values(element, claim_values);
    } else {
      add_claim_values(value, claim_values);
    }
    if (!claim_values.empty()) values[prefix + ":" + name] = std::move(claim_values);
  }
  return values;
}

StsService::StsService(const AwsOptions& options, IdentityProviders& providers, metadata::MetadataStore& metadata,
                       const auth::KeyRing& keys, boost::asio::thread_pool& blocking, metadata::AuditBatcher& audit)
    : options_(options), providers_(providers), metadata_(metadata), keys_(keys), blocking_(blocking), audit_(audit) {}

http::Task<Result<AssumedRole>> StsService::assume_role_with_web_identity(
    const AssumeRoleWithWebIdentityRequest& request, std::string_view source_address,
    std::chrono::system_clock::time_point now) {
  std::string subject;
  Result<AssumedRole> assumed = co_await offload(blocking_, [&] { return assume(request, now, subject); });
  if (assumed) {
    Result<std::int64_t> recorded = co_await audit_.append(audit_event(*assumed, source_address));
    // A credential that cannot be audited is not handed out.
    if (!recorded) assumed = std::move(recorded).error();
  }
  if (!assumed) {
    log::info("sts refused AssumeRoleWithWebIdentity", {{"reason", std::string(sts_code(assumed.error().code))},
                                                        {"detail", assumed.error().message},
                                                        {"role", request.role_arn},
                                                        {"subject", subject},
                                                        {"source", std::string(source_address)}});
    co_return assumed;
  }
  log::info("sts issued credentials",
            {{"role", assumed->session.role_arn},
             {"session", assumed->session.role_session_name},
             {"access_key_id", assumed->session.access_key_id},
             {"subject", subject},
             {"expires_unix", std::to_string(assumed->session.expires_at.time_since_epoch().count())},
             {"source", std::string(source_address)}});
  co_return assumed;
}

Result<AssumedRole> StsService::assume(const AssumeRoleWithWebIdentityRequest& request,
                                       std::chrono::system_clock::time_point now, std::string& subject) {
  Result<std::string> role_name = auth::role_name_from_arn(request.role_arn, options_.account);
  if (!role_name) {
    if (names_another_account(request.role_arn, options_.account.account_id)) return not_authorized();
    return make_error(ErrorCode::aws_validation_error, "Request ARN is invalid");
  }
  Result<std::optional<metadata::RoleRecord>> role = metadata_.get_role(*role_name);
  if (!role) return std::move(role).error();
  if (!role->has_value()) return not_authorized();

  Result<WebIdentity> identity = providers_.verify(request.web_identity_token, now);
  if (!identity) return std::move(identity).error();
  subject = identity->token.subject;

  Result<auth::PolicyDocument> trust = auth::parse_policy((*role)->trust_policy, auth::PolicyKind::trust);
  if (!trust) {
    return make_error(ErrorCode::internal, fmt::format("role {}: stored trust policy does not parse: {}", *role_name,
                                                       trust.error().message));
  }
  const auth::RequestContext context{std::string(kAssumeAction), "",
                                     identity->provider->arn(options_.account.account_id),
                                     web_identity_condition_values(*identity->provider, identity->token)};
  if (auth::evaluate(*trust, context) != auth::Decision::allow) return not_authorized();

  if (request.duration.count() > (*role)->max_session_duration_seconds) {
    return make_error(ErrorCode::aws_validation_error,
                      "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.");
  }
  std::optional<int> packed_policy_size;
  if (request.policy) {
    Result<auth::PolicyDocument> session_policy = auth::parse_policy(*request.policy, auth::PolicyKind::session);
    if (!session_policy) {
      return make_error(ErrorCode::aws_malformed_policy_document, session_policy.error().message);
    }
    packed_policy_size = static_cast<int>((request.policy->size() * 100 + auth::kMaxSessionPolicyLength - 1) /
                                          auth::kMaxSessionPolicyLength);
  }

  Result<auth::SessionCredentials> credentials = auth::issue_credentials();
  if (!credentials) return std::move(credentials).error();
  AssumedRole assumed;
  auth::SessionClaims& session = assumed.session;
  session.access_key_id = std::move(credentials->access_key_id);
  session.secret_access_key = std::move(credentials->secret_access_key);
  session.role_arn = request.role_arn;
  session.role_session_name = request.role_session_name;
  session.issued_at = std::chrono::floor<std::chrono::seconds>(now);
  session.expires_at = session.issued_at + request.duration;
  session.session_policy = request.policy;
  session.source = source_identity(identity->token);
  Result<std::string> token = auth::seal_session(keys_, session);
  if (!token) return std::move(token).error();
  assumed.session_token = std::move(*token);

  Result<AssumedRoleUser> user = assumed_role_user(request.role_arn, request.role_session_name, options_.account);
  if (!user) return std::move(user).error();
  assumed.user = std::move(*user);
  assumed.audience = identity->audience;
  assumed.packed_policy_size = packed_policy_size;
  return assumed;
}

}  // namespace berth::aws

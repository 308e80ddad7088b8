#include "aws/sts_responses.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include "aws/aws_error.hpp"
#include "aws/xml_writer.hpp"

namespace berth::aws {

namespace {

void response_metadata(XmlWriter& xml, std::string_view request_id) {
  xml.open("ResponseMetadata");
  xml.element("RequestId", request_id);
  xml.close();
}

}  // namespace

std::string iso8601_utc(std::chrono::sys_seconds time) {
  return fmt::format("{:%Y-%m-%dT%H:%M:%SZ}", fmt::gmtime(std::chrono::system_clock::to_time_t(time)));
}

std::string assume_role_with_web_identity_xml(const AssumedRole& assumed, std::string_view request_id) {
  const auth::SessionClaims& session = assumed.session;
  XmlWriter xml;
  xml.open("AssumeRoleWithWebIdentityResponse", kStsXmlNamespace);
  xml.open("AssumeRoleWithWebIdentityResult");
  xml.element("SubjectFromWebIdentityToken", session.source.subject);
  xml.element("Audience", assumed.audience);
  xml.open("AssumedRoleUser");
  xml.element("Arn", assumed.user.arn);
  xml.element("AssumedRoleId", assumed.user.assumed_role_id);
  xml.close();
  xml.open("Credentials");
  xml.element("AccessKeyId", session.access_key_id);
  xml.element("SecretAccessKey", session.secret_access_key);
  xml.element("SessionToken", assumed.session_token);
  xml.element("Expiration", iso8601_utc(session.expires_at));
  xml.close();
  if (assumed.packed_policy_size) xml.element("PackedPolicySize", std::to_string(*assumed.packed_policy_size));
  xml.element("Provider", session.source.issuer);
  xml.close();
  response_metadata(xml, request_id);
  return xml.finish();
}

std::string get_caller_identity_xml(const CallerIdentity& caller, std::string_view request_id) {
  XmlWriter xml;
  xml.open("GetCallerIdentityResponse", kStsXmlNamespace);
  xml.open("GetCallerIdentityResult");
  xml.element("Arn", caller.arn);
  xml.element("UserId", caller.user_id);
  xml.element("Account", caller.account);
  xml.close();
  response_metadata(xml, request_id);
  return xml.finish();
}

}  // namespace berth::aws

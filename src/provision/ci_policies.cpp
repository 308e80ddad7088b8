#include "provision/ci_policies.hpp"

#include <nlohmann/json.hpp>

#include "common/digest.hpp"

namespace berth::provision {
namespace {

using Json = nlohmann::ordered_json;

constexpr std::size_t kRoleHashLength = 16;

// The module's policy documents write a single condition value as a string.
Json one_or_many(const std::vector<std::string>& values) {
  if (values.size() == 1) return values.front();
  return Json(values);
}

}  // namespace

std::string ci_role_name(std::string_view repository, std::string_view provider) {
  return "berth-ecr-" + Hasher::of(repository).hex().substr(0, kRoleHashLength) + "-" + std::string(provider);
}

std::string oidc_provider_name(std::string_view issuer) {
  if (const auto scheme = issuer.find("://"); scheme != std::string_view::npos) issuer.remove_prefix(scheme + 3);
  while (issuer.ends_with('/')) issuer.remove_suffix(1);
  return std::string(issuer);
}

std::string trust_policy(std::string_view account_id, std::string_view provider,
                         const std::vector<std::string>& subjects, std::string_view audience) {
  const std::string key = std::string(provider) + ":";
  Json condition = Json::object();
  condition[subjects.size() == 1 ? "StringLike" : "ForAnyValue:StringLike"] = {{key + "sub", one_or_many(subjects)}};
  condition["StringEquals"] = {{key + "aud", audience}};
  Json statement = {
      {"Effect", "Allow"},
      {"Action", "sts:AssumeRoleWithWebIdentity"},
      {"Principal",
       {{"Federated", "arn:aws:iam::" + std::string(account_id) + ":oidc-provider/" + std::string(provider)}}},
      {"Condition", condition}};
  return Json{{"Version", "2012-10-17"}, {"Statement", Json::array({statement})}}.dump();
}

std::string push_pull_policies(const auth::AccountSettings& account, std::string_view repository) {
  const Json login = {
      {"Sid", "AllowLogin"}, {"Effect", "Allow"}, {"Action", "ecr:GetAuthorizationToken"}, {"Resource", "*"}};
  const Json push_pull = {{"Sid", "AllowPushPullListDelete"},
                          {"Effect", "Allow"},
                          {"Action",
                           {"ecr:BatchGetImage", "ecr:BatchCheckLayerAvailability", "ecr:BatchDeleteImage",
                            "ecr:CompleteLayerUpload", "ecr:DescribeImages", "ecr:GetDownloadUrlForLayer",
                            "ecr:InitiateLayerUpload", "ecr:ListImages", "ecr:PutImage", "ecr:UploadLayerPart"}},
                          {"Resource", "arn:aws:ecr:" + account.region + ":" + account.account_id + ":repository/" +
                                           std::string(repository)}};
  const Json policy = {{"Version", "2012-10-17"}, {"Statement", {login, push_pull}}};
  return Json::array({policy}).dump();
}

}  // namespace berth::provision

// CreateRepository and PutImageTagMutability: what they accept, how they refuse, and what
// DescribeRepositories reports afterwards.
#include "aws/ecr_repository_admin.hpp"

#include <gtest/gtest.h>

#include "aws/ecr_test_support.hpp"

namespace berth::aws::test {
namespace {

using namespace std::chrono_literals;

constexpr std::string_view kAdminPolicy = R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow",
    "Action":["ecr:CreateRepository","ecr:PutImageTagMutability","ecr:DescribeRepositories"],
    "Resource":"arn:aws:ecr:eu-west-2:000000000000:repository/platform/*"}]})";

class EcrRepositoryAdminTest : public EcrTest {
 protected:
  EcrRepositoryAdminTest() { put_role("admin", {kAdminPolicy}); }

  http::Response as_admin(std::string_view operation, std::string body) {
    const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
    return call(operation, std::move(body), session_of("admin", now - 1min));
  }
};

TEST_F(EcrRepositoryAdminTest, ExclusionFiltersAreStoredChangedAndDescribed) {
  http::Response created = as_admin("CreateRepository", R"({"repositoryName":"platform/api",
      "imageTagMutability":"IMMUTABLE_WITH_EXCLUSION",
      "imageTagMutabilityExclusionFilters":[{"filterType":"WILDCARD","filter":"latest*"}],
      "imageScanningConfiguration":{"scanOnPush":true}, "tags":[{"Key":"team","Value":"platform"}]})");
  ASSERT_EQ(created.status, 200) << body_text(created);
  const nlohmann::json repository = json_of(created).at("repository");
  EXPECT_EQ(repository.at("imageTagMutability"), "IMMUTABLE_WITH_EXCLUSION");
  EXPECT_EQ(repository.at("imageTagMutabilityExclusionFilters"),
            nlohmann::json::parse(R"([{"filterType":"WILDCARD","filter":"latest*"}])"));
  EXPECT_EQ(repository.at("imageScanningConfiguration"), nlohmann::json::parse(R"({"scanOnPush":true})"));

  http::Response changed = as_admin("PutImageTagMutability", R"({"repositoryName":"platform/api",
      "imageTagMutability":"MUTABLE_WITH_EXCLUSION",
      "imageTagMutabilityExclusionFilters":[{"filterType":"WILDCARD","filter":"v*"},{"filterType":"WILDCARD","filter":"prod"}]})");
  ASSERT_EQ(changed.status, 200) << body_text(changed);
  EXPECT_EQ(json_of(changed).at("imageTagMutability"), "MUTABLE_WITH_EXCLUSION");

  http::Response described = as_admin("DescribeRepositories", R"({"repositoryNames":["platform/api"]})");
  ASSERT_EQ(described.status, 200) << body_text(described);
  const nlohmann::json stored = json_of(described).at("repositories").at(0);
  EXPECT_EQ(stored.at("imageTagMutability"), "MUTABLE_WITH_EXCLUSION");
  EXPECT_EQ(stored.at("imageTagMutabilityExclusionFilters").size(), 2u);

  http::Response plain = as_admin("PutImageTagMutability",
                                  R"({"repositoryName":"platform/api","imageTagMutability":"MUTABLE"})");
  ASSERT_EQ(plain.status, 200) << body_text(plain);
  const nlohmann::json after = json_of(as_admin("DescribeRepositories", R"({"repositoryNames":["platform/api"]})"));
  EXPECT_FALSE(after.at("repositories").at(0).contains("imageTagMutabilityExclusionFilters"));
}

TEST_F(EcrRepositoryAdminTest, RefusesSettingsEcrRefuses) {
  struct Case {
    std::string body;
    std::string_view type;
  };
  const std::vector<Case> cases = {
      {R"({"repositoryName":"platform/a","imageTagMutability":"FROZEN"})", "InvalidParameterException"},
      {R"({"repositoryName":"platform/a","imageTagMutability":"IMMUTABLE_WITH_EXCLUSION"})",
       "InvalidParameterException"},
      {R"({"repositoryName":"platform/a","imageTagMutability":"IMMUTABLE",
           "imageTagMutabilityExclusionFilters":[{"filterType":"WILDCARD","filter":"v*"}]})",
       "InvalidParameterException"},
      {R"({"repositoryName":"platform/a","imageTagMutabilityExclusionFilters":[{"filterType":"WILDCARD","filter":"v*"}]})",
       "InvalidParameterException"},
      {R"({"repositoryName":"platform/a","imageTagMutability":"MUTABLE_WITH_EXCLUSION",
           "imageTagMutabilityExclusionFilters":[{"filterType":"REGEX","filter":"v*"}]})",
       "InvalidParameterException"},
      {R"({"repositoryName":"platform/a","imageTagMutability":"MUTABLE_WITH_EXCLUSION",
           "imageTagMutabilityExclusionFilters":[{"filterType":"WILDCARD","filter":"v?"}]})",
       "InvalidParameterException"},
      {R"({"repositoryName":"platform/a","encryptionConfiguration":{"encryptionType":"KMS"}})",
       "InvalidParameterException"},
      {R"({"repositoryName":"platform/A"})", "InvalidParameterException"},
      {R"({"repositoryName":"platform/a","tags":[{"Key":"aws:owner","Value":"x"}]})", "InvalidTagParameterException"},
      {R"({"repositoryName":"platform/a","tags":[{"Key":"k","Value":"1"},{"Key":"k","Value":"2"}]})",
       "InvalidTagParameterException"},
  };
  for (const Case& test : cases) {
    http::Response response = as_admin("CreateRepository", test.body);
    EXPECT_EQ(response.status, 400) << test.body;
    EXPECT_EQ(error_type(response), test.type) << test.body << " " << body_text(response);
  }
  // Nothing was created by any of them.
  EXPECT_EQ(metadata_->get_repository("platform/a").value(), std::nullopt);
  EXPECT_EQ(error_type(as_admin("PutImageTagMutability", R"({"repositoryName":"platform/none",
      "imageTagMutability":"MUTABLE"})")), "RepositoryNotFoundException");
  EXPECT_EQ(error_type(as_admin("CreateRepository", R"({"repositoryName":"other/a"})")), "AccessDeniedException");
}

}  // namespace
}  // namespace berth::aws::test

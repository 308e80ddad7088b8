// TagResource, UntagResource, ListTagsForResource and PutImageScanningConfiguration.
#include "aws/ecr_resource_tags.hpp"

#include <gtest/gtest.h>

#include "aws/ecr_test_support.hpp"

namespace berth::aws::test {
namespace {

constexpr std::string_view kTaggerPolicy = R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow",
    "Action":["ecr:TagResource","ecr:UntagResource","ecr:ListTagsForResource",
              "ecr:PutImageScanningConfiguration","ecr:DescribeRepositories"],
    "Resource":"arn:aws:ecr:eu-west-2:000000000000:repository/platform/*"}]})";
constexpr std::string_view kArn = "arn:aws:ecr:eu-west-2:000000000000:repository/platform/api";

nlohmann::json tags_of(std::initializer_list<std::pair<std::string, std::string>> tags) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& [key, value] : tags) list.push_back({{"Key", key}, {"Value", value}});
  return list;
}

class EcrResourceTagsTest : public EcrTest {
 protected:
  EcrResourceTagsTest() {
    put_role("tagger", {kTaggerPolicy});
    metadata::RepositorySettings settings;
    settings.tags = {{"team", "platform"}, {"cost", "1"}};
    EXPECT_TRUE(*metadata_->add_repository("platform/api", settings));
  }

  http::Response as_tagger(std::string_view operation, const nlohmann::json& body) {
    return call(operation, body.dump(), fresh_session("tagger"));
  }

  nlohmann::json listed() {
    http::Response response = as_tagger("ListTagsForResource", {{"resourceArn", kArn}});
    EXPECT_EQ(response.status, 200) << body_text(response);
    return json_of(response).at("tags");
  }
};

TEST_F(EcrResourceTagsTest, TagsAreAddedReplacedAndRemoved) {
  EXPECT_EQ(listed(), tags_of({{"team", "platform"}, {"cost", "1"}}));
  http::Response tagged =
      as_tagger("TagResource", {{"resourceArn", kArn}, {"tags", tags_of({{"cost", "2"}, {"env", "prod"}})}});
  ASSERT_EQ(tagged.status, 200) << body_text(tagged);
  EXPECT_EQ(json_of(tagged), nlohmann::json::object());
  EXPECT_EQ(listed(), tags_of({{"team", "platform"}, {"cost", "2"}, {"env", "prod"}}));

  http::Response untagged = as_tagger("UntagResource", {{"resourceArn", kArn}, {"tagKeys", {"team", "absent"}}});
  ASSERT_EQ(untagged.status, 200) << body_text(untagged);
  EXPECT_EQ(listed(), tags_of({{"cost", "2"}, {"env", "prod"}}));
}

TEST_F(EcrResourceTagsTest, RefusesWhatEcrRefuses) {
  const auto tag = [&](std::string_view arn, nlohmann::json tags) {
    return error_type(as_tagger("TagResource", {{"resourceArn", arn}, {"tags", std::move(tags)}}));
  };
  EXPECT_EQ(tag("arn:aws:ecr:eu-west-1:000000000000:repository/platform/api", tags_of({{"a", "b"}})),
            "InvalidParameterException");
  EXPECT_EQ(tag("arn:aws:ecr:eu-west-2:000000000000:repository/Platform", tags_of({{"a", "b"}})),
            "InvalidParameterException");
  EXPECT_EQ(tag("arn:aws:ecr:eu-west-2:000000000000:repository/platform/none", tags_of({{"a", "b"}})),
            "RepositoryNotFoundException");
  EXPECT_EQ(tag(kArn, tags_of({{std::string(129, 'k'), "v"}})), "InvalidTagParameterException");
  EXPECT_EQ(tag(kArn, tags_of({{"k", std::string(257, 'v')}})), "InvalidTagParameterException");
  nlohmann::json many = nlohmann::json::array();
  for (int i = 0; i < 49; ++i) many.push_back({{"Key", "k" + std::to_string(i)}, {"Value", "v"}});
  // 2 kept + 49 new is one too many: nothing changes.
  EXPECT_EQ(tag(kArn, many), "TooManyTagsException");
  EXPECT_EQ(listed().size(), 2u);
  many.erase(many.begin());
  EXPECT_EQ(tag(kArn, many), "<not an ECR error>");
  EXPECT_EQ(listed().size(), 50u);

  http::Response denied = call("ListTagsForResource", nlohmann::json{{"resourceArn", kArn}}.dump());
  EXPECT_EQ(error_type(denied), "AccessDeniedException");
}

TEST_F(EcrResourceTagsTest, ScanOnPushIsSetAndDescribed) {
  http::Response set = as_tagger("PutImageScanningConfiguration",
                                 {{"repositoryName", "platform/api"}, {"imageScanningConfiguration", {{"scanOnPush", true}}}});
  ASSERT_EQ(set.status, 200) << body_text(set);
  EXPECT_EQ(json_of(set).at("imageScanningConfiguration").at("scanOnPush"), true);
  const nlohmann::json described =
      json_of(as_tagger("DescribeRepositories", {{"repositoryNames", {"platform/api"}}}));
  EXPECT_EQ(described.at("repositories").at(0).at("imageScanningConfiguration").at("scanOnPush"), true);
  EXPECT_EQ(listed().size(), 2u);
  EXPECT_EQ(error_type(as_tagger("PutImageScanningConfiguration", {{"repositoryName", "platform/api"}})),
            "InvalidParameterException");
  EXPECT_EQ(error_type(as_tagger("PutImageScanningConfiguration",
                                 {{"repositoryName", "platform/none"}, {"imageScanningConfiguration", {{"scanOnPush", true}}}})),
            "RepositoryNotFoundException");
}

}  // namespace
}  // namespace berth::aws::test

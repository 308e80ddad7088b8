// The lifecycle policy operations: the policy's round trip, previews, and how each refuses.
#include "aws/ecr_lifecycle_policies.hpp"

#include <gtest/gtest.h>

#include "aws/ecr_test_support.hpp"
#include "lifecycle/lifecycle_runner.hpp"

namespace berth::aws::test {
namespace {

constexpr std::string_view kLifecyclePolicy = R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow",
    "Action":["ecr:PutLifecyclePolicy","ecr:GetLifecyclePolicy","ecr:DeleteLifecyclePolicy",
              "ecr:StartLifecyclePolicyPreview","ecr:GetLifecyclePolicyPreview"],
    "Resource":"arn:aws:ecr:eu-west-2:000000000000:repository/platform/*"}]})";

// Keeps the newest image tagged v*, and any untagged one for a day.
constexpr std::string_view kPolicyText =
    R"({"rules":[{"rulePriority":1,"description":"one release","selection":{"tagStatus":"tagged",)"
    R"("tagPrefixList":["v"],"countType":"imageCountMoreThan","countNumber":1},"action":{"type":"expire"}},)"
    R"({"rulePriority":2,"selection":{"tagStatus":"untagged","countType":"sinceImagePushed","countUnit":"days",)"
    R"("countNumber":1},"action":{"type":"expire"}}]})";

nlohmann::json with_policy(std::string_view repository, std::string_view text = kPolicyText) {
  return {{"repositoryName", repository}, {"lifecyclePolicyText", text}};
}

class EcrLifecyclePoliciesTest : public EcrTest {
 protected:
  EcrLifecyclePoliciesTest() {
    put_role("admin", {kLifecyclePolicy});
    EXPECT_TRUE(metadata_->create_repository("platform/api").ok());
  }

  http::Response as_admin(std::string_view operation, const nlohmann::json& body) {
    return call(operation, body.dump(), fresh_session("admin"));
  }
};

TEST_F(EcrLifecyclePoliciesTest, APolicyIsPutReadAndDeleted) {
  const nlohmann::json name{{"repositoryName", "platform/api"}};
  EXPECT_EQ(error_type(as_admin("GetLifecyclePolicy", name)), "LifecyclePolicyNotFoundException");
  http::Response put = as_admin("PutLifecyclePolicy", with_policy("platform/api"));
  ASSERT_EQ(put.status, 200) << body_text(put);
  EXPECT_EQ(json_of(put), (nlohmann::json{{"registryId", kAccount},
                                          {"repositoryName", "platform/api"},
                                          {"lifecyclePolicyText", kPolicyText}}));

  http::Response got = as_admin("GetLifecyclePolicy", name);
  ASSERT_EQ(got.status, 200) << body_text(got);
  EXPECT_EQ(json_of(got).at("lifecyclePolicyText"), kPolicyText);
  EXPECT_FALSE(json_of(got).contains("lastEvaluatedAt"));

  ASSERT_TRUE(lifecycle::run_lifecycle(*metadata_, {std::nullopt, false, 1767225600}).ok());
  EXPECT_EQ(json_of(as_admin("GetLifecyclePolicy", name)).at("lastEvaluatedAt"), 1767225600);

  http::Response deleted = as_admin("DeleteLifecyclePolicy", name);
  ASSERT_EQ(deleted.status, 200) << body_text(deleted);
  EXPECT_EQ(json_of(deleted).at("lifecyclePolicyText"), kPolicyText);
  EXPECT_EQ(json_of(deleted).at("lastEvaluatedAt"), 1767225600);
  EXPECT_EQ(error_type(as_admin("DeleteLifecyclePolicy", name)), "LifecyclePolicyNotFoundException");
  EXPECT_EQ(error_type(as_admin("GetLifecyclePolicy", name)), "LifecyclePolicyNotFoundException");
}

TEST_F(EcrLifecyclePoliciesTest, RefusesWhatEcrRefuses) {
  const std::string invalid(R"({"rules":[{"rulePriority":1,"selection":{"tagStatus":"tagged",)"
                            R"("countType":"imageCountMoreThan","countNumber":1},"action":{"type":"expire"}}]})");
  EXPECT_EQ(error_type(as_admin("PutLifecyclePolicy", with_policy("platform/api", invalid))),
            "InvalidParameterException");
  EXPECT_EQ(error_type(as_admin("PutLifecyclePolicy", with_policy("platform/api", R"({"rules":[]})"))),
            "ValidationException");
  EXPECT_EQ(error_type(as_admin("PutLifecyclePolicy", with_policy("platform/api", std::string(30721, ' ')))),
            "ValidationException");
  EXPECT_EQ(error_type(as_admin("PutLifecyclePolicy", with_policy("platform/none"))), "RepositoryNotFoundException");
  EXPECT_EQ(error_type(as_admin("StartLifecyclePolicyPreview", {{"repositoryName", "platform/api"}})),
            "LifecyclePolicyNotFoundException");
  EXPECT_EQ(error_type(as_admin("GetLifecyclePolicyPreview", {{"repositoryName", "platform/api"}})),
            "LifecyclePolicyPreviewNotFoundException");
  // The fixture session may push and pull, not manage lifecycle policies.
  http::Response denied = call("PutLifecyclePolicy", with_policy(kRepository).dump());
  EXPECT_EQ(error_type(denied), "AccessDeniedException");
  EXPECT_NE(error_message(denied).find("ecr:PutLifecyclePolicy"), std::string::npos);
}

TEST_F(EcrLifecyclePoliciesTest, APreviewReportsWhatWouldExpireAndDeletesNothing) {
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch()).count();
  const Digest v1 = push("platform/api", "v1", kOciManifest, {}, "v1", now - 3 * 86400);
  const Digest untagged = push("platform/api", "old", kOciManifest, {}, std::nullopt, now - 2 * 86400);
  push("platform/api", "v2", kOciManifest, {}, "v2", now - 86400 / 2);
  ASSERT_EQ(as_admin("PutLifecyclePolicy", with_policy("platform/api")).status, 200);

  http::Response started = as_admin("StartLifecyclePolicyPreview", {{"repositoryName", "platform/api"}});
  ASSERT_EQ(started.status, 200) << body_text(started);
  EXPECT_EQ(json_of(started).at("status"), "COMPLETE");
  EXPECT_EQ(json_of(started).at("lifecyclePolicyText"), kPolicyText);

  http::Response preview = as_admin("GetLifecyclePolicyPreview", {{"repositoryName", "platform/api"}});
  ASSERT_EQ(preview.status, 200) << body_text(preview);
  const nlohmann::json document = json_of(preview);
  EXPECT_EQ(document.at("status"), "COMPLETE");
  EXPECT_EQ(document.at("summary").at("expiringImageTotalCount"), 2);
  ASSERT_EQ(document.at("previewResults").size(), 2u);
  const nlohmann::json& first = document.at("previewResults").at(0);
  EXPECT_EQ(first.at("imageDigest"), v1.str());
  EXPECT_EQ(first.at("imageTags"), nlohmann::json::array({"v1"}));
  EXPECT_EQ(first.at("action").at("type"), "EXPIRE");
  EXPECT_EQ(first.at("appliedRulePriority"), 1);
  EXPECT_EQ(document.at("previewResults").at(1).at("imageDigest"), untagged.str());
  EXPECT_TRUE(*metadata_->manifest_exists("platform/api", v1));

  nlohmann::json paged = json_of(as_admin("GetLifecyclePolicyPreview", {{"repositoryName", "platform/api"},
                                                                        {"maxResults", 1}}));
  ASSERT_EQ(paged.at("previewResults").size(), 1u);
  paged = json_of(as_admin("GetLifecyclePolicyPreview", {{"repositoryName", "platform/api"},
                                                         {"nextToken", paged.at("nextToken")}}));
  ASSERT_EQ(paged.at("previewResults").size(), 1u);
  EXPECT_EQ(paged.at("previewResults").at(0).at("imageDigest"), untagged.str());
  EXPECT_FALSE(paged.contains("nextToken"));

  const nlohmann::json untagged_only = json_of(as_admin(
      "GetLifecyclePolicyPreview", {{"repositoryName", "platform/api"}, {"filter", {{"tagStatus", "UNTAGGED"}}}}));
  ASSERT_EQ(untagged_only.at("previewResults").size(), 1u);
  EXPECT_EQ(untagged_only.at("previewResults").at(0).at("imageDigest"), untagged.str());
  const nlohmann::json named = json_of(as_admin(
      "GetLifecyclePolicyPreview", {{"repositoryName", "platform/api"}, {"imageIds", {{{"imageTag", "v1"}}}}}));
  ASSERT_EQ(named.at("previewResults").size(), 1u);
  EXPECT_EQ(named.at("previewResults").at(0).at("imageDigest"), v1.str());

  // A policy given to the preview is evaluated instead of the stored one, which stays.
  const std::string keep_all(R"({"rules":[{"rulePriority":1,"selection":{"tagStatus":"any",)"
                             R"("countType":"imageCountMoreThan","countNumber":100},"action":{"type":"expire"}}]})");
  ASSERT_EQ(as_admin("StartLifecyclePolicyPreview", with_policy("platform/api", keep_all)).status, 200);
  const nlohmann::json none = json_of(as_admin("GetLifecyclePolicyPreview", {{"repositoryName", "platform/api"}}));
  EXPECT_TRUE(none.at("previewResults").empty());
  EXPECT_EQ(none.at("lifecyclePolicyText"), keep_all);
  EXPECT_EQ(json_of(as_admin("GetLifecyclePolicy", {{"repositoryName", "platform/api"}})).at("lifecyclePolicyText"),
            kPolicyText);
}

}  // namespace
}  // namespace berth::aws::test

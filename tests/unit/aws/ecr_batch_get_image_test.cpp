// BatchGetImage: manifests byte-exact, and a failure entry for each identifier that names none.
#include "aws/ecr_batch_get_image.hpp"

#include <gtest/gtest.h>

#include "aws/ecr_test_support.hpp"

namespace berth::aws::test {
namespace {

class EcrBatchGetImageTest : public EcrTest {
 protected:
  http::Response get(nlohmann::json image_ids, std::optional<nlohmann::json> accepted = std::nullopt) {
    nlohmann::json request{{"repositoryName", kRepository}, {"imageIds", std::move(image_ids)}};
    if (accepted) request["acceptedMediaTypes"] = *accepted;
    return call("BatchGetImage", request.dump());
  }
};

TEST_F(EcrBatchGetImageTest, ReturnsTheStoredManifest) {
  Digest digest = push_image(kRepository, "app", 10, "v1");
  const std::string content = metadata_->get_manifest(kRepository, digest).value()->content;
  http::Response response = get({{{"imageTag", "v1"}}, {{"imageDigest", digest.str()}}});
  ASSERT_EQ(response.status, 200) << body_text(response);
  nlohmann::json body = json_of(response);
  ASSERT_EQ(body.at("images").size(), 2u);
  EXPECT_EQ(body["images"][0], nlohmann::json({{"registryId", "000000000000"},
                                               {"repositoryName", kRepository},
                                               {"imageId", {{"imageDigest", digest.str()}, {"imageTag", "v1"}}},
                                               {"imageManifest", content},
                                               {"imageManifestMediaType", kOciManifest}}));
  EXPECT_EQ(body["images"][1]["imageId"], nlohmann::json({{"imageDigest", digest.str()}}));
  EXPECT_EQ(body["images"][1]["imageManifest"], content);
  EXPECT_TRUE(body.at("failures").empty());
}

TEST_F(EcrBatchGetImageTest, ReportsEachFailure) {
  Digest digest = push_image(kRepository, "app", 10, "v1");
  Digest other = push_image(kRepository, "other", 10, "v2");
  http::Response response = get({{{"imageTag", "v9"}},
                                 {{"imageDigest", Hasher::of("missing").str()}},
                                 {{"imageDigest", "md5:abc"}},
                                 {{"imageTag", std::string(301, 'a')}},
                                 nlohmann::json::object(),
                                 {{"imageDigest", other.str()}, {"imageTag", "v1"}},
                                 {{"imageTag", "v1"}}});
  ASSERT_EQ(response.status, 200) << body_text(response);
  nlohmann::json body = json_of(response);
  ASSERT_EQ(body.at("images").size(), 1u);
  EXPECT_EQ(body["images"][0]["imageId"]["imageDigest"], digest.str());
  std::vector<std::string> codes;
  for (const auto& failure : body.at("failures")) {
    codes.push_back(failure.at("failureCode"));
    EXPECT_FALSE(failure.at("failureReason").get<std::string>().empty());
  }
  EXPECT_EQ(codes, (std::vector<std::string>{"ImageNotFound", "ImageNotFound", "InvalidImageDigest", "InvalidImageTag",
                                             "MissingDigestAndTag", "ImageTagDoesNotMatchDigest"}));
  EXPECT_EQ(body["failures"][0]["imageId"], nlohmann::json({{"imageTag", "v9"}}));
  EXPECT_EQ(body["failures"][0]["failureReason"], "Requested image not found");
  EXPECT_EQ(body["failures"][4]["imageId"], nlohmann::json::object());
}

TEST_F(EcrBatchGetImageTest, HonoursAcceptedMediaTypes) {
  push_image(kRepository, "app", 10, "v1");
  http::Response accepted = get({{{"imageTag", "v1"}}}, nlohmann::json{kOciManifest});
  EXPECT_EQ(json_of(accepted)["images"].size(), 1u);
  http::Response refused =
      get({{{"imageTag", "v1"}}}, nlohmann::json{"application/vnd.docker.distribution.manifest.v2+json"});
  nlohmann::json body = json_of(refused);
  EXPECT_TRUE(body["images"].empty());
  ASSERT_EQ(body["failures"].size(), 1u);
  EXPECT_EQ(body["failures"][0]["failureCode"], "ImageNotFound");
}

TEST_F(EcrBatchGetImageTest, NeedsBetweenOneAndAHundredImageIds) {
  EXPECT_EQ(error_type(call("BatchGetImage", R"({"repositoryName":"example-team/example-repository"})")),
            "InvalidParameterException");
  EXPECT_EQ(error_type(get(nlohmann::json::array())), "InvalidParameterException");
  nlohmann::json many = nlohmann::json::array();
  for (int i = 0; i < 101; ++i) many.push_back({{"imageTag", "v" + std::to_string(i)}});
  EXPECT_EQ(error_type(get(many)), "InvalidParameterException");
  many.erase(many.begin());
  EXPECT_EQ(get(many).status, 200);
  EXPECT_EQ(error_type(get({{{"imageTag", 1}}})), "InvalidParameterException");
  EXPECT_EQ(error_type(get({{{"imageTag", "v1"}}}, nlohmann::json::array())), "InvalidParameterException");
}

TEST_F(EcrBatchGetImageTest, IsAuthorisedOnTheRepository) {
  ASSERT_TRUE(metadata_->create_repository("other-team/app").ok());
  push_image("other-team/app", "app", 10, "v1");
  http::Response response =
      call("BatchGetImage", R"({"repositoryName":"other-team/app","imageIds":[{"imageTag":"v1"}]})");
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(error_type(response), "AccessDeniedException");
  EXPECT_EQ(body_text(response).find("imageManifest"), std::string::npos);
}

}  // namespace
}  // namespace berth::aws::test

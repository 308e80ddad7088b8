// BatchDeleteImage: an index's platform images stay while the index lists them, as in ECR.
#include "aws/ecr_image_deletion.hpp"

#include <gtest/gtest.h>

#include "aws/ecr_test_support.hpp"

namespace berth::aws::test {
namespace {

class EcrImageDeletionTest : public EcrTest {
 protected:
  nlohmann::json delete_digest(const Digest& digest) {
    http::Response response =
        call("BatchDeleteImage", nlohmann::json{{"repositoryName", kRepository},
                                                {"imageIds", {{{"imageDigest", digest.str()}}}}}
                                     .dump());
    EXPECT_EQ(response.status, 200) << body_text(response);
    return json_of(response);
  }
};

TEST_F(EcrImageDeletionTest, AnImageAnIndexListsIsKeptUntilTheIndexGoes) {
  const Digest amd64 = push_image(kRepository, "amd64", 70, std::nullopt);
  const Digest index = push(kRepository, "index", kOciIndex, {{amd64, metadata::ReferenceKind::manifest}}, "v1");

  const nlohmann::json refused = delete_digest(amd64);
  EXPECT_TRUE(refused.at("imageIds").empty());
  ASSERT_EQ(refused.at("failures").size(), 1u);
  EXPECT_EQ(refused["failures"][0]["failureCode"], "ImageReferencedByManifestList");
  EXPECT_EQ(refused["failures"][0]["failureReason"],
            "Requested image referenced by manifest list: [" + index.str() + "]");
  EXPECT_TRUE(*metadata_->manifest_exists(kRepository, amd64));

  EXPECT_EQ(delete_digest(index).at("imageIds").size(), 1u);
  EXPECT_EQ(delete_digest(amd64).at("imageIds").size(), 1u);
  EXPECT_FALSE(*metadata_->manifest_exists(kRepository, amd64));
  EXPECT_EQ(delete_digest(amd64).at("failures").at(0).at("failureCode"), "ImageNotFound");
}

}  // namespace
}  // namespace berth::aws::test

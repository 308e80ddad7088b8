// Pushing through the ECR API: the layer upload operations, BatchCheckLayerAvailability, PutImage
// and GetDownloadUrlForLayer, on a real SQLite store and blob store; what they accept, how each
// refuses, and that the result is the registry's (BatchGetImage, tag mutability).
#include <gtest/gtest.h>

#include "auth/download_grant.hpp"
#include "aws/ecr_test_support.hpp"
#include "common/base64.hpp"

namespace berth::aws::test {
namespace {

using namespace std::chrono_literals;

constexpr std::string_view kPullOnlyPolicy = R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow",
    "Action":["ecr:BatchGetImage","ecr:BatchCheckLayerAvailability","ecr:GetDownloadUrlForLayer"],
    "Resource":"arn:aws:ecr:eu-west-2:000000000000:repository/example-team/example-repository"}]})";

nlohmann::json in_repository(nlohmann::json members) {
  members["repositoryName"] = kRepository;
  return members;
}

class EcrImagePushTest : public EcrTest {
 protected:
  http::Response op(std::string_view operation, const nlohmann::json& members) {
    return call(operation, in_repository(members).dump());
  }

  std::string initiate() {
    http::Response started = op("InitiateLayerUpload", nlohmann::json::object());
    EXPECT_EQ(started.status, 200) << body_text(started);
    EXPECT_EQ(json_of(started).at("partSize"), 10 * 1024 * 1024);
    return json_of(started).at("uploadId").get<std::string>();
  }

  http::Response part(const std::string& id, std::uint64_t first, std::string_view bytes) {
    return op("UploadLayerPart", {{"uploadId", id},
                                  {"partFirstByte", first},
                                  {"partLastByte", first + bytes.size() - 1},
                                  {"layerPartBlob", base64::encode(bytes)}});
  }

  http::Response complete(const std::string& id, const Digest& digest) {
    return op("CompleteLayerUpload", {{"uploadId", id}, {"layerDigests", {digest.str()}}});
  }

  // Uploads `content` as one layer in two parts.
  Digest upload_layer(std::string_view content) {
    const std::string id = initiate();
    const std::size_t half = content.size() / 2;
    http::Response first = part(id, 0, content.substr(0, half));
    EXPECT_EQ(first.status, 200) << body_text(first);
    http::Response second = part(id, half, content.substr(half));
    EXPECT_EQ(second.status, 200) << body_text(second);
    EXPECT_EQ(json_of(second).at("lastByteReceived"), content.size() - 1);
    const Digest digest = Hasher::of(content);
    http::Response completed = complete(id, digest);
    EXPECT_EQ(completed.status, 200) << body_text(completed);
    EXPECT_EQ(json_of(completed).at("layerDigest"), digest.str());
    return digest;
  }

  static std::string image_manifest(const Digest& config, std::size_t config_size, const Digest& layer,
                                    std::size_t layer_size) {
    return nlohmann::json{{"schemaVersion", 2},
                          {"mediaType", kOciManifest},
                          {"config", {{"mediaType", "application/vnd.oci.image.config.v1+json"},
                                      {"digest", config.str()}, {"size", config_size}}},
                          {"layers", {{{"mediaType", "application/vnd.oci.image.layer.v1.tar+gzip"},
                                       {"digest", layer.str()}, {"size", layer_size}}}}}
        .dump();
  }

  // A manifest whose config and layer were uploaded through the API.
  std::string uploaded_image(std::string_view name) {
    const std::string config = R"({"architecture":"amd64","os":"linux","name":")" + std::string(name) + "\"}";
    const std::string layer = "layer bytes of " + std::string(name);
    return image_manifest(upload_layer(config), config.size(), upload_layer(layer), layer.size());
  }

  http::Response put_image(const std::string& manifest, std::optional<std::string> tag) {
    nlohmann::json members{{"imageManifest", manifest}};
    if (tag) members["imageTag"] = *tag;
    return op("PutImage", members);
  }
};

TEST_F(EcrImagePushTest, AnImagePushedThroughTheApiIsTheRegistrysImage) {
  const std::string manifest = uploaded_image("app");
  http::Response put = put_image(manifest, "v1");
  ASSERT_EQ(put.status, 200) << body_text(put);
  const nlohmann::json image = json_of(put).at("image");
  const Digest digest = Hasher::of(manifest);
  EXPECT_EQ(image.at("imageId"), nlohmann::json({{"imageDigest", digest.str()}, {"imageTag", "v1"}}));
  EXPECT_EQ(image.at("imageManifestMediaType"), kOciManifest);
  EXPECT_EQ(image.at("registryId"), kAccount);

  auto tagged = metadata_->resolve_tag(kRepository, "v1");
  ASSERT_TRUE(tagged.ok());
  EXPECT_EQ(*tagged, digest);
  http::Response got = op("BatchGetImage", {{"imageIds", {{{"imageTag", "v1"}}}}});
  ASSERT_EQ(got.status, 200) << body_text(got);
  EXPECT_EQ(json_of(got).at("images").at(0).at("imageManifest"), manifest);

  auto events = metadata_->list_audit_events({});
  ASSERT_TRUE(events.ok());
  ASSERT_FALSE(events->empty());
  EXPECT_EQ(events->back().action, "ecr:PutImage");
  EXPECT_EQ(events->back().digest, digest.str());
  EXPECT_EQ(events->back().reference, "v1");
}

TEST_F(EcrImagePushTest, PuttingWhatIsAlreadyThereIsImageAlreadyExists) {
  const std::string manifest = uploaded_image("same");
  ASSERT_EQ(put_image(manifest, "v1").status, 200);
  http::Response again = put_image(manifest, "v1");
  EXPECT_EQ(error_type(again), "ImageAlreadyExistsException");
  EXPECT_NE(error_message(again).find("tag 'v1'"), std::string::npos) << error_message(again);
  EXPECT_EQ(error_type(put_image(manifest, std::nullopt)), "ImageAlreadyExistsException");
  // Another tag on the same digest is a change.
  EXPECT_EQ(put_image(manifest, "v2").status, 200);
}

TEST_F(EcrImagePushTest, RefusesWhatEcrRefuses) {
  const std::string manifest = uploaded_image("refused");
  const std::string other = std::string(Hasher::of("other").str());
  http::Response mismatch = op("PutImage", {{"imageManifest", manifest}, {"imageDigest", other}});
  EXPECT_EQ(error_type(mismatch), "ImageDigestDoesNotMatchException") << body_text(mismatch);

  const std::string missing = image_manifest(Hasher::of("no config"), 9, Hasher::of("no layer"), 8);
  EXPECT_EQ(error_type(put_image(missing, "x")), "LayersNotFoundException");

  const std::string index = nlohmann::json{{"schemaVersion", 2},
                                           {"mediaType", kOciIndex},
                                           {"manifests", {{{"mediaType", kOciManifest},
                                                           {"digest", Hasher::of("absent").str()},
                                                           {"size", 6}}}}}
                                .dump();
  EXPECT_EQ(error_type(put_image(index, "multi")), "ReferencedImagesNotFoundException");
  EXPECT_EQ(error_type(put_image("{\"schemaVersion\":1}", "x")), "InvalidParameterException");
  EXPECT_EQ(error_type(put_image(manifest, ".bad")), "InvalidParameterException");
  http::Response wrong_type = op("PutImage", {{"imageManifest", manifest},
                                              {"imageManifestMediaType", "application/vnd.oci.image.index.v1+json"}});
  EXPECT_EQ(error_type(wrong_type), "InvalidParameterException") << body_text(wrong_type);
  auto tags = metadata_->list_tags(kRepository, "", 10);
  ASSERT_TRUE(tags.ok());
  EXPECT_TRUE(tags->empty());
}

TEST_F(EcrImagePushTest, AnImmutableTagStays) {
  ASSERT_TRUE(metadata_->set_tag_mutability(kRepository, metadata::TagMutability::immutable, {}).ok());
  ASSERT_EQ(put_image(uploaded_image("first"), "release").status, 200);
  http::Response moved = put_image(uploaded_image("second"), "release");
  EXPECT_EQ(error_type(moved), "ImageTagAlreadyExistsException") << body_text(moved);
  EXPECT_NE(error_message(moved).find("cannot be overwritten"), std::string::npos);
}

TEST_F(EcrImagePushTest, AnImageBeyondTheRepositoryQuotaIsLimitExceeded) {
  AwsOptions limited = options_;
  limited.max_images_per_repository = 1;
  EcrFrontDoor quota(limited, permissions_, *metadata_, *blobs_, keys_, blocking_, audit_);
  auto put_limited = [&](const std::string& manifest, const std::string& tag) {
    TestRequest request = signed_request(
        "PutImage", in_repository({{"imageManifest", manifest}, {"imageTag", tag}}).dump(), fresh_session());
    return run(quota.handle(request.request));
  };
  const std::string first = uploaded_image("first");
  ASSERT_EQ(put_limited(first, "v1").status, 200);
  http::Response refused = put_limited(uploaded_image("second"), "v2");
  EXPECT_EQ(error_type(refused), "LimitExceededException") << body_text(refused);
  EXPECT_NE(error_message(refused).find("already holds 1 images"), std::string::npos) << error_message(refused);
  EXPECT_EQ(*metadata_->resolve_tag(kRepository, "v2"), std::nullopt);
  // Another tag on the stored image adds no image.
  EXPECT_EQ(put_limited(first, "v2").status, 200);
}

TEST_F(EcrImagePushTest, PartsMustFollowOneAnother) {
  const std::string id = initiate();
  ASSERT_EQ(part(id, 0, "abcd").status, 200);
  http::Response gap = part(id, 5, "efgh");
  EXPECT_EQ(error_type(gap), "InvalidLayerPartException");
  EXPECT_NE(error_message(gap).find("starts at byte 4"), std::string::npos) << error_message(gap);
  http::Response lying = op("UploadLayerPart", {{"uploadId", id},
                                                {"partFirstByte", 4},
                                                {"partLastByte", 10},
                                                {"layerPartBlob", base64::encode("efgh")}});
  EXPECT_EQ(error_type(lying), "InvalidLayerPartException");
  http::Response not_base64 = op("UploadLayerPart", {{"uploadId", id},
                                                     {"partFirstByte", 4},
                                                     {"partLastByte", 4},
                                                     {"layerPartBlob", "!!!"}});
  EXPECT_EQ(error_type(not_base64), "InvalidParameterException");
  // The refused parts changed nothing: the upload still completes as the first part alone.
  ASSERT_EQ(complete(id, Hasher::of("abcd")).status, 200);
}

TEST_F(EcrImagePushTest, CompletingChecksTheUpload) {
  const std::string id = initiate();
  EXPECT_EQ(error_type(complete(id, Hasher::of(""))), "EmptyUploadException");
  ASSERT_EQ(part(id, 0, "layer").status, 200);
  http::Response wrong = complete(id, Hasher::of("other"));
  EXPECT_EQ(error_type(wrong), "InvalidLayerException") << body_text(wrong);
  http::Response two = op("CompleteLayerUpload",
                          {{"uploadId", id}, {"layerDigests", {Hasher::of("layer").str(), Hasher::of("x").str()}}});
  EXPECT_EQ(error_type(two), "InvalidParameterException");
  // The session survived the refusals.
  ASSERT_EQ(complete(id, Hasher::of("layer")).status, 200);
  EXPECT_EQ(error_type(complete(id, Hasher::of("layer"))), "UploadNotFoundException");

  const std::string again = initiate();
  ASSERT_EQ(part(again, 0, "layer").status, 200);
  EXPECT_EQ(error_type(complete(again, Hasher::of("layer"))), "LayerAlreadyExistsException");
  EXPECT_EQ(error_type(part(again, 5, "more")), "UploadNotFoundException");
}

TEST_F(EcrImagePushTest, AnUploadBelongsToItsRepository) {
  const std::string id = initiate();
  ASSERT_TRUE(metadata_->create_repository("example-team/other").ok());
  put_role("wide", {R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecr:*","Resource":"*"}]})"});
  const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  http::Response elsewhere =
      call("UploadLayerPart",
           nlohmann::json{{"repositoryName", "example-team/other"}, {"uploadId", id}, {"partFirstByte", 0},
                          {"partLastByte", 0}, {"layerPartBlob", base64::encode("x")}}
               .dump(),
           session_of("wide", now - 1min));
  EXPECT_EQ(error_type(elsewhere), "UploadNotFoundException");
  EXPECT_EQ(error_type(part("../../etc", 0, "x")), "UploadNotFoundException");
}

TEST_F(EcrImagePushTest, ChecksLayerAvailability) {
  const Digest layer = upload_layer("available layer");
  http::Response checked =
      op("BatchCheckLayerAvailability", {{"layerDigests", {layer.str(), Hasher::of("absent").str(), "sha256:zz"}}});
  ASSERT_EQ(checked.status, 200) << body_text(checked);
  const nlohmann::json output = json_of(checked);
  ASSERT_EQ(output.at("layers").size(), 1u);
  EXPECT_EQ(output.at("layers").at(0).at("layerAvailability"), "AVAILABLE");
  EXPECT_EQ(output.at("layers").at(0).at("layerSize"), std::string_view("available layer").size());
  ASSERT_EQ(output.at("failures").size(), 2u);
  EXPECT_EQ(output.at("failures").at(0).at("failureCode"), "MissingLayerDigest");
  EXPECT_EQ(output.at("failures").at(1).at("failureCode"), "InvalidLayerDigest");
}

TEST_F(EcrImagePushTest, ADownloadUrlOpensThatLayerAlone) {
  const Digest layer = upload_layer("downloadable");
  http::Response url = op("GetDownloadUrlForLayer", {{"layerDigest", layer.str()}});
  ASSERT_EQ(url.status, 200) << body_text(url);
  const std::string text = json_of(url).at("downloadUrl");
  const std::string prefix = "https://registry.example.test:5000/v2/" + std::string(kRepository) + "/blobs/" +
                             layer.str() + "?" + std::string(auth::kDownloadGrantParameter) + "=";
  ASSERT_TRUE(text.starts_with(prefix)) << text;
  const std::string grant = text.substr(prefix.size());
  const std::int64_t now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now())
                               .time_since_epoch()
                               .count();
  EXPECT_TRUE(auth::check_download_grant(keys_, grant, kRepository, layer.str(), now).ok());
  EXPECT_FALSE(auth::check_download_grant(keys_, grant, kRepository, Hasher::of("other").str(), now).ok());
  EXPECT_FALSE(auth::check_download_grant(keys_, grant, "example-team/other", layer.str(), now).ok());
  EXPECT_FALSE(auth::check_download_grant(keys_, grant, kRepository, layer.str(), now + 10 * 60).ok());

  EXPECT_EQ(error_type(op("GetDownloadUrlForLayer", {{"layerDigest", Hasher::of("absent").str()}})),
            "LayersNotFoundException");
}

TEST_F(EcrImagePushTest, EachOperationNeedsItsGrant) {
  put_role("puller", {kPullOnlyPolicy});
  const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  const auth::SessionClaims puller = session_of("puller", now - 1min);
  const std::string body = in_repository(nlohmann::json::object()).dump();
  http::Response initiate = call("InitiateLayerUpload", body, puller);
  EXPECT_EQ(error_type(initiate), "AccessDeniedException");
  EXPECT_NE(error_message(initiate).find("ecr:InitiateLayerUpload"), std::string::npos);
  http::Response put = call("PutImage", in_repository({{"imageManifest", "{}"}}).dump(), puller);
  EXPECT_EQ(error_type(put), "AccessDeniedException");
  http::Response check =
      call("BatchCheckLayerAvailability", in_repository({{"layerDigests", {Hasher::of("x").str()}}}).dump(), puller);
  EXPECT_EQ(check.status, 200) << body_text(check);
}

}  // namespace
}  // namespace berth::aws::test

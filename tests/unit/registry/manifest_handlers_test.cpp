// ManifestHandlers through Registry::handle on the real stores.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "registry/manifest_parser.hpp"
#include "registry/registry_test_support.hpp"

namespace berth::registry {
namespace {

using http::Method;
using test::body_text;
using test::error_code;
using test::header;

class ManifestHandlersTest : public test::RegistryTest {
 protected:
  // An OCI image manifest over a config and a layer linked into `repository`, written with odd
  // spacing so any re-serialisation would show.
  std::string image_manifest(std::string_view repository, std::string_view extra = "") {
    const Digest config = put_blob(repository, "{\"architecture\":\"amd64\"}");
    const Digest layer = put_blob(repository, "layer bytes");
    return "{\n   \"schemaVersion\" : 2,\n   \"mediaType\": \"" + std::string(kOciManifestType) +
           "\",\n   \"config\": {\"mediaType\": \"application/vnd.oci.image.config.v1+json\", \"digest\": \"" +
           config.str() +
           "\", \"size\": 24},\n   \"layers\": [ {\"mediaType\": "
           "\"application/vnd.oci.image.layer.v1.tar\", \"digest\": \"" +
           layer.str() + "\", \"size\": 11} ]" + std::string(extra) + "\n}\n";
  }

  http::Response put(const std::string& repository, const std::string& reference, const std::string& bytes,
                     std::string content_type = std::string(kOciManifestType)) {
    return call(Method::put, "/v2/" + repository + "/manifests/" + reference, {{"Content-Type", content_type}}, bytes);
  }

  http::Response get(const std::string& repository, const std::string& reference, test::HeaderList headers = {},
                     Method method = Method::get) {
    return call(method, "/v2/" + repository + "/manifests/" + reference, headers);
  }
};

TEST_F(ManifestHandlersTest, AnImmutableRepositoryKeepsItsTagsButTakesTheSameDigestAgain) {
  metadata::RepositorySettings settings;
  settings.tag_mutability = metadata::TagMutability::immutable_with_exclusion;
  settings.tag_mutability_exclusions = {"latest"};
  ASSERT_TRUE(*metadata_->add_repository("team/app", settings));
  const std::string first = image_manifest("team/app");
  const std::string second = image_manifest("team/app", ", \"annotations\": {\"v\": \"2\"}");
  ASSERT_EQ(put("team/app", "v1", first).status, 201);
  ASSERT_EQ(put("team/app", "latest", first).status, 201);

  http::Response moved = put("team/app", "v1", second);
  EXPECT_EQ(moved.status, 400);
  EXPECT_EQ(error_code(moved), "TAG_INVALID");
  EXPECT_NE(body_text(moved).find("The image tag 'v1' already exists in the 'team/app' repository and cannot be "
                                  "overwritten because the repository is immutable."),
            std::string::npos)
      << body_text(moved);
  EXPECT_EQ(*metadata_->resolve_tag("team/app", "v1"), Hasher::of(first));
  EXPECT_FALSE(*metadata_->manifest_exists("team/app", Hasher::of(second)));

  EXPECT_EQ(put("team/app", "v1", first).status, 201);
  EXPECT_EQ(put("team/app", "latest", second).status, 201);
  EXPECT_EQ(*metadata_->resolve_tag("team/app", "latest"), Hasher::of(second));
  EXPECT_EQ(put("team/app", Hasher::of(second).str(), second).status, 201);
}

TEST_F(ManifestHandlersTest, PushByTagThenPullByTagAndDigestServesTheExactBytes) {
  const std::string manifest = image_manifest("team/app");
  const std::string digest = Hasher::of(manifest).str();

  http::Response pushed = put("team/app", "v1", manifest);
  ASSERT_EQ(pushed.status, 201) << body_text(pushed);
  EXPECT_EQ(header(pushed, "Location"), "/v2/team/app/manifests/" + digest);
  EXPECT_EQ(header(pushed, "Docker-Content-Digest"), digest);
  EXPECT_EQ(header(pushed, "OCI-Subject"), "<absent>");
  EXPECT_EQ(pushed.content_length, 0u);
  EXPECT_TRUE(std::holds_alternative<std::monostate>(pushed.body));

  for (const std::string& reference : {std::string("v1"), digest}) {
    http::Response pulled = get("team/app", reference);
    ASSERT_EQ(pulled.status, 200) << reference << body_text(pulled);
    EXPECT_EQ(body_text(pulled), manifest);
    EXPECT_EQ(header(pulled, "Content-Type"), kOciManifestType);
    EXPECT_EQ(header(pulled, "Docker-Content-Digest"), digest);
    EXPECT_EQ(header(pulled, "Etag"), "\"" + digest + "\"");
    EXPECT_EQ(header(pulled, "Docker-Distribution-API-Version"), "registry/2.0");
  }
}

TEST_F(ManifestHandlersTest, HeadAnnouncesTheSizeWithoutABody) {
  const std::string manifest = image_manifest("team/app");
  ASSERT_EQ(put("team/app", "v1", manifest).status, 201);
  http::Response head = get("team/app", "v1", {}, Method::head);
  ASSERT_EQ(head.status, 200);
  EXPECT_TRUE(std::holds_alternative<std::monostate>(head.body));
  EXPECT_EQ(head.content_length, manifest.size());
  EXPECT_EQ(header(head, "Docker-Content-Digest"), Hasher::of(manifest).str());
  EXPECT_EQ(header(head, "Content-Type"), kOciManifestType);

  http::Response missing = get("team/app", "v2", {}, Method::head);
  EXPECT_EQ(missing.status, 404);
}

TEST_F(ManifestHandlersTest, StoredBytesAreServedWhateverTheAcceptHeaderSays) {
  ASSERT_EQ(put("team/app", "v1", image_manifest("team/app")).status, 201);
  http::Response pulled = get("team/app", "v1", {{"Accept", "application/vnd.docker.distribution.manifest.v2+json"}});
  EXPECT_EQ(pulled.status, 200);
  EXPECT_EQ(header(pulled, "Content-Type"), kOciManifestType);
}

TEST_F(ManifestHandlersTest, IfNoneMatchAnswersNotModified) {
  const std::string manifest = image_manifest("team/app");
  const std::string digest = Hasher::of(manifest).str();
  ASSERT_EQ(put("team/app", "v1", manifest).status, 201);

  const std::vector<std::string> matching = {"\"" + digest + "\"", digest, "\"sha256:other\", W/\"" + digest + "\"",
                                             "*"};
  for (const std::string& value : matching) {
    http::Response response = get("team/app", "v1", {{"If-None-Match", value}});
    EXPECT_EQ(response.status, 304) << value;
    EXPECT_TRUE(std::holds_alternative<std::monostate>(response.body));
    EXPECT_EQ(header(response, "Etag"), "\"" + digest + "\"");
  }
  EXPECT_EQ(get("team/app", "v1", {{"If-None-Match", "\"sha256:other\""}}).status, 200);
}

TEST_F(ManifestHandlersTest, UnknownAndMalformedReferences) {
  put_blob("team/app", "x");  // creates the repository
  http::Response unknown_tag = get("team/app", "nope");
  EXPECT_EQ(unknown_tag.status, 404);
  EXPECT_EQ(error_code(unknown_tag), "MANIFEST_UNKNOWN");
  EXPECT_EQ(error_code(get("team/app", Hasher::of("absent").str())), "MANIFEST_UNKNOWN");

}

// Neither a tag nor a digest: nothing can be stored under it, so lookups answer 404 (OCI conformance
// v1.1.1 "GET/HEAD nonexistent manifest"), while PUT refuses to create such a tag.
TEST_F(ManifestHandlersTest, ReferencesOutsideTheGrammarAreUnknownToLookupsAndInvalidToPush) {
  put_blob("team/app", "x");  // creates the repository
  const std::vector<std::string> invalid = {".INVALID_MANIFEST_NAME", std::string(129, 'a'), "-tag", ".tag",
                                            "a:b", "a+b", "sha256:abc", "sha256:" + std::string(64, 'Z'),
                                            "a%2Fb", "%22quoted%22"};
  for (const std::string& reference : invalid) {
    for (Method method : {Method::get, Method::head, Method::delete_}) {
      http::Response response = get("team/app", reference, {}, method);
      EXPECT_EQ(response.status, 404) << reference;
      if (method != Method::head) {
        EXPECT_EQ(error_code(response), "MANIFEST_UNKNOWN") << reference;
      }
    }
    http::Response pushed = put("team/app", reference, image_manifest("team/app"));
    EXPECT_EQ(pushed.status, 400) << reference;
  }
  EXPECT_EQ(error_code(put("team/app", std::string(129, 'a'), image_manifest("team/app"))), "TAG_INVALID");
  EXPECT_EQ(error_code(put("team/app", "-tag", image_manifest("team/app"))), "TAG_INVALID");
  EXPECT_EQ(error_code(put("team/app", "sha256:abc", image_manifest("team/app"))), "DIGEST_INVALID");
  EXPECT_EQ(body_text(call(Method::get, "/v2/team/app/tags/list")), R"({"name":"team/app","tags":[]})");
}

TEST_F(ManifestHandlersTest, PushByDigestMustMatchTheBytes) {
  const std::string manifest = image_manifest("team/app");
  http::Response wrong = put("team/app", Hasher::of("other").str(), manifest);
  EXPECT_EQ(wrong.status, 400);
  EXPECT_EQ(error_code(wrong), "DIGEST_INVALID");

  const std::string digest = Hasher::of(manifest).str();
  http::Response pushed = put("team/app", digest, manifest);
  ASSERT_EQ(pushed.status, 201) << body_text(pushed);
  EXPECT_EQ(body_text(get("team/app", digest)), manifest);
  // By digest, no tag is created.
  EXPECT_EQ(body_text(call(Method::get, "/v2/team/app/tags/list")), R"({"name":"team/app","tags":[]})");
}

TEST_F(ManifestHandlersTest, Sha512DigestReferencesAreHonoured) {
  const std::string manifest = image_manifest("team/app");
  const std::string digest = Hasher::of(manifest, DigestAlgorithm::sha512).str();
  http::Response pushed = put("team/app", digest, manifest);
  ASSERT_EQ(pushed.status, 201) << body_text(pushed);
  EXPECT_EQ(header(pushed, "Docker-Content-Digest"), digest);
  EXPECT_EQ(body_text(get("team/app", digest)), manifest);
}

TEST_F(ManifestHandlersTest, EveryReferencedBlobMustBeLinkedInThisRepository) {
  const std::string manifest = image_manifest("other/repo");
  put_blob("team/app", "unrelated");
  http::Response response = put("team/app", "v1", manifest);
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(error_code(response), "MANIFEST_BLOB_UNKNOWN");
  auto detail = nlohmann::json::parse(body_text(response))["errors"][0]["detail"];
  EXPECT_TRUE(detail["digest"].get<std::string>().starts_with("sha256:")) << body_text(response);
  EXPECT_EQ(get("team/app", "v1").status, 404);
}

TEST_F(ManifestHandlersTest, IndexNeedsItsManifestsPresent) {
  const std::string child = image_manifest("team/app");
  const std::string child_digest = Hasher::of(child).str();
  const std::string index = R"({"schemaVersion":2,"mediaType":")" + std::string(kOciIndexType) +
                            R"(","manifests":[{"mediaType":")" + std::string(kOciManifestType) + R"(","digest":")" +
                            child_digest + R"(","size":)" + std::to_string(child.size()) + "}]}";
  http::Response early = put("team/app", "multi", index, std::string(kOciIndexType));
  EXPECT_EQ(error_code(early), "MANIFEST_BLOB_UNKNOWN");

  ASSERT_EQ(put("team/app", child_digest, child).status, 201);
  http::Response pushed = put("team/app", "multi", index, std::string(kOciIndexType));
  ASSERT_EQ(pushed.status, 201) << body_text(pushed);
  http::Response pulled = get("team/app", "multi");
  EXPECT_EQ(header(pulled, "Content-Type"), kOciIndexType);
  EXPECT_EQ(body_text(pulled), index);
}

// A descriptor whose size is not the stored content's would make every later pull fail
// verification, so the push is refused naming the descriptor, and nothing is stored.
TEST_F(ManifestHandlersTest, DescriptorSizesMustBeTheStoredSizes) {
  const std::string good = image_manifest("team/app");
  const auto lie_about = [&](std::string_view field, std::string_view truthful, std::string_view lie) {
    std::string manifest = good;
    const auto at = manifest.find(truthful, manifest.find(field));
    manifest.replace(at, truthful.size(), lie);
    return manifest;
  };
  const std::vector<std::pair<std::string, std::string>> lies = {
      {lie_about("\"layers\"", "\"size\": 11", "\"size\": 12"), "layers[0]"},
      {lie_about("\"layers\"", "\"size\": 11", "\"size\": 0"), "layers[0]"},
      {lie_about("\"config\"", "\"size\": 24", "\"size\": 2400"), "config"}};
  for (const auto& [manifest, where] : lies) {
    http::Response refused = put("team/app", "v1", manifest);
    EXPECT_EQ(refused.status, 400) << manifest;
    EXPECT_EQ(error_code(refused), "MANIFEST_INVALID") << manifest;
    const auto error = nlohmann::json::parse(body_text(refused))["errors"][0];
    EXPECT_TRUE(error["message"].get<std::string>().starts_with(where + " declares size")) << body_text(refused);
    EXPECT_EQ(error["detail"]["descriptor"], where);
  }
  EXPECT_EQ(get("team/app", "v1").status, 404);

  // The same layer listed twice is checked twice.
  const std::string layer = R"({"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": ")" +
                            put_blob("team/app", "layer bytes").str();
  std::string twice = good;
  twice.insert(twice.find(" ]"), ", " + layer + R"(", "size": 99})");
  http::Response second = put("team/app", "v1", twice);
  EXPECT_EQ(error_code(second), "MANIFEST_INVALID");
  EXPECT_TRUE(body_text(second).find("layers[1]") != std::string::npos) << body_text(second);

  ASSERT_EQ(put("team/app", "v1", good).status, 201);
}

TEST_F(ManifestHandlersTest, IndexEntrySizesMustBeTheStoredManifestSizes) {
  const std::string child = image_manifest("team/app");
  const std::string child_digest = Hasher::of(child).str();
  ASSERT_EQ(put("team/app", child_digest, child).status, 201);
  const std::string index = R"({"schemaVersion":2,"mediaType":")" + std::string(kOciIndexType) +
                            R"(","manifests":[{"mediaType":")" + std::string(kOciManifestType) + R"(","digest":")" +
                            child_digest + R"(","size":)" + std::to_string(child.size() + 1) + "}]}";
  http::Response refused = put("team/app", "multi", index, std::string(kOciIndexType));
  EXPECT_EQ(error_code(refused), "MANIFEST_INVALID");
  EXPECT_TRUE(body_text(refused).find("manifests[0]") != std::string::npos) << body_text(refused);
}

TEST_F(ManifestHandlersTest, SubjectNeedNotExistAndIsEchoed) {
  const std::string subject = Hasher::of("not pushed yet").str();
  const std::string manifest =
      image_manifest("team/app", R"(, "subject": {"mediaType": "application/vnd.oci.image.manifest.v1+json", )"
                                 R"("digest": ")" +
                                     subject + R"(", "size": 5})");
  http::Response pushed = put("team/app", Hasher::of(manifest).str(), manifest);
  ASSERT_EQ(pushed.status, 201) << body_text(pushed);
  EXPECT_EQ(header(pushed, "OCI-Subject"), subject);
}

TEST_F(ManifestHandlersTest, InvalidManifestsAreRefused) {
  put_blob("team/app", "x");
  http::Response not_json = put("team/app", "v1", "not json");
  EXPECT_EQ(not_json.status, 400);
  EXPECT_EQ(error_code(not_json), "MANIFEST_INVALID");
  EXPECT_EQ(error_code(put("team/app", "v1", image_manifest("team/app"), std::string(kOciIndexType))),
            "MANIFEST_INVALID");
  EXPECT_EQ(error_code(put("team/app", "v1", R"({"schemaVersion":1,"fsLayers":[]})", "application/json")),
            "MANIFEST_INVALID");
}

TEST_F(ManifestHandlersTest, OversizedManifestsAreRefusedWith413BeforeReading) {
  RegistryOptions options;
  options.max_manifest_bytes = 64;
  use_options(options);
  const std::string manifest = image_manifest("team/app");
  ASSERT_GT(manifest.size(), 64u);

  http::Request request =
      test::make_request(Method::put, "/v2/team/app/manifests/v1", {{"Content-Type", std::string(kOciManifestType)}});
  test::StringBody declared(manifest, manifest.size());
  request.body = &declared;
  http::Response response = send(request);
  EXPECT_EQ(response.status, 413);
  EXPECT_EQ(error_code(response), "SIZE_INVALID");
  EXPECT_EQ(declared.reads(), 0u);

  test::StringBody chunked(manifest, std::nullopt, 16);
  request.body = &chunked;
  EXPECT_EQ(send(request).status, 413);
  EXPECT_EQ(get("team/app", "v1").status, 404);
}

TEST_F(ManifestHandlersTest, APushBeyondTheImageQuotaIsDeniedButARepushIsNot) {
  RegistryOptions options;
  options.max_images_per_repository = 2;
  use_options(options);
  const std::string first = image_manifest("team/app");
  const std::string second = image_manifest("team/app", ", \"annotations\": {\"v\": \"2\"}");
  const std::string third = image_manifest("team/app", ", \"annotations\": {\"v\": \"3\"}");
  ASSERT_EQ(put("team/app", "v1", first).status, 201);
  ASSERT_EQ(put("team/app", "v2", second).status, 201);

  http::Response refused = put("team/app", "v3", third);
  EXPECT_EQ(refused.status, 403);
  EXPECT_EQ(error_code(refused), "DENIED");
  EXPECT_NE(body_text(refused).find("already holds 2 images"), std::string::npos) << body_text(refused);
  EXPECT_FALSE(*metadata_->manifest_exists("team/app", Hasher::of(third)));
  EXPECT_EQ(get("team/app", "v3").status, 404);
  // A stored manifest adds no image: it takes another tag, and other repositories have their own quota.
  EXPECT_EQ(put("team/app", "again", first).status, 201);
  EXPECT_EQ(put("team/other", "v1", image_manifest("team/other")).status, 201);
  // Deleting an image makes room.
  ASSERT_EQ(call(Method::delete_, "/v2/team/app/manifests/" + Hasher::of(second).str()).status, 202);
  EXPECT_EQ(put("team/app", "v3", third).status, 201);
}

TEST_F(ManifestHandlersTest, DeleteByTagKeepsTheManifest) {
  const std::string manifest = image_manifest("team/app");
  const std::string digest = Hasher::of(manifest).str();
  ASSERT_EQ(put("team/app", "v1", manifest).status, 201);
  ASSERT_EQ(put("team/app", "v2", manifest).status, 201);

  http::Response deleted = call(Method::delete_, "/v2/team/app/manifests/v1");
  EXPECT_EQ(deleted.status, 202) << body_text(deleted);
  EXPECT_EQ(get("team/app", "v1").status, 404);
  EXPECT_EQ(get("team/app", "v2").status, 200);
  EXPECT_EQ(get("team/app", digest).status, 200);
  EXPECT_EQ(error_code(call(Method::delete_, "/v2/team/app/manifests/v1")), "MANIFEST_UNKNOWN");
}

TEST_F(ManifestHandlersTest, DeleteByDigestRemovesTheManifestAndItsTags) {
  const std::string manifest = image_manifest("team/app");
  const std::string digest = Hasher::of(manifest).str();
  ASSERT_EQ(put("team/app", "v1", manifest).status, 201);

  EXPECT_EQ(call(Method::delete_, "/v2/team/app/manifests/" + digest).status, 202);
  EXPECT_EQ(error_code(get("team/app", digest)), "MANIFEST_UNKNOWN");
  EXPECT_EQ(error_code(get("team/app", "v1")), "MANIFEST_UNKNOWN");
  http::Response again = call(Method::delete_, "/v2/team/app/manifests/" + digest);
  EXPECT_EQ(again.status, 404);
  EXPECT_EQ(error_code(again), "MANIFEST_UNKNOWN");
}

TEST_F(ManifestHandlersTest, RepositoriesDoNotShareManifests) {
  const std::string manifest = image_manifest("team/app");
  ASSERT_EQ(put("team/app", "v1", manifest).status, 201);
  put_blob("team/other", "x");
  EXPECT_EQ(error_code(get("team/other", Hasher::of(manifest).str())), "MANIFEST_UNKNOWN");
}

}  // namespace
}  // namespace berth::registry

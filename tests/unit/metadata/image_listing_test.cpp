// MetadataStore::list_images, part of the backend suite (instantiated per backend in
// <backend>_metadata_store_test.cpp): what the ECR API's DescribeImages and ListImages read.
#include <algorithm>
#include <string>
#include <vector>

#include "metadata_store_suite.hpp"

namespace berth::metadata {
namespace {

using Names = std::vector<std::string>;

constexpr std::string_view kImageManifest = "application/vnd.oci.image.manifest.v1+json";
constexpr std::string_view kIndex = "application/vnd.oci.image.index.v1+json";

// Links a blob of `size` bytes named by `content` into `repository`.
Digest link(MetadataStore& store, std::string_view repository, std::string_view content, std::uint64_t size) {
  Digest digest = Hasher::of(content);
  EXPECT_TRUE(store.link_blob(repository, digest, size).ok());
  return digest;
}

Digest put(MetadataStore& store, std::string_view repository, std::string content, std::string_view media_type,
           const std::vector<ManifestReference>& references, std::optional<std::string_view> tag,
           std::int64_t created = 1700000000, std::string artifact_type = {},
           std::optional<Digest> subject = std::nullopt) {
  Digest digest = Hasher::of(content);
  ManifestRecord record{std::string(repository),
                        digest,
                        std::string(media_type),
                        std::move(content),
                        std::move(subject),
                        std::move(artifact_type),
                        "",
                        created, std::nullopt};
  Status stored = store.put_manifest(record, references, tag);
  EXPECT_TRUE(stored.ok()) << stored.error().message;
  return digest;
}

std::vector<ImageRecord> list(MetadataStore& store, std::string_view repository, std::string_view after = "",
                              std::size_t limit = 100) {
  auto images = store.list_images(repository, after, limit);
  EXPECT_TRUE(images.ok()) << images.error().message;
  return images.ok() ? std::move(*images) : std::vector<ImageRecord>{};
}

std::vector<std::string> digests(const std::vector<ImageRecord>& images) {
  std::vector<std::string> out;
  for (const auto& image : images) out.push_back(image.digest.str());
  return out;
}

TEST_P(MetadataStoreSuite, ImagesDescribesAManifestWithItsBlobBytesAndTags) {
  Digest config = link(*store_, "team/app", "config", 300);
  Digest layer = link(*store_, "team/app", "layer", 5000);
  link(*store_, "team/app", "unrelated", 7);
  std::string content = R"({"schemaVersion":2,"layers":["one"]})";
  Digest digest =
      put(*store_, "team/app", content, kImageManifest, {{config, ReferenceKind::blob}, {layer, ReferenceKind::blob}},
          "v1", 1700000123, "", std::nullopt);
  put(*store_, "team/app", content, kImageManifest, {{config, ReferenceKind::blob}, {layer, ReferenceKind::blob}},
      "latest");
  put(*store_, "team/app", content, kImageManifest, {{config, ReferenceKind::blob}, {layer, ReferenceKind::blob}}, "Z");

  std::vector<ImageRecord> images = list(*store_, "team/app");
  ASSERT_EQ(images.size(), 1u);
  const ImageRecord& image = images[0];
  EXPECT_EQ(image.digest, digest);
  EXPECT_EQ(image.media_type, kImageManifest);
  EXPECT_EQ(image.artifact_type, "");
  EXPECT_EQ(image.manifest_size, content.size());
  EXPECT_EQ(image.blob_bytes, 5300u);
  EXPECT_TRUE(image.child_manifests.empty());
  EXPECT_EQ(image.tags, (Names{"Z", "latest", "v1"}));  // byte order
  EXPECT_FALSE(image.subject.has_value());
  EXPECT_EQ(image.created_unix, 1700000123);
}

TEST_P(MetadataStoreSuite, ImagesAnIndexListsItsManifestsAndHasNoBlobBytes) {
  Digest layer = link(*store_, "team/app", "layer", 40);
  Digest amd64 = put(*store_, "team/app", "amd64", kImageManifest, {{layer, ReferenceKind::blob}}, std::nullopt);
  Digest arm64 = put(*store_, "team/app", "arm64", kImageManifest, {{layer, ReferenceKind::blob}}, std::nullopt);
  Digest index = put(*store_, "team/app", "index", kIndex,
                     {{amd64, ReferenceKind::manifest}, {arm64, ReferenceKind::manifest}}, "v2");

  for (const ImageRecord& image : list(*store_, "team/app")) {
    if (image.digest == index) {
      EXPECT_EQ(image.media_type, kIndex);
      EXPECT_EQ(image.blob_bytes, 0u);
      std::vector<Digest> expected{amd64, arm64};
      std::sort(expected.begin(), expected.end(), [](const Digest& a, const Digest& b) { return a.str() < b.str(); });
      EXPECT_EQ(image.child_manifests, expected);
      EXPECT_EQ(image.tags, Names{"v2"});
    } else {
      EXPECT_EQ(image.blob_bytes, 40u);
      EXPECT_TRUE(image.child_manifests.empty());
      EXPECT_TRUE(image.tags.empty());
    }
  }
  EXPECT_EQ(list(*store_, "team/app").size(), 3u);
}

TEST_P(MetadataStoreSuite, ImagesCarriesArtifactTypeAndSubject) {
  Digest subject = put(*store_, "team/app", "subject", kImageManifest, {}, "v1");
  Digest signature = put(*store_, "team/app", "signature", kImageManifest, {}, std::nullopt, 1700000000,
                         "application/vnd.dev.cosign.artifact.sig.v1+json", subject);
  for (const ImageRecord& image : list(*store_, "team/app")) {
    if (image.digest != signature) continue;
    EXPECT_EQ(image.artifact_type, "application/vnd.dev.cosign.artifact.sig.v1+json");
    ASSERT_TRUE(image.subject.has_value());
    EXPECT_EQ(*image.subject, subject);
  }
}

TEST_P(MetadataStoreSuite, ImagesPagesInDigestOrderWithinOneRepository) {
  std::vector<std::string> expected;
  for (int i = 0; i < 5; ++i) {
    expected.push_back(put(*store_, "team/app", "image " + std::to_string(i), kImageManifest, {}, std::nullopt).str());
  }
  put(*store_, "team/other", "elsewhere", kImageManifest, {}, "v1");
  std::sort(expected.begin(), expected.end());

  EXPECT_EQ(digests(list(*store_, "team/app")), expected);
  EXPECT_EQ(digests(list(*store_, "team/app", "", 2)), (std::vector<std::string>{expected[0], expected[1]}));
  EXPECT_EQ(digests(list(*store_, "team/app", expected[1], 2)), (std::vector<std::string>{expected[2], expected[3]}));
  EXPECT_EQ(digests(list(*store_, "team/app", expected[4], 2)), std::vector<std::string>{});
  EXPECT_TRUE(list(*store_, "team/app", "", 0).empty());
  EXPECT_TRUE(list(*store_, "team/none").empty());
}

TEST_P(MetadataStoreSuite, ImagesFollowsTagMovesAndDeletes) {
  Digest first = put(*store_, "team/app", "first", kImageManifest, {}, "latest");
  Digest second = put(*store_, "team/app", "second", kImageManifest, {}, "latest");
  for (const ImageRecord& image : list(*store_, "team/app")) {
    EXPECT_EQ(image.tags, image.digest == second ? Names{"latest"} : Names{});
  }
  ASSERT_TRUE(store_->delete_manifest("team/app", first).ok());
  EXPECT_EQ(digests(list(*store_, "team/app")), std::vector<std::string>{second.str()});
}

}  // namespace

}  // namespace berth::metadata

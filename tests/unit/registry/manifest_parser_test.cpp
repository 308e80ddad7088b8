#include "registry/manifest_parser.hpp"

#include <gtest/gtest.h>

#include <string>

namespace berth::registry {
namespace {

const std::string kConfig = Hasher::of("config").str();
const std::string kLayer = Hasher::of("layer").str();
const std::string kChild = Hasher::of("child").str();
const std::string kSubject = Hasher::of("subject").str();

std::string descriptor(std::string_view media_type, std::string_view digest, std::string_view size = "10") {
  return R"({"mediaType":")" + std::string(media_type) + R"(","digest":")" + std::string(digest) + R"(","size":)" +
         std::string(size) + "}";
}

std::string image_manifest(std::string_view extra = "", std::string_view media_type = kOciManifestType) {
  return R"({"schemaVersion":2,"mediaType":")" + std::string(media_type) + R"(","config":)" +
         descriptor("application/vnd.oci.image.config.v1+json", kConfig) + R"(,"layers":[)" +
         descriptor("application/vnd.oci.image.layer.v1.tar+gzip", kLayer) + "]" + std::string(extra) + "}";
}

std::string index_manifest(std::string_view extra = "", std::string_view media_type = kOciIndexType) {
  return R"({"schemaVersion":2,"mediaType":")" + std::string(media_type) + R"(","manifests":[)" +
         descriptor(kOciManifestType, kChild) + "]" + std::string(extra) + "}";
}

void expect_invalid(std::string_view bytes, std::string_view content_type = kOciManifestType) {
  auto parsed = parse_manifest(bytes, content_type);
  ASSERT_FALSE(parsed.ok()) << bytes;
  EXPECT_EQ(parsed.error().code, ErrorCode::manifest_invalid) << bytes;
  EXPECT_FALSE(parsed.error().message.empty());
}

TEST(ParseManifest, OciImageManifestListsConfigAndLayersAsBlobs) {
  auto parsed = parse_manifest(image_manifest(), kOciManifestType);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(parsed->media_type, kOciManifestType);
  ASSERT_EQ(parsed->references.size(), 2u);
  EXPECT_EQ(parsed->references[0].digest.str(), kConfig);
  EXPECT_EQ(parsed->references[0].kind, metadata::ReferenceKind::blob);
  EXPECT_EQ(parsed->references[1].digest.str(), kLayer);
  EXPECT_EQ(parsed->references[1].kind, metadata::ReferenceKind::blob);
  EXPECT_FALSE(parsed->subject);
  // Without artifactType, an image manifest reports its config media type.
  EXPECT_EQ(parsed->artifact_type, "application/vnd.oci.image.config.v1+json");
  EXPECT_EQ(parsed->annotations_json, "");
}

TEST(ParseManifest, OciIndexListsEntriesAsManifests) {
  auto parsed = parse_manifest(index_manifest(), kOciIndexType);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(parsed->media_type, kOciIndexType);
  ASSERT_EQ(parsed->references.size(), 1u);
  EXPECT_EQ(parsed->references[0].digest.str(), kChild);
  EXPECT_EQ(parsed->references[0].kind, metadata::ReferenceKind::manifest);
  EXPECT_EQ(parsed->artifact_type, "");
}

TEST(ParseManifest, DockerManifestAndManifestList) {
  auto manifest = parse_manifest(image_manifest("", kDockerManifestType), kDockerManifestType);
  ASSERT_TRUE(manifest.ok()) << manifest.error().message;
  EXPECT_EQ(manifest->media_type, kDockerManifestType);
  EXPECT_EQ(manifest->references.size(), 2u);

  std::string list = R"({"schemaVersion":2,"mediaType":")" + std::string(kDockerManifestListType) +
                     R"(","manifests":[{"mediaType":")" + std::string(kDockerManifestType) + R"(","digest":")" +
                     kChild + R"(","size":7,"platform":{"architecture":"amd64","os":"linux"}}]})";
  auto parsed_list = parse_manifest(list, kDockerManifestListType);
  ASSERT_TRUE(parsed_list.ok()) << parsed_list.error().message;
  EXPECT_EQ(parsed_list->media_type, kDockerManifestListType);
  ASSERT_EQ(parsed_list->references.size(), 1u);
  EXPECT_EQ(parsed_list->references[0].kind, metadata::ReferenceKind::manifest);
}

TEST(ParseManifest, ArtifactWithSubjectAnnotationsAndArtifactType) {
  std::string extra = R"(,"artifactType":"application/vnd.example.sbom","subject":)" +
                      descriptor(kOciManifestType, kSubject, "123") +
                      R"(,"annotations":{ "org.opencontainers.image.created" : "2024-01-01T00:00:00Z" })";
  auto parsed = parse_manifest(image_manifest(extra), kOciManifestType);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  ASSERT_TRUE(parsed->subject);
  EXPECT_EQ(parsed->subject->str(), kSubject);
  EXPECT_EQ(parsed->artifact_type, "application/vnd.example.sbom");
  EXPECT_EQ(parsed->annotations_json, R"({"org.opencontainers.image.created":"2024-01-01T00:00:00Z"})");
  // The subject is not a reference: it need not exist.
  EXPECT_EQ(parsed->references.size(), 2u);
}

TEST(ParseManifest, IndexWithSubjectAndArtifactType) {
  auto parsed = parse_manifest(
      index_manifest(R"(,"artifactType":"application/x.sig","subject":)" + descriptor(kOciIndexType, kSubject)),
      kOciIndexType);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(parsed->artifact_type, "application/x.sig");
  ASSERT_TRUE(parsed->subject);
  EXPECT_EQ(parsed->subject->str(), kSubject);
}

TEST(ParseManifest, EmptyAnnotationsAreEmpty) {
  auto parsed = parse_manifest(image_manifest(R"(,"annotations":{})"), kOciManifestType);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->annotations_json, "");
}

TEST(ParseManifest, ContentTypeParametersAreIgnored) {
  auto parsed = parse_manifest(image_manifest(), std::string(kOciManifestType) + "; charset=utf-8");
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(parsed->media_type, kOciManifestType);
}

TEST(ParseManifest, GenericContentTypeUsesBodyMediaType) {
  for (std::string_view content_type : {"", "application/json", "application/octet-stream"}) {
    auto parsed = parse_manifest(index_manifest(), content_type);
    ASSERT_TRUE(parsed.ok()) << content_type;
    EXPECT_EQ(parsed->media_type, kOciIndexType);
  }
}

TEST(ParseManifest, WithoutAnyMediaTypeTheShapeDecides) {
  std::string manifest =
      R"({"schemaVersion":2,"config":)" + descriptor("application/x.config", kConfig) + R"(,"layers":[]})";
  auto parsed = parse_manifest(manifest, "");
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(parsed->media_type, kOciManifestType);
  EXPECT_EQ(parsed->references.size(), 1u);

  std::string index = R"({"schemaVersion":2,"manifests":[]})";
  auto parsed_index = parse_manifest(index, "application/json");
  ASSERT_TRUE(parsed_index.ok()) << parsed_index.error().message;
  EXPECT_EQ(parsed_index->media_type, kOciIndexType);

  expect_invalid(R"({"schemaVersion":2})", "");
}

TEST(ParseManifest, BodyWithoutMediaTypeTakesContentType) {
  std::string manifest =
      R"({"schemaVersion":2,"config":)" + descriptor("application/x.config", kConfig) + R"(,"layers":[]})";
  auto parsed = parse_manifest(manifest, kDockerManifestType);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->media_type, kDockerManifestType);
}

TEST(ParseManifest, MediaTypeMustMatchContentType) {
  expect_invalid(image_manifest(), kOciIndexType);
  expect_invalid(image_manifest(), kDockerManifestType);
  expect_invalid(index_manifest(), kDockerManifestListType);
}

TEST(ParseManifest, UnknownMediaTypesAreRefused) {
  expect_invalid(image_manifest(), "text/plain");
  expect_invalid(image_manifest("", "application/vnd.example+json"), "application/json");
}

TEST(ParseManifest, DockerSchema1IsRefused) {
  std::string schema1 = R"({"schemaVersion":1,"name":"a/b","tag":"x","architecture":"amd64","fsLayers":[]})";
  expect_invalid(schema1, "application/vnd.docker.distribution.manifest.v1+prettyjws");
  expect_invalid(schema1, "application/json");
  expect_invalid(image_manifest(), "application/vnd.docker.distribution.manifest.v1+json");
}

TEST(ParseManifest, NotJsonOrNotAnObject) {
  expect_invalid("");
  expect_invalid("not json");
  expect_invalid("{");
  expect_invalid(R"({"schemaVersion":2,})");
  expect_invalid("[]");
  expect_invalid("\"manifest\"");
  expect_invalid("null");
  expect_invalid(image_manifest() + " {}");  // trailing content
  expect_invalid(image_manifest() + "x");
  expect_invalid(std::string("{\"schemaVersion\":2,\"annotations\":{\"a\":\"\xff\"}}"));  // not UTF-8
}

TEST(ParseManifest, SchemaVersionMustBeTheInteger2) {
  std::string manifest = image_manifest();
  auto with_version = [&](std::string_view version) {
    std::string copy = manifest;
    copy.replace(copy.find("\"schemaVersion\":2"), 17, "\"schemaVersion\":" + std::string(version));
    return copy;
  };
  expect_invalid(with_version("3"));
  expect_invalid(with_version("2.0"));
  expect_invalid(with_version("\"2\""));
  expect_invalid(with_version("null"));
  expect_invalid(with_version("-2"));
  std::string missing = manifest;
  missing.erase(missing.find("\"schemaVersion\":2,"), 18);
  expect_invalid(missing);
}

TEST(ParseManifest, StructureIsRequired) {
  expect_invalid(R"({"schemaVersion":2,"mediaType":")" + std::string(kOciManifestType) + R"(","layers":[]})");
  expect_invalid(R"({"schemaVersion":2,"mediaType":")" + std::string(kOciManifestType) + R"(","config":)" +
                 descriptor("a/b", kConfig) + "}");
  expect_invalid(R"({"schemaVersion":2,"mediaType":")" + std::string(kOciManifestType) + R"(","config":)" +
                 descriptor("a/b", kConfig) + R"(,"layers":{}})");
  expect_invalid(R"({"schemaVersion":2,"mediaType":")" + std::string(kOciManifestType) +
                 R"(","config":[],"layers":[]})");
  expect_invalid(R"({"schemaVersion":2,"mediaType":")" + std::string(kOciIndexType) + R"("})", kOciIndexType);
  expect_invalid(R"({"schemaVersion":2,"mediaType":")" + std::string(kOciIndexType) + R"(","manifests":{}})",
                 kOciIndexType);
  expect_invalid(R"({"schemaVersion":2,"mediaType":")" + std::string(kOciIndexType) + R"(","manifests":[1]})",
                 kOciIndexType);
}

TEST(ParseManifest, DescriptorFieldsAreValidated) {
  auto with_layer = [](std::string layer) {
    return R"({"schemaVersion":2,"mediaType":")" + std::string(kOciManifestType) + R"(","config":)" +
           descriptor("application/x.config", kConfig) + R"(,"layers":[)" + layer + "]}";
  };
  const std::string type = R"("mediaType":"application/x.layer")";
  const std::string digest = R"("digest":")" + kLayer + "\"";
  ASSERT_TRUE(parse_manifest(with_layer("{" + type + "," + digest + R"(,"size":0})"), kOciManifestType).ok());

  expect_invalid(with_layer("{" + digest + R"(,"size":1})"));                   // no mediaType
  expect_invalid(with_layer(R"({"mediaType":5,)" + digest + R"(,"size":1})"));  // mediaType not a string
  expect_invalid(with_layer("{" + type + R"(,"size":1})"));                     // no digest
  expect_invalid(with_layer("{" + type + R"(,"digest":7,"size":1})"));          // digest not a string
  expect_invalid(with_layer("{" + type + R"(,"digest":"sha256:abc","size":1})"));
  expect_invalid(with_layer("{" + type + R"(,"digest":"md5:d41d8cd98f00b204e9800998ecf8427e","size":1})"));
  expect_invalid(with_layer("{" + type + R"(,"digest":")" + Hasher::of("x").str().substr(0, 20) + R"(","size":1})"));
  expect_invalid(with_layer("{" + type + "," + digest + "}"));  // no size
  expect_invalid(with_layer("{" + type + "," + digest + R"(,"size":-1})"));
  expect_invalid(with_layer("{" + type + "," + digest + R"(,"size":1.5})"));
  expect_invalid(with_layer("{" + type + "," + digest + R"(,"size":1e3})"));
  expect_invalid(with_layer("{" + type + "," + digest + R"(,"size":"10"})"));
  expect_invalid(with_layer("{" + type + "," + digest + R"(,"size":null})"));
  expect_invalid(with_layer("{" + type + "," + digest + R"(,"size":9223372036854775808})"));   // > INT64_MAX
  expect_invalid(with_layer("{" + type + "," + digest + R"(,"size":18446744073709551616})"));  // > UINT64_MAX
  expect_invalid(with_layer("{" + type + "," + digest + R"(,"size":1000000000000000000000000000000})"));
  expect_invalid(with_layer("{" + type + "," + digest + R"(,"size":1,"annotations":{"a":1}})"));
  expect_invalid(with_layer("{" + type + "," + digest + R"(,"size":1,"artifactType":1})"));
  expect_invalid(with_layer("{" + type + "," + digest + R"(,"size":1,"urls":"http://x"})"));
  expect_invalid(with_layer(R"("layer")"));
}

TEST(ParseManifest, Sha512DigestsAreAccepted) {
  std::string digest = Hasher::of("layer", DigestAlgorithm::sha512).str();
  auto parsed =
      parse_manifest(index_manifest().replace(index_manifest().find(kChild), kChild.size(), digest), kOciIndexType);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(parsed->references[0].digest.algorithm(), DigestAlgorithm::sha512);
}

TEST(ParseManifest, ManifestLevelFieldsAreValidated) {
  expect_invalid(image_manifest(R"(,"annotations":[])"));
  expect_invalid(image_manifest(R"(,"annotations":{"a":{"b":"c"}})"));
  expect_invalid(image_manifest(R"(,"artifactType":["x"])"));
  expect_invalid(image_manifest(R"(,"subject":"sha256:00"})"));
  expect_invalid(image_manifest(R"(,"subject":{"mediaType":"x","size":1})"));
  expect_invalid(R"({"schemaVersion":2,"mediaType":7,"manifests":[]})", "");
}

TEST(ParseManifest, DuplicateKeysAreRefused) {
  std::string second_layers = image_manifest(R"(,"layers":[])");
  expect_invalid(second_layers);
  expect_invalid(index_manifest(R"(,"schemaVersion":2)"), kOciIndexType);
  std::string duplicate_digest = R"({"schemaVersion":2,"manifests":[{"mediaType":"x","digest":")" + kChild +
                                 R"(","digest":")" + kSubject + R"(","size":1}]})";
  expect_invalid(duplicate_digest, kOciIndexType);
}

TEST(ParseManifest, ForeignLayersAndRepeatedDigestsAreNotExtraReferences) {
  std::string foreign = R"({"mediaType":"application/vnd.docker.image.rootfs.foreign.diff.tar.gzip","digest":")" +
                        kChild + R"(","size":5,"urls":["https://example.com/layer"]})";
  std::string manifest = R"({"schemaVersion":2,"mediaType":")" + std::string(kDockerManifestType) + R"(","config":)" +
                         descriptor("application/x.config", kConfig) + R"(,"layers":[)" + foreign + "," +
                         descriptor("application/x.layer", kLayer) + "," + descriptor("application/x.layer", kLayer) +
                         "]}";
  auto parsed = parse_manifest(manifest, kDockerManifestType);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  ASSERT_EQ(parsed->references.size(), 2u);
  EXPECT_EQ(parsed->references[0].digest.str(), kConfig);
  EXPECT_EQ(parsed->references[1].digest.str(), kLayer);
}

TEST(ParseManifest, DeeplyNestedInputIsRefusedNotCrashed) {
  std::string nested =
      R"({"schemaVersion":2,"annotations":{"a":"b"},"x":)" + std::string(100000, '[') + std::string(100000, ']') + "}";
  expect_invalid(nested, "");
}

}  // namespace
}  // namespace berth::registry

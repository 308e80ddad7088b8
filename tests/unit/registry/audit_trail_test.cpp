// Audit events recorded by the registry's content changes.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <chrono>

#include "auth/auth_fixtures.hpp"
#include "registry/manifest_parser.hpp"
#include "registry/registry_test_support.hpp"

namespace berth::registry {
namespace {

using namespace std::chrono_literals;
using http::Method;
using test::error_code;

class AuditTrailTest : public test::RegistryTest {
 protected:
  void SetUp() override {
    RegistryTest::SetUp();
    if (HasFatalFailure()) return;
    auto issued = std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
    access_.session = auth::registry_password_for(auth::fixtures::github_session(issued), issued, 12h, 1h);
  }

  // An OCI image manifest over one config blob linked into `repository`; `label` makes it unique.
  std::string manifest(std::string_view repository, std::string_view label) {
    const std::string config_bytes = "{\"label\":\"" + std::string(label) + "\"}";
    const Digest config = put_blob(repository, config_bytes);
    return R"({"schemaVersion": 2, "mediaType": ")" + std::string(kOciManifestType) +
           R"(", "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": ")" + config.str() +
           R"(", "size": )" + std::to_string(config_bytes.size()) + R"(}, "layers": []})";
  }

  http::Response put(std::string_view repository, std::string_view reference, const std::string& bytes) {
    return call(Method::put, "/v2/" + std::string(repository) + "/manifests/" + std::string(reference),
                {{"Content-Type", std::string(kOciManifestType)}}, bytes);
  }

  std::vector<metadata::AuditEvent> events() {
    auto listed = metadata_->list_audit_events({});
    EXPECT_TRUE(listed.ok());
    return listed.ok() ? *listed : std::vector<metadata::AuditEvent>{};
  }
};

TEST_F(AuditTrailTest, APushRecordsWhoPushedWhat) {
  const std::string bytes = manifest("team/app", "one");
  const auto before = std::chrono::system_clock::now();
  ASSERT_EQ(put("team/app", "v1", bytes).status, 201);

  auto recorded = events();
  ASSERT_EQ(recorded.size(), 1u);
  const metadata::AuditEvent& event = recorded[0];
  EXPECT_EQ(event.action, "registry:PutManifest");
  EXPECT_EQ(event.repository, "team/app");
  EXPECT_EQ(event.reference, "v1");
  EXPECT_EQ(event.digest, Hasher::of(bytes).str());
  EXPECT_EQ(event.previous_digest, "");
  EXPECT_EQ(event.role_arn, "arn:aws:iam::000000000000:role/berth-ecr-0123456789abcdef-github");
  EXPECT_EQ(event.role_session_name, "GitHubActions");
  EXPECT_EQ(event.access_key_id, "ASIAABCDEFGHIJKLMNOP");
  EXPECT_EQ(event.source_address, "127.0.0.1:40000");
  EXPECT_EQ(event.issuer, "https://token.actions.githubusercontent.com");
  EXPECT_EQ(event.subject, "repo:ministryofjustice/example-repository:ref:refs/heads/main");
  EXPECT_EQ(event.audience, "sts.amazonaws.com");
  const nlohmann::json claims = nlohmann::json::parse(event.claims_json);
  EXPECT_EQ(claims.size(), 6u) << event.claims_json;
  EXPECT_EQ(claims.value("repository", ""), "ministryofjustice/example-repository");
  EXPECT_EQ(claims.value("sha", ""), "0123456789abcdef0123456789abcdef01234567");
  EXPECT_EQ(claims.value("run_id", ""), "42");
  const auto recorded_at = std::chrono::system_clock::time_point(std::chrono::seconds(event.time_unix));
  EXPECT_GE(recorded_at, std::chrono::time_point_cast<std::chrono::seconds>(before));
  EXPECT_LE(recorded_at, std::chrono::system_clock::now());
}

TEST_F(AuditTrailTest, AMovedTagNamesWhereItPointedBefore) {
  const std::string first = manifest("team/app", "one");
  const std::string second = manifest("team/app", "two");
  ASSERT_EQ(put("team/app", "latest", first).status, 201);
  ASSERT_EQ(put("team/app", "latest", second).status, 201);
  ASSERT_EQ(put("team/app", "latest", second).status, 201);
  ASSERT_EQ(put("team/app", Hasher::of(first).str(), first).status, 201);

  auto recorded = events();
  ASSERT_EQ(recorded.size(), 4u);
  EXPECT_EQ(recorded[1].digest, Hasher::of(second).str());
  EXPECT_EQ(recorded[1].previous_digest, Hasher::of(first).str());
  // Pushing what the tag already names moves nothing.
  EXPECT_EQ(recorded[2].previous_digest, "");
  // By digest: no tag involved.
  EXPECT_EQ(recorded[3].reference, Hasher::of(first).str());
  EXPECT_EQ(recorded[3].previous_digest, "");
}

TEST_F(AuditTrailTest, DeletesRecordWhatTheyRemoved) {
  const std::string bytes = manifest("team/app", "one");
  const std::string digest = Hasher::of(bytes).str();
  ASSERT_EQ(put("team/app", "v1", bytes).status, 201);
  ASSERT_EQ(call(Method::delete_, "/v2/team/app/manifests/v1").status, 202);
  ASSERT_EQ(call(Method::delete_, "/v2/team/app/manifests/" + digest).status, 202);
  const Digest blob = put_blob("team/app", "a layer");
  ASSERT_EQ(call(Method::delete_, "/v2/team/app/blobs/" + blob.str()).status, 202);

  auto recorded = events();
  ASSERT_EQ(recorded.size(), 4u);
  EXPECT_EQ(recorded[1].action, "registry:DeleteTag");
  EXPECT_EQ(recorded[1].reference, "v1");
  EXPECT_EQ(recorded[1].digest, digest);
  EXPECT_EQ(recorded[2].action, "registry:DeleteManifest");
  EXPECT_EQ(recorded[2].reference, digest);
  EXPECT_EQ(recorded[2].digest, digest);
  EXPECT_EQ(recorded[3].action, "registry:DeleteBlob");
  EXPECT_EQ(recorded[3].reference, blob.str());
  EXPECT_EQ(recorded[3].digest, blob.str());
  for (const auto& event : recorded) EXPECT_EQ(event.role_session_name, "GitHubActions") << event.action;
}

TEST_F(AuditTrailTest, FailedChangesRecordNothing) {
  ASSERT_TRUE(metadata_->create_repository("team/app").ok());
  EXPECT_EQ(put("team/app", "v1", "{not a manifest").status, 400);
  EXPECT_EQ(error_code(call(Method::delete_, "/v2/team/app/manifests/v9")), "MANIFEST_UNKNOWN");
  EXPECT_EQ(error_code(call(Method::delete_, "/v2/team/app/manifests/" + Hasher::of("x").str())), "MANIFEST_UNKNOWN");
  EXPECT_EQ(error_code(call(Method::delete_, "/v2/team/app/blobs/" + Hasher::of("x").str())), "BLOB_UNKNOWN");
  EXPECT_TRUE(events().empty());
}

TEST_F(AuditTrailTest, AnonymousChangesAreRecordedWithoutAnIdentity) {
  access_.anonymous = true;
  access_.session.reset();
  ASSERT_EQ(put("team/app", "v1", manifest("team/app", "one")).status, 201);
  auto recorded = events();
  ASSERT_EQ(recorded.size(), 1u);
  EXPECT_EQ(recorded[0].action, "registry:PutManifest");
  EXPECT_EQ(recorded[0].role_arn, "");
  EXPECT_EQ(recorded[0].subject, "");
  EXPECT_EQ(recorded[0].source_address, "127.0.0.1:40000");
}

}  // namespace
}  // namespace berth::registry

// Shared by the ECR front door tests: EcrFrontDoor on a real SQLite metadata store in a temp dir,
// roles holding the MoJ push/pull policy (auth_fixtures.hpp), and requests signed as botocore signs
// them with sealed GitHub Actions sessions.
//
//   class MyTest : public berth::aws::test::EcrTest {};
//   TEST_F(MyTest, Works) {
//     http::Response response = call("ListImages", R"({"repositoryName":"example-team/example-repository"})");
//     EXPECT_EQ(response.status, 200) << body_text(response);
//   }
#pragma once

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <boost/asio/thread_pool.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/key_ring.hpp"
#include "auth/role_permissions.hpp"
#include "auth/session_token.hpp"
#include "aws/aws_options.hpp"
#include "aws/aws_test_support.hpp"
#include "aws/ecr_front_door.hpp"
#include "common/digest.hpp"
#include "metadata/audit_batcher.hpp"
#include "metadata/sqlite_metadata_store.hpp"
#include "storage/fs_blob_store.hpp"
#include "storage/scoped_temp_dir.hpp"

namespace berth::aws::test {

inline constexpr std::string_view kAccount = "000000000000";
inline constexpr std::string_view kRegion = "eu-west-2";
// The repository the MoJ policy grants, and the role of auth::fixtures::github_session.
inline constexpr std::string_view kRepository = "example-team/example-repository";
inline constexpr std::string_view kPushRole = "berth-ecr-0123456789abcdef-github";
inline constexpr std::string_view kOciManifest = "application/vnd.oci.image.manifest.v1+json";
inline constexpr std::string_view kOciIndex = "application/vnd.oci.image.index.v1+json";

class EcrTest : public ::testing::Test {
 protected:
  EcrTest();

  // Stores the role `name` with these permission policy documents.
  void put_role(std::string_view name, const std::vector<std::string_view>& policies,
                std::chrono::seconds max_session = std::chrono::hours(12));
  // The fixture GitHub session, for the role `role_name`, issued at `issued` and lasting an hour.
  static auth::SessionClaims session_of(std::string_view role_name, std::chrono::sys_seconds issued);
  // A session of `role_name` issued a minute ago.
  static auth::SessionClaims fresh_session(std::string_view role_name = kPushRole);

  // A POST / with X-Amz-Target for `operation`, signed now with `session`'s credentials.
  TestRequest signed_request(std::string_view operation, std::string body, const auth::SessionClaims& session);
  http::Response send(TestRequest& request);
  http::Response call(std::string_view operation, std::string body = "{}",
                      std::optional<auth::SessionClaims> session = std::nullopt);

  // A blob of `size` bytes named by `content`, linked into `repository`.
  Digest link(std::string_view repository, std::string_view content, std::uint64_t size);
  // Stores a manifest directly in the metadata store (as a registry push would).
  Digest push(std::string_view repository, std::string content, std::string_view media_type,
              const std::vector<metadata::ManifestReference>& references, std::optional<std::string_view> tag,
              std::int64_t created_unix = 1767225600);
  // An image manifest of `repository` referencing a config and one layer of `layer_size` bytes.
  Digest push_image(std::string_view repository, std::string_view name, std::uint64_t layer_size,
                    std::optional<std::string_view> tag);

  berth::test::ScopedTempDir dir_;
  std::unique_ptr<metadata::SqliteMetadataStore> metadata_;
  std::unique_ptr<storage::FsBlobStore> blobs_;
  metadata::AuditBatcher audit_;
  auth::KeyRing keys_;
  AwsOptions options_;
  auth::RolePermissions permissions_;
  boost::asio::thread_pool blocking_{1};
  EcrFrontDoor ecr_;
};

nlohmann::json json_of(const http::Response& response);
// The `__type` of an ECR error body, or "<not an ECR error>".
std::string error_type(const http::Response& response);
std::string error_message(const http::Response& response);

}  // namespace berth::aws::test

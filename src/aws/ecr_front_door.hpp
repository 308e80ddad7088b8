// The ECR JSON 1.1 front door (design.md §2, interfaces.md §6.1): `POST /` with
// `X-Amz-Target: AmazonEC2ContainerRegistry_V20150921.<Operation>`, SigV4-signed (service "ecr")
// with berth session credentials. Serves GetAuthorizationToken (ecr_login.hpp),
// DescribeRepositories (ecr_repositories.hpp), DescribeImages and ListImages (ecr_images.hpp),
// BatchGetImage (ecr_batch_get_image.hpp), CreateRepository, DeleteRepository and
// PutImageTagMutability (ecr_repository_admin.hpp), BatchDeleteImage (ecr_image_deletion.hpp),
// PutImage (ecr_put_image.hpp), BatchCheckLayerAvailability and GetDownloadUrlForLayer
// (ecr_layers.hpp) and the layer upload operations (ecr_layer_uploads.hpp); any other target is
// UnknownOperationException.
//
// Each request: read the body (AwsOptions::max_request_bytes, or max_content_request_bytes for
// the operations that carry a layer part or a manifest), authenticate the signature and the
// sealed session, then run the operation on the blocking pool (SQLite, role policies), which
// authorises it against the role's policies. Responses are `application/x-amz-json-1.1` with
// epoch-second timestamps; errors are AWS's `{"__type", "message"}` (aws_error.hpp). Every
// response carries x-amzn-RequestId.
//
//   EcrFrontDoor ecr(options, permissions, metadata, blobs, keys, blocking, audit);
//   if (request.headers.get("X-Amz-Target").value_or("").starts_with(EcrFrontDoor::kTargetPrefix))
//     response = co_await ecr.handle(request);
//
// Thread-safe: handle may run on several io threads at once. The referenced objects must outlive it.
#pragma once

#include <boost/asio/thread_pool.hpp>

#include <cstddef>
#include <string_view>

#include "auth/key_ring.hpp"
#include "auth/role_permissions.hpp"
#include "aws/aws_options.hpp"
#include "aws/ecr_operation.hpp"
#include "http/message.hpp"
#include "metadata/audit_batcher.hpp"
#include "metadata/metadata_store.hpp"

namespace berth::aws {

class EcrFrontDoor {
 public:
  static constexpr std::string_view kTargetPrefix = "AmazonEC2ContainerRegistry_V20150921.";

  EcrFrontDoor(const AwsOptions& options, auth::RolePermissions& permissions, metadata::MetadataStore& metadata,
               storage::BlobStore& blobs, const auth::KeyRing& keys, boost::asio::thread_pool& blocking,
               metadata::AuditBatcher& audit);
  EcrFrontDoor(const EcrFrontDoor&) = delete;
  EcrFrontDoor& operator=(const EcrFrontDoor&) = delete;

  http::Task<http::Response> handle(http::Request& request);

 private:
  // `operation` is null when the target names none berth serves.
  http::Task<Result<nlohmann::json>> serve(http::Request& request, EcrOperation operation, std::size_t max_body);

  const AwsOptions options_;
  EcrServices services_;  // refers to options_
  boost::asio::thread_pool& blocking_;
  metadata::AuditBatcher& audit_;
};

}  // namespace berth::aws

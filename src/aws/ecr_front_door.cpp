#include "aws/ecr_front_door.hpp"

#include <array>
#include <chrono>
#include <string>

#include "aws/aws_error.hpp"
#include "aws/ecr_batch_get_image.hpp"
#include "aws/ecr_image_deletion.hpp"
#include "aws/ecr_images.hpp"
#include "aws/ecr_layer_uploads.hpp"
#include "aws/ecr_layers.hpp"
#include "aws/ecr_lifecycle_policies.hpp"
#include "aws/ecr_login.hpp"
#include "aws/ecr_put_image.hpp"
#include "aws/ecr_repositories.hpp"
#include "aws/ecr_repository_admin.hpp"
#include "aws/ecr_repository_policies.hpp"
#include "aws/ecr_resource_tags.hpp"
#include "aws/signed_request.hpp"
#include "common/offload.hpp"

namespace berth::aws {
namespace {

constexpr std::string_view kContentType = "application/x-amz-json-1.1";

struct OperationEntry {
  std::string_view name;
  std::string_view route;  // for metrics
  EcrOperation run;
  bool carries_content = false;  // a layer part or a manifest: AwsOptions::max_content_request_bytes
};

constexpr OperationEntry kUnknownOperation{"", "ecr_unknown", nullptr};

// An operation that only reads answers with its document alone.
template <Result<nlohmann::json> (*read)(EcrServices&, const EcrCall&, std::string_view)>
Result<EcrOutput> reading(EcrServices& services, const EcrCall& call, std::string_view body) {
  Result<nlohmann::json> document = read(services, call, body);
  if (!document) return std::move(document).error();
  return EcrOutput{std::move(*document), {}};
}

constexpr std::array<OperationEntry, 27> kOperations{{
    {"GetAuthorizationToken", "ecr_get_authorization_token", &get_authorization_token},
    {"DescribeRepositories", "ecr_describe_repositories", &reading<&describe_repositories>},
    {"DescribeImages", "ecr_describe_images", &reading<&describe_images>},
    {"ListImages", "ecr_list_images", &reading<&list_images>},
    {"BatchGetImage", "ecr_batch_get_image", &reading<&batch_get_image>},
    {"CreateRepository", "ecr_create_repository", &create_repository},
    {"DeleteRepository", "ecr_delete_repository", &delete_repository},
    {"PutImageTagMutability", "ecr_put_image_tag_mutability", &put_image_tag_mutability},
    {"BatchDeleteImage", "ecr_batch_delete_image", &batch_delete_image},
    {"PutImage", "ecr_put_image", &put_image, true},
    {"BatchCheckLayerAvailability", "ecr_batch_check_layer_availability", &reading<&batch_check_layer_availability>},
    {"GetDownloadUrlForLayer", "ecr_get_download_url_for_layer", &reading<&get_download_url_for_layer>},
    {"InitiateLayerUpload", "ecr_initiate_layer_upload", &reading<&initiate_layer_upload>},
    {"UploadLayerPart", "ecr_upload_layer_part", &reading<&upload_layer_part>, true},
    {"CompleteLayerUpload", "ecr_complete_layer_upload", &reading<&complete_layer_upload>},
    {"PutImageScanningConfiguration", "ecr_put_image_scanning_configuration", &put_image_scanning_configuration},
    {"PutLifecyclePolicy", "ecr_put_lifecycle_policy", &put_lifecycle_policy},
    {"GetLifecyclePolicy", "ecr_get_lifecycle_policy", &reading<&get_lifecycle_policy>},
    {"DeleteLifecyclePolicy", "ecr_delete_lifecycle_policy", &delete_lifecycle_policy},
    {"StartLifecyclePolicyPreview", "ecr_start_lifecycle_policy_preview", &reading<&start_lifecycle_policy_preview>},
    {"GetLifecyclePolicyPreview", "ecr_get_lifecycle_policy_preview", &reading<&get_lifecycle_policy_preview>},
    {"TagResource", "ecr_tag_resource", &tag_resource},
    {"UntagResource", "ecr_untag_resource", &untag_resource},
    {"ListTagsForResource", "ecr_list_tags_for_resource", &reading<&list_tags_for_resource>},
    {"SetRepositoryPolicy", "ecr_set_repository_policy", &set_repository_policy},
    {"GetRepositoryPolicy", "ecr_get_repository_policy", &reading<&get_repository_policy>},
    {"DeleteRepositoryPolicy", "ecr_delete_repository_policy", &delete_repository_policy},
}};

const OperationEntry& operation_for(std::optional<std::string_view> target) {
  if (!target || !target->starts_with(EcrFrontDoor::kTargetPrefix)) return kUnknownOperation;
  const std::string_view name = target->substr(EcrFrontDoor::kTargetPrefix.size());
  for (const OperationEntry& entry : kOperations) {
    if (entry.name == name) return entry;
  }
  return kUnknownOperation;
}

}  // namespace

EcrFrontDoor::EcrFrontDoor(const AwsOptions& options, auth::RolePermissions& permissions,
                           metadata::MetadataStore& metadata, storage::BlobStore& blobs, const auth::KeyRing& keys,
                           boost::asio::thread_pool& blocking, metadata::AuditBatcher& audit)
    : options_(options),
      services_{options_, permissions, metadata, blobs, keys},
      blocking_(blocking),
      audit_(audit) {}

http::Task<http::Response> EcrFrontDoor::handle(http::Request& request) {
  const std::string request_id = new_request_id();
  const OperationEntry& operation = operation_for(request.headers.get("X-Amz-Target"));
  const std::size_t max_body =
      operation.carries_content ? options_.max_content_request_bytes : options_.max_request_bytes;
  Result<nlohmann::json> output = co_await serve(request, operation.run, max_body);
  http::Response response;
  if (output) {
    // Manifests were validated as JSON when pushed; replacing stays safe should one not be UTF-8.
    response = http::Response::json(200, output->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                                    std::string(kContentType));
    add_aws_headers(response, request_id);
  } else {
    response = ecr_error_response(output.error(), request_id);
  }
  response.route = std::string(operation.route);
  co_return response;
}

http::Task<Result<nlohmann::json>> EcrFrontDoor::serve(http::Request& request, EcrOperation operation,
                                                       std::size_t max_body) {
  Result<std::string> body = co_await request.body->read_all(max_body);
  if (!body) co_return std::move(body).error();
  const auto now = std::chrono::system_clock::now();
  Result<auth::SessionClaims> session =
      authenticate_signed_request(request, *body, "ecr", services_.keys, services_.metadata, options_, now);
  if (!session) co_return std::move(session).error();
  if (operation == nullptr) {
    co_return make_error(ErrorCode::aws_unknown_operation,
                         "Unknown operation " + std::string(request.headers.get("X-Amz-Target").value_or("")));
  }
  const EcrCall call{std::move(*session), request.remote_address, now};
  Result<EcrOutput> output =
      co_await offload(blocking_, [this, &call, &body, operation] { return operation(services_, call, *body); });
  if (!output) co_return std::move(output).error();
  for (metadata::AuditEvent& event : output->audit_events) {
    Result<std::int64_t> recorded = co_await audit_.append(std::move(event));
    // A credential that cannot be audited is not handed out, nor a change reported without its record.
    if (!recorded) co_return std::move(recorded).error();
  }
  co_return std::move(output->document);
}

}  // namespace berth::aws

#include "aws/ecr_layer_uploads.hpp"

#include <string>
#include <vector>

#include "common/base64.hpp"
#include "common/digest.hpp"
#include "registry/upload_session.hpp"

namespace berth::aws {
namespace {

// botocore's model bound on `layerPartBlob`.
constexpr std::int64_t kMaxLayerPartBytes = 20971520;
constexpr std::size_t kMaxLayerDigests = 100;
// ECR's maximum layer size quota (52,000 MiB) bounds the byte positions a part may name.
constexpr std::int64_t kMaxLayerBytes = 52000LL * 1024 * 1024;

struct SessionCall {
  std::string repository;
  std::string upload_id;
};

// The repository (allowed `action`, existing) and the upload session of `input`, which must be one
// of that repository's.
Result<SessionCall> open_session(EcrServices& services, const EcrCall& call, const EcrJsonInput& input,
                                 std::string_view action) {
  Result<std::string> repository = open_repository(services, call, input, action);
  if (!repository) return std::move(repository).error();
  Result<std::string> id = input.required_string("uploadId");
  if (!id) return std::move(id).error();
  Status found = registry::find_upload_session(services.metadata, *repository, *id);
  if (!found) {
    if (found.error().code != ErrorCode::blob_upload_unknown) return std::move(found).error();
    return make_error(ErrorCode::aws_upload_not_found, "The upload with id '" + *id +
                                                           "' does not exist in the repository with name '" +
                                                           *repository + "'");
  }
  return SessionCall{std::move(*repository), std::move(*id)};
}

nlohmann::json session_json(const EcrServices& services, const SessionCall& session) {
  return nlohmann::json{{"registryId", services.options.account.account_id},
                        {"repositoryName", session.repository},
                        {"uploadId", session.upload_id}};
}

Error invalid_part(const SessionCall& session, std::uint64_t received, std::string why) {
  return make_error(ErrorCode::aws_invalid_layer_part,
                    why + "; the upload with id '" + session.upload_id + "' has " + std::to_string(received) +
                        " bytes, so the next part starts at byte " + std::to_string(received));
}

// The one digest CompleteLayerUpload names: berth publishes one layer per upload, so several
// different digests cannot all be right.
Result<Digest> completed_digest(const EcrJsonInput& input) {
  Result<std::optional<std::vector<std::string>>> digests = input.strings("layerDigests", 1, kMaxLayerDigests);
  if (!digests) return std::move(digests).error();
  if (!digests->has_value()) return input.invalid("layerDigests", "Member must not be null");
  for (const std::string& text : **digests) {
    if (text != (**digests).front()) return input.invalid("layerDigests", "Member must name one layer digest");
  }
  Result<Digest> digest = Digest::parse((**digests).front());
  if (!digest) return input.invalid("layerDigests", "Member must hold digests such as sha256:<64 hex digits>");
  return digest;
}

}  // namespace

Result<nlohmann::json> initiate_layer_upload(EcrServices& services, const EcrCall& call, std::string_view body) {
  Result<EcrJsonInput> input = EcrJsonInput::parse(body, {"registryId", "repositoryName"});
  if (!input) return std::move(input).error();
  Result<std::string> repository = open_repository(services, call, *input, "ecr:InitiateLayerUpload");
  if (!repository) return std::move(repository).error();
  Result<std::string> id = registry::open_upload_session(services.metadata, services.blobs, *repository);
  if (!id) return std::move(id).error();
  return nlohmann::json{{"uploadId", *id}, {"partSize", kAdvisedLayerPartSize}};
}

Result<nlohmann::json> upload_layer_part(EcrServices& services, const EcrCall& call, std::string_view body) {
  Result<EcrJsonInput> input = EcrJsonInput::parse(
      body, {"registryId", "repositoryName", "uploadId", "partFirstByte", "partLastByte", "layerPartBlob"});
  if (!input) return std::move(input).error();
  Result<SessionCall> session = open_session(services, call, *input, "ecr:UploadLayerPart");
  if (!session) return std::move(session).error();
  Result<std::optional<std::int64_t>> first = input->integer("partFirstByte", 0, kMaxLayerBytes);
  if (!first) return std::move(first).error();
  Result<std::optional<std::int64_t>> last = input->integer("partLastByte", 0, kMaxLayerBytes);
  if (!last) return std::move(last).error();
  if (!*first) return input->invalid("partFirstByte", "Member must not be null");
  if (!*last) return input->invalid("partLastByte", "Member must not be null");
  Result<std::string> encoded = input->required_string("layerPartBlob");
  if (!encoded) return std::move(encoded).error();
  Result<std::string> part = base64::decode(*encoded);
  if (!part) return input->invalid("layerPartBlob", "Member must be base64");
  if (part->empty() || static_cast<std::int64_t>(part->size()) > kMaxLayerPartBytes) {
    return input->invalid("layerPartBlob", "Member must have length between 1 and 20971520");
  }

  Result<std::unique_ptr<storage::UploadWriter>> writer = services.blobs.open_upload(session->upload_id);
  if (!writer) return std::move(writer).error();
  const std::uint64_t received = (*writer)->size();
  if (static_cast<std::uint64_t>(**first) != received) {
    return invalid_part(*session, received, "The part starts at byte " + std::to_string(**first));
  }
  if (**last - **first + 1 != static_cast<std::int64_t>(part->size())) {
    return invalid_part(*session, received,
                        "The part names bytes " + std::to_string(**first) + " to " + std::to_string(**last) +
                            " but holds " + std::to_string(part->size()) + " bytes");
  }
  BERTH_TRY((*writer)->append(part->data(), part->size()));
  nlohmann::json output = session_json(services, *session);
  output["lastByteReceived"] = (*writer)->size() - 1;
  return output;
}

Result<nlohmann::json> complete_layer_upload(EcrServices& services, const EcrCall& call, std::string_view body) {
  Result<EcrJsonInput> input =
      EcrJsonInput::parse(body, {"registryId", "repositoryName", "uploadId", "layerDigests"});
  if (!input) return std::move(input).error();
  Result<SessionCall> session = open_session(services, call, *input, "ecr:CompleteLayerUpload");
  if (!session) return std::move(session).error();
  Result<Digest> digest = completed_digest(*input);
  if (!digest) return std::move(digest).error();

  Result<std::uint64_t> size = services.blobs.upload_size(session->upload_id);
  if (!size) return std::move(size).error();
  if (*size == 0) {
    return make_error(ErrorCode::aws_empty_upload,
                      "The upload with id '" + session->upload_id + "' does not contain any layer parts");
  }
  // ECR refuses to complete a layer the repository already holds; the session is of no further use.
  Result<std::optional<std::uint64_t>> linked = services.metadata.linked_blob(session->repository, *digest);
  if (!linked) return std::move(linked).error();
  if (*linked) {
    registry::discard_upload_session(services.metadata, services.blobs, session->upload_id);
    return make_error(ErrorCode::aws_layer_already_exists, "The layer " + digest->str() +
                                                               " already exists in the repository with name '" +
                                                               session->repository + "'");
  }
  Result<std::uint64_t> published =
      registry::publish_upload(services.metadata, services.blobs, session->repository, session->upload_id, *digest);
  if (!published) {
    if (published.error().code != ErrorCode::digest_invalid) return std::move(published).error();
    return make_error(ErrorCode::aws_invalid_layer, "The layer digest calculated for the upload with id '" +
                                                        session->upload_id + "' does not match " + digest->str());
  }
  nlohmann::json output = session_json(services, *session);
  output["layerDigest"] = digest->str();
  return output;
}

}  // namespace berth::aws

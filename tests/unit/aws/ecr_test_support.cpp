#include "aws/ecr_test_support.hpp"

#include "auth/auth_fixtures.hpp"

namespace berth::aws::test {
namespace {

std::unique_ptr<metadata::SqliteMetadataStore> open_store(const std::filesystem::path& directory) {
  auto store = metadata::SqliteMetadataStore::open(directory / "berth.db");
  if (!store) throw std::runtime_error(store.error().message);
  return std::move(*store);
}

std::unique_ptr<storage::FsBlobStore> open_blobs(const std::filesystem::path& directory) {
  auto blobs = storage::FsBlobStore::open(directory / "blobs");
  if (!blobs) throw std::runtime_error(blobs.error().message);
  return std::move(*blobs);
}

AwsOptions ecr_options() {
  AwsOptions options;
  options.account = {std::string(kAccount), std::string(kRegion)};
  options.public_url = "https://registry.example.test:5000";
  return options;
}

}  // namespace

EcrTest::EcrTest()
    : metadata_(open_store(dir_.path())),
      blobs_(open_blobs(dir_.path())),
      audit_(*metadata_),
      keys_(*auth::RingKey::from_bytes(std::string(auth::kKeySize, 'k'))),
      options_(ecr_options()),
      permissions_(*metadata_, options_.account),
      ecr_(options_, permissions_, *metadata_, *blobs_, keys_, blocking_, audit_) {
  put_role(kPushRole, {auth::fixtures::kMojPushPolicy});
  EXPECT_TRUE(metadata_->create_repository(kRepository).ok());
}

void EcrTest::put_role(std::string_view name, const std::vector<std::string_view>& policies,
                       std::chrono::seconds max_session) {
  nlohmann::json documents = nlohmann::json::array();
  for (std::string_view policy : policies) documents.push_back(nlohmann::json::parse(policy));
  metadata::RoleRecord role{
      std::string(name), R"({"Version":"2012-10-17","Statement":[]})", documents.dump(), max_session.count(), 0, 0};
  ASSERT_TRUE(metadata_->put_role(role).ok());
}

auth::SessionClaims EcrTest::session_of(std::string_view role_name, std::chrono::sys_seconds issued) {
  auth::SessionClaims session = auth::fixtures::github_session(issued);
  session.role_arn = auth::role_arn(role_name, {std::string(kAccount), std::string(kRegion)});
  return session;
}

auth::SessionClaims EcrTest::fresh_session(std::string_view role_name) {
  const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  return session_of(role_name, now - std::chrono::minutes(1));
}

TestRequest EcrTest::signed_request(std::string_view operation, std::string body, const auth::SessionClaims& session) {
  TestRequest request =
      make_request(http::Method::post, "/", std::move(body),
                   {{"Content-Type", "application/x-amz-json-1.1"},
                    {"X-Amz-Target", std::string(EcrFrontDoor::kTargetPrefix) + std::string(operation)}},
                   "api.ecr.eu-west-2.amazonaws.com");
  Result<std::string> token = auth::seal_session(keys_, session);
  EXPECT_TRUE(token.ok());
  sign(request, {session.access_key_id, session.secret_access_key, token.ok() ? *token : ""}, kRegion, "ecr",
       std::chrono::system_clock::now());
  return request;
}

http::Response EcrTest::send(TestRequest& request) { return run(ecr_.handle(request.request)); }

http::Response EcrTest::call(std::string_view operation, std::string body, std::optional<auth::SessionClaims> session) {
  TestRequest request = signed_request(operation, std::move(body), session ? *session : fresh_session());
  return send(request);
}

Digest EcrTest::link(std::string_view repository, std::string_view content, std::uint64_t size) {
  Digest digest = Hasher::of(content);
  EXPECT_TRUE(metadata_->link_blob(repository, digest, size).ok());
  return digest;
}

Digest EcrTest::push(std::string_view repository, std::string content, std::string_view media_type,
                     const std::vector<metadata::ManifestReference>& references, std::optional<std::string_view> tag,
                     std::int64_t created_unix) {
  Digest digest = Hasher::of(content);
  metadata::ManifestRecord record{
      std::string(repository), digest, std::string(media_type), std::move(content), std::nullopt, "", "", created_unix, std::nullopt};
  Status stored = metadata_->put_manifest(record, references, tag);
  EXPECT_TRUE(stored.ok()) << stored.error().message;
  return digest;
}

Digest EcrTest::push_image(std::string_view repository, std::string_view name, std::uint64_t layer_size,
                           std::optional<std::string_view> tag) {
  Digest config = link(repository, std::string(name) + " config", 100);
  Digest layer = link(repository, std::string(name) + " layer", layer_size);
  const nlohmann::json manifest{
      {"schemaVersion", 2},
      {"mediaType", kOciManifest},
      {"config", {{"mediaType", "application/vnd.oci.image.config.v1+json"}, {"digest", config.str()}, {"size", 100}}},
      {"layers",
       {{{"mediaType", "application/vnd.oci.image.layer.v1.tar+gzip"},
         {"digest", layer.str()},
         {"size", layer_size}}}}};
  return push(repository, manifest.dump(), kOciManifest,
              {{config, metadata::ReferenceKind::blob}, {layer, metadata::ReferenceKind::blob}}, tag);
}

nlohmann::json json_of(const http::Response& response) {
  nlohmann::json value = nlohmann::json::parse(body_text(response), nullptr, false);
  EXPECT_FALSE(value.is_discarded()) << body_text(response);
  return value;
}

std::string error_type(const http::Response& response) {
  nlohmann::json value = nlohmann::json::parse(body_text(response), nullptr, false);
  if (!value.is_object() || !value.contains("__type")) return "<not an ECR error>";
  return value["__type"].get<std::string>();
}

std::string error_message(const http::Response& response) {
  nlohmann::json value = nlohmann::json::parse(body_text(response), nullptr, false);
  if (!value.is_object() || !value.contains("message")) return "<no message>";
  return value["message"].get<std::string>();
}

}  // namespace berth::aws::test

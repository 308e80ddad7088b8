#include "registry/registry_test_support.hpp"

#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>

namespace berth::registry::test {

http::Task<Result<std::size_t>> StringBody::read_some(std::span<char> buffer) {
  ++reads_;
  if (fail_after_ && position_ >= *fail_after_) co_return make_error(ErrorCode::internal, "connection reset");
  const std::size_t end = std::min(data_.size(), fail_after_.value_or(data_.size()));
  std::size_t n = std::min({buffer.size(), piece_, end - position_});
  std::copy_n(data_.data() + position_, n, buffer.data());
  position_ += n;
  co_return n;
}

http::Request make_request(http::Method method, const std::string& target, const HeaderList& headers) {
  http::Request request;
  request.method = method;
  request.method_text = std::string(http::method_name(method));
  request.target = target;
  const auto question = target.find('?');
  request.path = target.substr(0, question);
  if (question != std::string::npos) request.raw_query = target.substr(question + 1);
  request.query = http::Query::parse(request.raw_query);
  for (const auto& [name, value] : headers) request.headers.add(name, value);
  request.remote_address = "127.0.0.1:40000";
  return request;
}

std::string header(const http::Response& response, std::string_view name) {
  return std::string(response.headers.get(name).value_or("<absent>"));
}

std::string body_text(const http::Response& response) {
  const auto* body = std::get_if<std::string>(&response.body);
  return body == nullptr ? "<no string body>" : *body;
}

std::string error_code(const http::Response& response) {
  auto json = nlohmann::json::parse(body_text(response), nullptr, false);
  if (!json.is_object() || !json.contains("errors") || !json["errors"].is_array() || json["errors"].empty() ||
      !json["errors"][0].contains("code")) {
    return "<not an OCI error>";
  }
  return json["errors"][0]["code"].get<std::string>();
}

std::string file_body(const http::Response& response) {
  const auto* file = std::get_if<http::FileBody>(&response.body);
  if (file == nullptr) return "<not a file body>";
  std::string out(file->length, '\0');
  const ssize_t n = ::pread(file->fd.get(), out.data(), out.size(), static_cast<off_t>(file->offset));
  if (n != static_cast<ssize_t>(out.size())) return "<short read>";
  return out;
}

void RegistryTest::SetUp() {
  auto blobs = storage::FsBlobStore::open(dir_.path() / "data");
  ASSERT_TRUE(blobs.ok()) << blobs.error().message;
  blobs_ = std::move(blobs).value();
  auto metadata = metadata::SqliteMetadataStore::open(dir_.path() / "berth.db");
  ASSERT_TRUE(metadata.ok()) << metadata.error().message;
  metadata_ = std::move(metadata).value();
  audit_ = std::make_unique<metadata::AuditBatcher>(*metadata_);
  use_options(RegistryOptions{});
}

void RegistryTest::use_options(RegistryOptions options) {
  registry_ = std::make_unique<Registry>(*blobs_, *metadata_, *policy_, blocking_, *audit_, options);
}

void RegistryTest::use_access(auth::AccessPolicy& access) {
  policy_ = &access;
  use_options(RegistryOptions{});
}

http::Response RegistryTest::send(http::Request& request) {
  boost::asio::io_context io;
  std::optional<http::Response> response;
  boost::asio::co_spawn(io, registry_->handle(request), [&](std::exception_ptr error, http::Response result) {
    if (error) std::rethrow_exception(error);
    response = std::move(result);
  });
  io.run();
  EXPECT_TRUE(response.has_value());
  return response ? std::move(*response) : http::Response::empty(599);
}

http::Response RegistryTest::call(http::Method method, const std::string& target, const HeaderList& headers,
                                  std::string body) {
  http::Request request = make_request(method, target, headers);
  const std::uint64_t length = body.size();
  StringBody reader(std::move(body), length);
  request.body = &reader;
  return send(request);
}

Digest RegistryTest::put_blob(std::string_view repository, std::string_view bytes) {
  char id[37];
  std::snprintf(id, sizeof id, "00000000-0000-4000-8000-%012d", ++uploads_);
  const Digest digest = Hasher::of(bytes);
  EXPECT_TRUE(blobs_->create_upload(id).ok());
  {
    auto writer = blobs_->open_upload(id);
    EXPECT_TRUE(writer.ok());
    if (writer.ok()) {
      EXPECT_TRUE((*writer)->append(bytes.data(), bytes.size()).ok());
    }
  }
  auto committed = blobs_->commit_upload(id, digest);
  EXPECT_TRUE(committed.ok()) << (committed.ok() ? "" : committed.error().message);
  EXPECT_TRUE(metadata_->link_blob(repository, digest, bytes.size()).ok());
  return digest;
}

}  // namespace berth::registry::test

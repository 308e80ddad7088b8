// Shared by the registry handler tests: drives Registry::handle end to end on the real filesystem
// blob store and SQLite metadata store in a temp dir, with in-memory request bodies.
//
//   class MyTest : public berth::registry::test::RegistryTest {};
//   TEST_F(MyTest, Works) {
//     auto response = call(http::Method::put, "/v2/team/app/manifests/v1", {{"Content-Type", type}}, bytes);
//     EXPECT_EQ(response.status, 201) << error_code(response);
//   }
#pragma once

#include <gtest/gtest.h>

#include <boost/asio/thread_pool.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "metadata/sqlite_metadata_store.hpp"
#include "registry/registry.hpp"
#include "storage/fs_blob_store.hpp"
#include "storage/scoped_temp_dir.hpp"

namespace berth::registry::test {

// Serves a string as the request body in pieces of at most `piece` bytes; fails after `fail_after`
// bytes when set, as a client that disconnects mid-body.
class StringBody final : public http::BodyReader {
 public:
  // `content_length` nullopt = a chunked body.
  StringBody(std::string data, std::optional<std::uint64_t> content_length, std::size_t piece = 1 << 20,
             std::optional<std::size_t> fail_after = std::nullopt)
      : data_(std::move(data)), content_length_(content_length), piece_(piece), fail_after_(fail_after) {}

  std::optional<std::uint64_t> content_length() const override { return content_length_; }
  http::Task<Result<std::size_t>> read_some(std::span<char> buffer) override;
  // Number of read_some calls so far: 0 proves a handler refused without reading.
  std::size_t reads() const { return reads_; }

 private:
  std::string data_;
  std::optional<std::uint64_t> content_length_;
  std::size_t piece_;
  std::optional<std::size_t> fail_after_;
  std::size_t position_ = 0;
  std::size_t reads_ = 0;
};

// Everyone is let in (as "tester", anonymous when `anonymous`, with `session` as the role session)
// and may do everything, except pull the repositories in `hidden`.
class TestAccess final : public auth::AccessPolicy {
 public:
  Result<auth::Caller> authenticate(std::optional<std::string_view>) override {
    return auth::Caller{"tester", anonymous, session};
  }
  bool allows(const auth::Caller&, std::string_view repository, auth::Action action) override {
    return !(action == auth::Action::pull && hidden.contains(std::string(repository)));
  }
  bool creates_repository_on_push() const override { return true; }
  std::string challenge() const override { return {}; }

  std::set<std::string> hidden;
  bool anonymous = false;
  std::optional<auth::RegistryPasswordClaims> session;
};

using HeaderList = std::vector<std::pair<std::string, std::string>>;

// A request for `target` (path plus optional `?query`), without a body reader.
http::Request make_request(http::Method method, const std::string& target, const HeaderList& headers = {});

// The header's value, or "<absent>".
std::string header(const http::Response& response, std::string_view name);
// The in-memory body, or "<no string body>".
std::string body_text(const http::Response& response);
// The first OCI error code of an error body, or "<not an OCI error>".
std::string error_code(const http::Response& response);
// The bytes a FileBody response would send, or "<not a file body>".
std::string file_body(const http::Response& response);

class RegistryTest : public ::testing::Test {
 protected:
  void SetUp() override;

  // Rebuilds the registry with other options; the stores and the access policy are kept.
  void use_options(RegistryOptions options);
  // Rebuilds the registry with another access policy (which must outlive the test) and default options.
  void use_access(auth::AccessPolicy& access);

  // Runs the request through Registry::handle on a fresh io_context.
  http::Response send(http::Request& request);
  // A request with `body` served by a StringBody (Content-Length = body size).
  http::Response call(http::Method method, const std::string& target, const HeaderList& headers = {},
                      std::string body = {});

  // Publishes `bytes` as a blob through the BlobStore upload API and links it into `repository`.
  Digest put_blob(std::string_view repository, std::string_view bytes);

  berth::test::ScopedTempDir dir_;
  std::unique_ptr<storage::FsBlobStore> blobs_;
  std::unique_ptr<metadata::SqliteMetadataStore> metadata_;
  std::unique_ptr<metadata::AuditBatcher> audit_;
  TestAccess access_;
  auth::AccessPolicy* policy_ = &access_;
  boost::asio::thread_pool blocking_{1};
  std::unique_ptr<Registry> registry_;

 private:
  int uploads_ = 0;
};

}  // namespace berth::registry::test

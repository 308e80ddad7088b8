// BlobHandlers and UploadHandlers through Registry::handle, on the real filesystem blob store and
// SQLite metadata store in a temp dir.
#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "metadata/sqlite_metadata_store.hpp"
#include "registry/registry.hpp"
#include "storage/fs_blob_store.hpp"
#include "storage/scoped_temp_dir.hpp"

namespace berth::registry {
namespace {

// Serves a string in pieces of at most `piece` bytes; fails after `fail_after` bytes when set, as a
// client that disconnects mid-body.
class StringBody final : public http::BodyReader {
 public:
  StringBody(std::string data, std::optional<std::uint64_t> length, std::size_t piece,
             std::optional<std::size_t> fail_after)
      : data_(std::move(data)), length_(length), piece_(piece), fail_after_(fail_after) {}

  std::optional<std::uint64_t> content_length() const override { return length_; }

  http::Task<Result<std::size_t>> read_some(std::span<char> buffer) override {
    if (fail_after_ && position_ >= *fail_after_) co_return make_error(ErrorCode::internal, "connection reset");
    std::size_t end = std::min(data_.size(), fail_after_.value_or(data_.size()));
    std::size_t n = std::min({buffer.size(), piece_, end - position_});
    std::copy_n(data_.data() + position_, n, buffer.data());
    position_ += n;
    co_return n;
  }

 private:
  std::string data_;
  std::optional<std::uint64_t> length_;
  std::size_t piece_;
  std::optional<std::size_t> fail_after_;
  std::size_t position_ = 0;
};

// Everyone may do everything except pull `hidden_`.
class AllButOneRepository final : public auth::AccessPolicy {
 public:
  explicit AllButOneRepository(std::string hidden) : hidden_(std::move(hidden)) {}
  Result<auth::Caller> authenticate(std::optional<std::string_view>) override {
    return auth::Caller{"tester", anonymous};
  }
  bool allows(const auth::Caller&, std::string_view repository, auth::Action action) override {
    return !(repository == hidden_ && action == auth::Action::pull);
  }
  bool creates_repository_on_push() const override { return true; }
  std::string challenge() const override { return {}; }

  bool anonymous = false;

 private:
  std::string hidden_;
};

using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct Call {
  Call(http::Method method, std::string target, HeaderList headers = {}, std::string body = {}, bool chunked = false,
       std::size_t piece = 1 << 20, std::optional<std::size_t> fail_after = std::nullopt)
      : method(method),
        target(std::move(target)),
        headers(std::move(headers)),
        body(std::move(body)),
        chunked(chunked),
        piece(piece),
        fail_after(fail_after) {}

  http::Method method;
  std::string target;  // path + optional query
  HeaderList headers;
  std::string body;
  bool chunked;  // no Content-Length
  std::size_t piece;
  std::optional<std::size_t> fail_after;
};

std::string header(const http::Response& response, std::string_view name) {
  return std::string(response.headers.get(name).value_or("<absent>"));
}

std::string error_code(const http::Response& response) {
  const auto* body = std::get_if<std::string>(&response.body);
  if (body == nullptr) return "<no body>";
  auto json = nlohmann::json::parse(*body, nullptr, false);
  if (json.is_discarded()) return "<not json>";
  return json["errors"][0]["code"].get<std::string>();
}

// The bytes a FileBody response would send.
std::string file_body(const http::Response& response) {
  const auto* file = std::get_if<http::FileBody>(&response.body);
  if (file == nullptr) return "<not a file body>";
  std::string out(file->length, '\0');
  ssize_t n = ::pread(file->fd.get(), out.data(), out.size(), static_cast<off_t>(file->offset));
  if (n != static_cast<ssize_t>(out.size())) return "<short read>";
  return out;
}

std::string digest_of(std::string_view bytes) { return Hasher::of(bytes).str(); }

class BlobUploadHandlersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto blobs = storage::FsBlobStore::open(dir_.path() / "data");
    ASSERT_TRUE(blobs.ok()) << blobs.error().message;
    blobs_ = std::move(blobs).value();
    auto metadata = metadata::SqliteMetadataStore::open(dir_.path() / "berth.db");
    ASSERT_TRUE(metadata.ok()) << metadata.error().message;
    metadata_ = std::move(metadata).value();
    RegistryOptions options;
    options.chunk_min_length = 4096;
    registry_ = std::make_unique<Registry>(*blobs_, *metadata_, access_, blocking_, options);
  }

  http::Response send(Call call) {
    http::Request request;
    request.method = call.method;
    request.target = call.target;
    const auto question = call.target.find('?');
    request.path = call.target.substr(0, question);
    if (question != std::string::npos) request.raw_query = call.target.substr(question + 1);
    request.query = http::Query::parse(request.raw_query);
    for (auto& [name, value] : call.headers) request.headers.add(name, value);
    const std::optional<std::uint64_t> length =
        call.chunked ? std::nullopt : std::optional<std::uint64_t>(call.body.size());
    StringBody body(call.body, length, call.piece, call.fail_after);
    request.body = &body;

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

  // POST a new session; the upload URL.
  std::string start(std::string_view repository) {
    http::Response response = send({http::Method::post, "/v2/" + std::string(repository) + "/blobs/uploads/"});
    EXPECT_EQ(response.status, 202);
    return header(response, "Location");
  }

  // A blob pushed whole with POST + PUT.
  void push(std::string_view repository, const std::string& bytes) {
    const std::string location = start(repository);
    http::Response response = send({http::Method::put, location + "?digest=" + digest_of(bytes), {}, bytes});
    ASSERT_EQ(response.status, 201) << error_code(response);
  }

  test::ScopedTempDir dir_;
  std::unique_ptr<storage::FsBlobStore> blobs_;
  std::unique_ptr<metadata::SqliteMetadataStore> metadata_;
  AllButOneRepository access_{"secret/vault"};
  boost::asio::thread_pool blocking_{1};
  std::unique_ptr<Registry> registry_;
};

TEST_F(BlobUploadHandlersTest, SessionStartAdvertisesTheUpload) {
  http::Response response = send({http::Method::post, "/v2/team/app/blobs/uploads/"});
  ASSERT_EQ(response.status, 202);
  const std::string uuid = header(response, "Docker-Upload-UUID");
  EXPECT_EQ(header(response, "Location"), "/v2/team/app/blobs/uploads/" + uuid);
  EXPECT_EQ(header(response, "Range"), "0-0");
  EXPECT_EQ(header(response, "OCI-Chunk-Min-Length"), "4096");
  EXPECT_TRUE(std::holds_alternative<std::monostate>(response.body));
}

TEST_F(BlobUploadHandlersTest, TwoChunksThenPutPublishesTheBlob) {
  const std::string blob = "hello, chunked world";
  const std::string location = start("team/app");

  http::Response first = send({http::Method::patch, location, {{"Content-Range", "0-6"}}, blob.substr(0, 7)});
  ASSERT_EQ(first.status, 202) << error_code(first);
  EXPECT_EQ(header(first, "Range"), "0-6");
  EXPECT_EQ(header(first, "Location"), location);

  http::Response second = send({http::Method::patch,
                                header(first, "Location"),
                                {{"Content-Range", "7-" + std::to_string(blob.size() - 1)}},
                                blob.substr(7)});
  ASSERT_EQ(second.status, 202) << error_code(second);
  EXPECT_EQ(header(second, "Range"), "0-" + std::to_string(blob.size() - 1));

  http::Response status = send({http::Method::get, location});
  EXPECT_EQ(status.status, 204);
  EXPECT_EQ(header(status, "Range"), "0-" + std::to_string(blob.size() - 1));

  http::Response put = send({http::Method::put, location + "?digest=" + digest_of(blob)});
  ASSERT_EQ(put.status, 201) << error_code(put);
  EXPECT_EQ(header(put, "Location"), "/v2/team/app/blobs/" + digest_of(blob));
  EXPECT_EQ(header(put, "Docker-Content-Digest"), digest_of(blob));

  http::Response get = send({http::Method::get, "/v2/team/app/blobs/" + digest_of(blob)});
  ASSERT_EQ(get.status, 200);
  EXPECT_EQ(file_body(get), blob);
  EXPECT_EQ(header(get, "Docker-Content-Digest"), digest_of(blob));
  EXPECT_EQ(header(get, "Content-Type"), "application/octet-stream");

  EXPECT_EQ(error_code(send({http::Method::get, location})), "BLOB_UPLOAD_UNKNOWN");
}

TEST_F(BlobUploadHandlersTest, StreamedPatchWithoutRangeThenPutWithFinalChunk) {
  const std::string blob(3 * 1024 * 1024 + 17, 'x');
  const std::string location = start("team/app");
  // A chunked body in small pieces, as docker sends a layer.
  http::Response patch = send({http::Method::patch, location, {}, blob.substr(0, 2 * 1024 * 1024), true, 65536});
  ASSERT_EQ(patch.status, 202) << error_code(patch);
  EXPECT_EQ(header(patch, "Range"), "0-" + std::to_string(2 * 1024 * 1024 - 1));

  const std::string rest = blob.substr(2 * 1024 * 1024);
  http::Response put =
      send({http::Method::put,
            location + "?digest=" + digest_of(blob),
            {{"Content-Range", std::to_string(2 * 1024 * 1024) + "-" + std::to_string(blob.size() - 1)}},
            rest});
  ASSERT_EQ(put.status, 201) << error_code(put);
  EXPECT_EQ(file_body(send({http::Method::get, "/v2/team/app/blobs/" + digest_of(blob)})), blob);
}

TEST_F(BlobUploadHandlersTest, MonolithicPost) {
  const std::string blob = "one request";
  http::Response response =
      send({http::Method::post, "/v2/team/app/blobs/uploads/?digest=" + digest_of(blob), {}, blob});
  ASSERT_EQ(response.status, 201) << error_code(response);
  EXPECT_EQ(header(response, "Location"), "/v2/team/app/blobs/" + digest_of(blob));
  EXPECT_EQ(file_body(send({http::Method::get, "/v2/team/app/blobs/" + digest_of(blob)})), blob);
  auto uploads = blobs_->list_uploads();
  ASSERT_TRUE(uploads.ok());
  EXPECT_TRUE(uploads->empty());
}

TEST_F(BlobUploadHandlersTest, MonolithicPostWithWrongDigestLeavesNothing) {
  http::Response response =
      send({http::Method::post, "/v2/team/app/blobs/uploads/?digest=" + digest_of("other"), {}, "content"});
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(error_code(response), "DIGEST_INVALID");
  auto uploads = blobs_->list_uploads();
  ASSERT_TRUE(uploads.ok());
  EXPECT_TRUE(uploads->empty());
  EXPECT_EQ(send({http::Method::get, "/v2/team/app/blobs/" + digest_of("content")}).status, 404);
}

TEST_F(BlobUploadHandlersTest, MonolithicPostWithBadDigestParameter) {
  http::Response response = send({http::Method::post, "/v2/team/app/blobs/uploads/?digest=sha256:nope", {}, "x"});
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(error_code(response), "DIGEST_INVALID");
}

TEST_F(BlobUploadHandlersTest, OutOfOrderChunkIsRefusedWithTheCurrentRange) {
  const std::string location = start("team/app");
  ASSERT_EQ(send({http::Method::patch, location, {{"Content-Range", "0-3"}}, "abcd"}).status, 202);

  http::Response gap = send({http::Method::patch, location, {{"Content-Range", "10-13"}}, "ijkl"});
  EXPECT_EQ(gap.status, 416);
  EXPECT_EQ(error_code(gap), "RANGE_INVALID");
  EXPECT_EQ(header(gap, "Range"), "0-3");
  EXPECT_EQ(header(gap, "Location"), location);

  http::Response repeat = send({http::Method::patch, location, {{"Content-Range", "0-3"}}, "abcd"});
  EXPECT_EQ(repeat.status, 416);

  http::Response garbled = send({http::Method::patch, location, {{"Content-Range", "four-five"}}, "efgh"});
  EXPECT_EQ(garbled.status, 416);

  http::Response next = send({http::Method::patch, location, {{"Content-Range", "4-7"}}, "efgh"});
  ASSERT_EQ(next.status, 202) << error_code(next);
  EXPECT_EQ(header(next, "Range"), "0-7");
  EXPECT_EQ(send({http::Method::put, location + "?digest=" + digest_of("abcdefgh")}).status, 201);
}

TEST_F(BlobUploadHandlersTest, ChunkLengthMustMatchItsRange) {
  const std::string location = start("team/app");
  http::Response response = send({http::Method::patch, location, {{"Content-Range", "0-9"}}, "abcd"});
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(error_code(response), "SIZE_INVALID");
  EXPECT_EQ(header(send({http::Method::get, location}), "Range"), "0-0");
}

TEST_F(BlobUploadHandlersTest, WrongDigestKeepsTheSessionForARetry) {
  const std::string location = start("team/app");
  ASSERT_EQ(send({http::Method::patch, location, {}, "payload"}).status, 202);

  http::Response wrong = send({http::Method::put, location + "?digest=" + digest_of("something else")});
  EXPECT_EQ(wrong.status, 400);
  EXPECT_EQ(error_code(wrong), "DIGEST_INVALID");

  http::Response status = send({http::Method::get, location});
  EXPECT_EQ(status.status, 204);
  EXPECT_EQ(header(status, "Range"), "0-6");

  EXPECT_EQ(send({http::Method::put, location + "?digest=" + digest_of("payload")}).status, 201);
}

TEST_F(BlobUploadHandlersTest, PutWithoutOrWithMalformedDigestIsDigestInvalid) {
  const std::string location = start("team/app");
  http::Response missing = send({http::Method::put, location, {}, "data"});
  EXPECT_EQ(missing.status, 400);
  EXPECT_EQ(error_code(missing), "DIGEST_INVALID");
  http::Response malformed = send({http::Method::put, location + "?digest=md5:abc", {}, "data"});
  EXPECT_EQ(error_code(malformed), "DIGEST_INVALID");
  // Neither consumed the body into the upload.
  EXPECT_EQ(header(send({http::Method::get, location}), "Range"), "0-0");
}

TEST_F(BlobUploadHandlersTest, DisconnectMidChunkKeepsWhatArrived) {
  const std::string location = start("team/app");
  http::Response broken = send({http::Method::patch, location, {}, "0123456789", false, 3, 6});
  EXPECT_NE(broken.status, 202);
  http::Response status = send({http::Method::get, location});
  EXPECT_EQ(status.status, 204);
  EXPECT_EQ(header(status, "Range"), "0-5");
  ASSERT_EQ(send({http::Method::patch, location, {{"Content-Range", "6-9"}}, "6789"}).status, 202);
  EXPECT_EQ(send({http::Method::put, location + "?digest=" + digest_of("0123456789")}).status, 201);
}

TEST_F(BlobUploadHandlersTest, SessionsAreBoundToTheirRepository) {
  const std::string location = start("team/app");
  const std::string uuid = location.substr(location.rfind('/') + 1);
  EXPECT_EQ(error_code(send({http::Method::get, "/v2/team/other/blobs/uploads/" + uuid})), "BLOB_UPLOAD_UNKNOWN");
  EXPECT_EQ(error_code(send({http::Method::patch, "/v2/team/app/blobs/uploads/not-a-uuid", {}, "x"})),
            "BLOB_UPLOAD_UNKNOWN");
  EXPECT_EQ(send({http::Method::get, "/v2/team/app/blobs/uploads/0f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b"}).status, 404);
}

TEST_F(BlobUploadHandlersTest, CancelEndsTheSession) {
  const std::string location = start("team/app");
  ASSERT_EQ(send({http::Method::patch, location, {}, "partial"}).status, 202);
  EXPECT_EQ(send({http::Method::delete_, location}).status, 204);
  EXPECT_EQ(error_code(send({http::Method::get, location})), "BLOB_UPLOAD_UNKNOWN");
  EXPECT_EQ(error_code(send({http::Method::delete_, location})), "BLOB_UPLOAD_UNKNOWN");
  auto uploads = blobs_->list_uploads();
  ASSERT_TRUE(uploads.ok());
  EXPECT_TRUE(uploads->empty());
}

TEST_F(BlobUploadHandlersTest, SameBlobPushedByTwoSessionsAtOnce) {
  const std::string blob = "shared layer";
  const std::string a = start("team/a");
  const std::string b = start("team/b");
  ASSERT_EQ(send({http::Method::patch, a, {}, blob}).status, 202);
  ASSERT_EQ(send({http::Method::patch, b, {}, blob}).status, 202);
  EXPECT_EQ(send({http::Method::put, a + "?digest=" + digest_of(blob)}).status, 201);
  EXPECT_EQ(send({http::Method::put, b + "?digest=" + digest_of(blob)}).status, 201);
  EXPECT_EQ(file_body(send({http::Method::get, "/v2/team/b/blobs/" + digest_of(blob)})), blob);
}

TEST_F(BlobUploadHandlersTest, MountFromReadableRepository) {
  const std::string blob = "base layer";
  push("team/base", blob);
  http::Response mounted =
      send({http::Method::post, "/v2/team/app/blobs/uploads/?mount=" + digest_of(blob) + "&from=team/base"});
  ASSERT_EQ(mounted.status, 201) << error_code(mounted);
  EXPECT_EQ(header(mounted, "Location"), "/v2/team/app/blobs/" + digest_of(blob));
  EXPECT_EQ(header(mounted, "Docker-Content-Digest"), digest_of(blob));
  EXPECT_EQ(file_body(send({http::Method::get, "/v2/team/app/blobs/" + digest_of(blob)})), blob);
}

TEST_F(BlobUploadHandlersTest, MountFallsBackToASessionWhenTheBlobIsNotThere) {
  const std::string blob = "base layer";
  push("team/base", blob);
  for (const std::string& query :
       {"?mount=" + digest_of(blob) + "&from=team/nowhere", "?mount=" + digest_of("absent") + "&from=team/base",
        "?mount=" + digest_of("absent"), std::string("?mount=garbage&from=team/base"),
        "?mount=" + digest_of(blob) + "&from=Not..A..Name"}) {
    http::Response response = send({http::Method::post, "/v2/team/app/blobs/uploads/" + query});
    EXPECT_EQ(response.status, 202) << query;
    EXPECT_NE(header(response, "Docker-Upload-UUID"), "<absent>") << query;
  }
  EXPECT_EQ(send({http::Method::head, "/v2/team/app/blobs/" + digest_of(blob)}).status, 404);
}

TEST_F(BlobUploadHandlersTest, MountNeverReadsARepositoryTheCallerCannotPull) {
  const std::string blob = "secret layer";
  push("secret/vault", blob);
  http::Response response =
      send({http::Method::post, "/v2/team/app/blobs/uploads/?mount=" + digest_of(blob) + "&from=secret/vault"});
  EXPECT_EQ(response.status, 202);
  EXPECT_EQ(send({http::Method::head, "/v2/team/app/blobs/" + digest_of(blob)}).status, 404);
}

TEST_F(BlobUploadHandlersTest, MountWithoutFromFindsAnyKnownBlobForAnonymousCallers) {
  access_.anonymous = true;
  const std::string blob = "well-known layer";
  push("team/base", blob);
  http::Response response = send({http::Method::post, "/v2/team/app/blobs/uploads/?mount=" + digest_of(blob)});
  EXPECT_EQ(response.status, 201);
  EXPECT_EQ(send({http::Method::head, "/v2/team/app/blobs/" + digest_of(blob)}).status, 200);
}

TEST_F(BlobUploadHandlersTest, MountWithoutFromNeverGrantsAnAuthenticatedCallerAnotherRepositorysBlob) {
  const std::string blob = "another team's layer";
  push("other/base", blob);
  http::Response response = send({http::Method::post, "/v2/team/app/blobs/uploads/?mount=" + digest_of(blob)});
  EXPECT_EQ(response.status, 202);
  EXPECT_EQ(send({http::Method::head, "/v2/team/app/blobs/" + digest_of(blob)}).status, 404);
}

TEST_F(BlobUploadHandlersTest, GetHonoursOneRange) {
  const std::string blob = "0123456789";
  push("team/app", blob);
  const std::string url = "/v2/team/app/blobs/" + digest_of(blob);

  http::Response middle = send({http::Method::get, url, {{"Range", "bytes=2-5"}}});
  EXPECT_EQ(middle.status, 206);
  EXPECT_EQ(header(middle, "Content-Range"), "bytes 2-5/10");
  EXPECT_EQ(file_body(middle), "2345");

  http::Response suffix = send({http::Method::get, url, {{"Range", "bytes=-3"}}});
  EXPECT_EQ(suffix.status, 206);
  EXPECT_EQ(file_body(suffix), "789");

  http::Response beyond = send({http::Method::get, url, {{"Range", "bytes=10-"}}});
  EXPECT_EQ(beyond.status, 416);
  EXPECT_EQ(header(beyond, "Content-Range"), "bytes */10");

  http::Response several = send({http::Method::get, url, {{"Range", "bytes=0-1,4-5"}}});
  EXPECT_EQ(several.status, 200);
  EXPECT_EQ(file_body(several), blob);
  EXPECT_EQ(header(several, "Accept-Ranges"), "bytes");
  EXPECT_EQ(header(several, "Etag"), "\"" + digest_of(blob) + "\"");
}

TEST_F(BlobUploadHandlersTest, HeadAnnouncesTheSizeWithoutABody) {
  const std::string blob = "sized";
  push("team/app", blob);
  http::Response head = send({http::Method::head, "/v2/team/app/blobs/" + digest_of(blob)});
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.content_length, std::optional<std::uint64_t>(blob.size()));
  EXPECT_TRUE(std::holds_alternative<std::monostate>(head.body));
  EXPECT_EQ(header(head, "Docker-Content-Digest"), digest_of(blob));
}

TEST_F(BlobUploadHandlersTest, GetOfUnknownOrUnlinkedOrMalformedDigest) {
  push("team/app", "linked here");
  ASSERT_EQ(send({http::Method::post, "/v2/team/other/blobs/uploads/"}).status, 202);
  EXPECT_EQ(error_code(send({http::Method::get, "/v2/team/other/blobs/" + digest_of("linked here")})), "BLOB_UNKNOWN");
  EXPECT_EQ(error_code(send({http::Method::get, "/v2/team/app/blobs/" + digest_of("never pushed")})), "BLOB_UNKNOWN");
  http::Response malformed = send({http::Method::get, "/v2/team/app/blobs/sha256:XYZ"});
  EXPECT_EQ(malformed.status, 400);
  EXPECT_EQ(error_code(malformed), "DIGEST_INVALID");
}

TEST_F(BlobUploadHandlersTest, DeleteUnlinksAndReclaimsUnusedBytes) {
  const std::string shared = "in two repositories";
  const std::string lonely = "in one repository";
  push("team/a", shared);
  push("team/b", shared);
  push("team/a", lonely);

  EXPECT_EQ(send({http::Method::delete_, "/v2/team/a/blobs/" + digest_of(shared)}).status, 202);
  EXPECT_EQ(send({http::Method::head, "/v2/team/a/blobs/" + digest_of(shared)}).status, 404);
  EXPECT_EQ(send({http::Method::head, "/v2/team/b/blobs/" + digest_of(shared)}).status, 200);

  EXPECT_EQ(send({http::Method::delete_, "/v2/team/a/blobs/" + digest_of(lonely)}).status, 202);
  auto stored = blobs_->stat(Digest::parse(digest_of(lonely)).value());
  ASSERT_TRUE(stored.ok());
  EXPECT_FALSE(stored->has_value());

  EXPECT_EQ(error_code(send({http::Method::delete_, "/v2/team/a/blobs/" + digest_of(lonely)})), "BLOB_UNKNOWN");
}

}  // namespace
}  // namespace berth::registry

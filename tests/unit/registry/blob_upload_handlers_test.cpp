// BlobHandlers and UploadHandlers through Registry::handle, on the real filesystem blob store and
// SQLite metadata store in a temp dir.
#include <gtest/gtest.h>

#include <limits>
#include <span>

#include <utility>

#include "registry/registry_test_support.hpp"

namespace berth::registry {
namespace {

using test::error_code;
using test::file_body;
using test::header;

std::string digest_of(std::string_view bytes) { return Hasher::of(bytes).str(); }

class BlobUploadHandlersTest : public test::RegistryTest {
 protected:
  void SetUp() override {
    RegistryTest::SetUp();
    if (HasFatalFailure()) return;
    access_.hidden = {"secret/vault"};
    RegistryOptions options;
    options.chunk_min_length = 4096;
    use_options(options);
  }

  // POST a new session; the upload URL.
  std::string start(std::string_view repository) {
    http::Response response = call(http::Method::post, "/v2/" + std::string(repository) + "/blobs/uploads/");
    EXPECT_EQ(response.status, 202);
    return header(response, "Location");
  }

  // A blob pushed whole with POST + PUT.
  void push(std::string_view repository, const std::string& bytes) {
    const std::string location = start(repository);
    http::Response response = call(http::Method::put, location + "?digest=" + digest_of(bytes), {}, bytes);
    ASSERT_EQ(response.status, 201) << error_code(response);
  }

  // Pushes `blob` to `source`, then asks to mount it into team/app (from `from` when not empty): the
  // mount's status, then the status of a HEAD of the blob in team/app.
  std::pair<int, int> mount_elsewhere(std::string_view source, const std::string& blob, const std::string& from) {
    push(source, blob);
    const std::string query = "?mount=" + digest_of(blob) + (from.empty() ? "" : "&from=" + from);
    const int mounted = call(http::Method::post, "/v2/team/app/blobs/uploads/" + query).status;
    return {mounted, call(http::Method::head, "/v2/team/app/blobs/" + digest_of(blob)).status};
  }
};

TEST_F(BlobUploadHandlersTest, SessionStartAdvertisesTheUpload) {
  http::Response response = call(http::Method::post, "/v2/team/app/blobs/uploads/");
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

  http::Response first = call(http::Method::patch, location, {{"Content-Range", "0-6"}}, blob.substr(0, 7));
  ASSERT_EQ(first.status, 202) << error_code(first);
  EXPECT_EQ(header(first, "Range"), "0-6");
  EXPECT_EQ(header(first, "Location"), location);

  http::Response second = call(http::Method::patch, header(first, "Location"),
                               {{"Content-Range", "7-" + std::to_string(blob.size() - 1)}}, blob.substr(7));
  ASSERT_EQ(second.status, 202) << error_code(second);
  EXPECT_EQ(header(second, "Range"), "0-" + std::to_string(blob.size() - 1));

  http::Response status = call(http::Method::get, location);
  EXPECT_EQ(status.status, 204);
  EXPECT_EQ(header(status, "Range"), "0-" + std::to_string(blob.size() - 1));

  http::Response put = call(http::Method::put, location + "?digest=" + digest_of(blob));
  ASSERT_EQ(put.status, 201) << error_code(put);
  EXPECT_EQ(header(put, "Location"), "/v2/team/app/blobs/" + digest_of(blob));
  EXPECT_EQ(header(put, "Docker-Content-Digest"), digest_of(blob));

  http::Response get = call(http::Method::get, "/v2/team/app/blobs/" + digest_of(blob));
  ASSERT_EQ(get.status, 200);
  EXPECT_EQ(file_body(get), blob);
  EXPECT_EQ(header(get, "Docker-Content-Digest"), digest_of(blob));
  EXPECT_EQ(header(get, "Content-Type"), "application/octet-stream");

  EXPECT_EQ(error_code(call(http::Method::get, location)), "BLOB_UPLOAD_UNKNOWN");
}

TEST_F(BlobUploadHandlersTest, StreamedPatchWithoutRangeThenPutWithFinalChunk) {
  const std::string blob(3 * 1024 * 1024 + 17, 'x');
  const std::string location = start("team/app");
  // A chunked body in small pieces, as docker sends a layer.
  http::Request request = test::make_request(http::Method::patch, location);
  test::StringBody chunked(blob.substr(0, 2 * 1024 * 1024), std::nullopt, 65536);
  request.body = &chunked;
  http::Response patch = send(request);
  ASSERT_EQ(patch.status, 202) << error_code(patch);
  EXPECT_EQ(header(patch, "Range"), "0-" + std::to_string(2 * 1024 * 1024 - 1));

  const std::string rest = blob.substr(2 * 1024 * 1024);
  http::Response put =
      call(http::Method::put, location + "?digest=" + digest_of(blob),
           {{"Content-Range", std::to_string(2 * 1024 * 1024) + "-" + std::to_string(blob.size() - 1)}}, rest);
  ASSERT_EQ(put.status, 201) << error_code(put);
  EXPECT_EQ(file_body(call(http::Method::get, "/v2/team/app/blobs/" + digest_of(blob))), blob);
}

TEST_F(BlobUploadHandlersTest, MonolithicPost) {
  const std::string blob = "one request";
  http::Response response = call(http::Method::post, "/v2/team/app/blobs/uploads/?digest=" + digest_of(blob), {}, blob);
  ASSERT_EQ(response.status, 201) << error_code(response);
  EXPECT_EQ(header(response, "Location"), "/v2/team/app/blobs/" + digest_of(blob));
  EXPECT_EQ(file_body(call(http::Method::get, "/v2/team/app/blobs/" + digest_of(blob))), blob);
  auto uploads = blobs_->list_uploads();
  ASSERT_TRUE(uploads.ok());
  EXPECT_TRUE(uploads->empty());
}

TEST_F(BlobUploadHandlersTest, MonolithicPostWithWrongDigestLeavesNothing) {
  http::Response response =
      call(http::Method::post, "/v2/team/app/blobs/uploads/?digest=" + digest_of("other"), {}, "content");
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(error_code(response), "DIGEST_INVALID");
  auto uploads = blobs_->list_uploads();
  ASSERT_TRUE(uploads.ok());
  EXPECT_TRUE(uploads->empty());
  EXPECT_EQ(call(http::Method::get, "/v2/team/app/blobs/" + digest_of("content")).status, 404);
}

TEST_F(BlobUploadHandlersTest, MonolithicPostWithBadDigestParameter) {
  http::Response response = call(http::Method::post, "/v2/team/app/blobs/uploads/?digest=sha256:nope", {}, "x");
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(error_code(response), "DIGEST_INVALID");
}

TEST_F(BlobUploadHandlersTest, OutOfOrderChunkIsRefusedWithTheCurrentRange) {
  const std::string location = start("team/app");
  ASSERT_EQ(call(http::Method::patch, location, {{"Content-Range", "0-3"}}, "abcd").status, 202);

  http::Response gap = call(http::Method::patch, location, {{"Content-Range", "10-13"}}, "ijkl");
  EXPECT_EQ(gap.status, 416);
  EXPECT_EQ(error_code(gap), "RANGE_INVALID");
  EXPECT_EQ(header(gap, "Range"), "0-3");
  EXPECT_EQ(header(gap, "Location"), location);

  http::Response repeat = call(http::Method::patch, location, {{"Content-Range", "0-3"}}, "abcd");
  EXPECT_EQ(repeat.status, 416);

  http::Response garbled = call(http::Method::patch, location, {{"Content-Range", "four-five"}}, "efgh");
  EXPECT_EQ(garbled.status, 416);

  // `Range` request syntax where the upload syntax belongs, even starting at the right offset.
  for (std::string_view range : {"bytes=4-7", "bytes 4-7/8", "bytes 4-7/*"}) {
    http::Response refused = call(http::Method::patch, location, {{"Content-Range", std::string(range)}}, "efgh");
    EXPECT_EQ(refused.status, 416) << range;
    EXPECT_EQ(error_code(refused), "RANGE_INVALID") << range;
    EXPECT_EQ(header(refused, "Range"), "0-3") << range;
  }

  http::Response next = call(http::Method::patch, location, {{"Content-Range", "4-7"}}, "efgh");
  ASSERT_EQ(next.status, 202) << error_code(next);
  EXPECT_EQ(header(next, "Range"), "0-7");
  EXPECT_EQ(call(http::Method::put, location + "?digest=" + digest_of("abcdefgh")).status, 201);
}

TEST_F(BlobUploadHandlersTest, ChunkLengthMustMatchItsRange) {
  const std::string location = start("team/app");
  http::Response response = call(http::Method::patch, location, {{"Content-Range", "0-9"}}, "abcd");
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(error_code(response), "SIZE_INVALID");
  EXPECT_EQ(header(call(http::Method::get, location), "Range"), "0-0");
}

TEST_F(BlobUploadHandlersTest, WrongDigestKeepsTheSessionForARetry) {
  const std::string location = start("team/app");
  ASSERT_EQ(call(http::Method::patch, location, {}, "payload").status, 202);

  http::Response wrong = call(http::Method::put, location + "?digest=" + digest_of("something else"));
  EXPECT_EQ(wrong.status, 400);
  EXPECT_EQ(error_code(wrong), "DIGEST_INVALID");

  http::Response status = call(http::Method::get, location);
  EXPECT_EQ(status.status, 204);
  EXPECT_EQ(header(status, "Range"), "0-6");

  EXPECT_EQ(call(http::Method::put, location + "?digest=" + digest_of("payload")).status, 201);
}

TEST_F(BlobUploadHandlersTest, PutWithoutOrWithMalformedDigestIsDigestInvalid) {
  const std::string location = start("team/app");
  http::Response missing = call(http::Method::put, location, {}, "data");
  EXPECT_EQ(missing.status, 400);
  EXPECT_EQ(error_code(missing), "DIGEST_INVALID");
  http::Response malformed = call(http::Method::put, location + "?digest=md5:abc", {}, "data");
  EXPECT_EQ(error_code(malformed), "DIGEST_INVALID");
  // Neither consumed the body into the upload.
  EXPECT_EQ(header(call(http::Method::get, location), "Range"), "0-0");
}

TEST_F(BlobUploadHandlersTest, DisconnectMidChunkKeepsWhatArrived) {
  const std::string location = start("team/app");
  http::Request request = test::make_request(http::Method::patch, location);
  test::StringBody disconnecting("0123456789", 10, 3, 6);
  request.body = &disconnecting;
  http::Response broken = send(request);
  EXPECT_NE(broken.status, 202);
  http::Response status = call(http::Method::get, location);
  EXPECT_EQ(status.status, 204);
  EXPECT_EQ(header(status, "Range"), "0-5");
  ASSERT_EQ(call(http::Method::patch, location, {{"Content-Range", "6-9"}}, "6789").status, 202);
  EXPECT_EQ(call(http::Method::put, location + "?digest=" + digest_of("0123456789")).status, 201);
}

TEST_F(BlobUploadHandlersTest, SessionsAreBoundToTheirRepository) {
  const std::string location = start("team/app");
  const std::string uuid = location.substr(location.rfind('/') + 1);
  EXPECT_EQ(error_code(call(http::Method::get, "/v2/team/other/blobs/uploads/" + uuid)), "BLOB_UPLOAD_UNKNOWN");
  EXPECT_EQ(error_code(call(http::Method::patch, "/v2/team/app/blobs/uploads/not-a-uuid", {}, "x")),
            "BLOB_UPLOAD_UNKNOWN");
  EXPECT_EQ(call(http::Method::get, "/v2/team/app/blobs/uploads/0f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b").status, 404);
}

TEST_F(BlobUploadHandlersTest, CancelEndsTheSession) {
  const std::string location = start("team/app");
  ASSERT_EQ(call(http::Method::patch, location, {}, "partial").status, 202);
  EXPECT_EQ(call(http::Method::delete_, location).status, 204);
  EXPECT_EQ(error_code(call(http::Method::get, location)), "BLOB_UPLOAD_UNKNOWN");
  EXPECT_EQ(error_code(call(http::Method::delete_, location)), "BLOB_UPLOAD_UNKNOWN");
  auto uploads = blobs_->list_uploads();
  ASSERT_TRUE(uploads.ok());
  EXPECT_TRUE(uploads->empty());
}

TEST_F(BlobUploadHandlersTest, SameBlobPushedByTwoSessionsAtOnce) {
  const std::string blob = "shared layer";
  const std::string a = start("team/a");
  const std::string b = start("team/b");
  ASSERT_EQ(call(http::Method::patch, a, {}, blob).status, 202);
  ASSERT_EQ(call(http::Method::patch, b, {}, blob).status, 202);
  EXPECT_EQ(call(http::Method::put, a + "?digest=" + digest_of(blob)).status, 201);
  EXPECT_EQ(call(http::Method::put, b + "?digest=" + digest_of(blob)).status, 201);
  EXPECT_EQ(file_body(call(http::Method::get, "/v2/team/b/blobs/" + digest_of(blob))), blob);
}

TEST_F(BlobUploadHandlersTest, MountFromReadableRepository) {
  const std::string blob = "base layer";
  push("team/base", blob);
  http::Response mounted =
      call(http::Method::post, "/v2/team/app/blobs/uploads/?mount=" + digest_of(blob) + "&from=team/base");
  ASSERT_EQ(mounted.status, 201) << error_code(mounted);
  EXPECT_EQ(header(mounted, "Location"), "/v2/team/app/blobs/" + digest_of(blob));
  EXPECT_EQ(header(mounted, "Docker-Content-Digest"), digest_of(blob));
  EXPECT_EQ(file_body(call(http::Method::get, "/v2/team/app/blobs/" + digest_of(blob))), blob);
}

TEST_F(BlobUploadHandlersTest, MountFallsBackToASessionWhenTheBlobIsNotThere) {
  const std::string blob = "base layer";
  push("team/base", blob);
  for (const std::string& query :
       {"?mount=" + digest_of(blob) + "&from=team/nowhere", "?mount=" + digest_of("absent") + "&from=team/base",
        "?mount=" + digest_of("absent"), std::string("?mount=garbage&from=team/base"),
        "?mount=" + digest_of(blob) + "&from=Not..A..Name"}) {
    http::Response response = call(http::Method::post, "/v2/team/app/blobs/uploads/" + query);
    EXPECT_EQ(response.status, 202) << query;
    EXPECT_NE(header(response, "Docker-Upload-UUID"), "<absent>") << query;
  }
  EXPECT_EQ(call(http::Method::head, "/v2/team/app/blobs/" + digest_of(blob)).status, 404);
}

TEST_F(BlobUploadHandlersTest, MountNeverReadsARepositoryTheCallerCannotPull) {
  EXPECT_EQ(mount_elsewhere("secret/vault", "secret layer", "secret/vault"), std::pair(202, 404));
}

TEST_F(BlobUploadHandlersTest, MountWithoutFromFindsAnyKnownBlobForAnonymousCallers) {
  access_.anonymous = true;
  EXPECT_EQ(mount_elsewhere("team/base", "well-known layer", ""), std::pair(201, 200));
}

TEST_F(BlobUploadHandlersTest, MountWithoutFromNeverGrantsAnAuthenticatedCallerAnotherRepositorysBlob) {
  EXPECT_EQ(mount_elsewhere("other/base", "another team's layer", ""), std::pair(202, 404));
}

TEST_F(BlobUploadHandlersTest, GetHonoursOneRange) {
  const std::string blob = "0123456789";
  push("team/app", blob);
  const std::string url = "/v2/team/app/blobs/" + digest_of(blob);

  http::Response middle = call(http::Method::get, url, {{"Range", "bytes=2-5"}});
  EXPECT_EQ(middle.status, 206);
  EXPECT_EQ(header(middle, "Content-Range"), "bytes 2-5/10");
  EXPECT_EQ(file_body(middle), "2345");

  http::Response suffix = call(http::Method::get, url, {{"Range", "bytes=-3"}});
  EXPECT_EQ(suffix.status, 206);
  EXPECT_EQ(file_body(suffix), "789");

  http::Response beyond = call(http::Method::get, url, {{"Range", "bytes=10-"}});
  EXPECT_EQ(beyond.status, 416);
  EXPECT_EQ(header(beyond, "Content-Range"), "bytes */10");

  http::Response several = call(http::Method::get, url, {{"Range", "bytes=0-1,4-5"}});
  EXPECT_EQ(several.status, 200);
  EXPECT_EQ(file_body(several), blob);
  EXPECT_EQ(header(several, "Accept-Ranges"), "bytes");
  EXPECT_EQ(header(several, "Etag"), "\"" + digest_of(blob) + "\"");
}

TEST_F(BlobUploadHandlersTest, HeadAnnouncesTheSizeWithoutABody) {
  const std::string blob = "sized";
  push("team/app", blob);
  http::Response head = call(http::Method::head, "/v2/team/app/blobs/" + digest_of(blob));
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.content_length, std::optional<std::uint64_t>(blob.size()));
  EXPECT_TRUE(std::holds_alternative<std::monostate>(head.body));
  EXPECT_EQ(header(head, "Docker-Content-Digest"), digest_of(blob));
}

TEST_F(BlobUploadHandlersTest, GetOfUnknownOrUnlinkedOrMalformedDigest) {
  push("team/app", "linked here");
  ASSERT_EQ(call(http::Method::post, "/v2/team/other/blobs/uploads/").status, 202);
  EXPECT_EQ(error_code(call(http::Method::get, "/v2/team/other/blobs/" + digest_of("linked here"))), "BLOB_UNKNOWN");
  EXPECT_EQ(error_code(call(http::Method::get, "/v2/team/app/blobs/" + digest_of("never pushed"))), "BLOB_UNKNOWN");
  http::Response malformed = call(http::Method::get, "/v2/team/app/blobs/sha256:XYZ");
  EXPECT_EQ(malformed.status, 400);
  EXPECT_EQ(error_code(malformed), "DIGEST_INVALID");
}

TEST_F(BlobUploadHandlersTest, DeleteUnlinksAndLeavesTheBytesToGarbageCollection) {
  const std::string shared = "in two repositories";
  const std::string lonely = "in one repository";
  push("team/a", shared);
  push("team/b", shared);
  push("team/a", lonely);

  EXPECT_EQ(call(http::Method::delete_, "/v2/team/a/blobs/" + digest_of(shared)).status, 202);
  EXPECT_EQ(call(http::Method::head, "/v2/team/a/blobs/" + digest_of(shared)).status, 404);
  EXPECT_EQ(call(http::Method::head, "/v2/team/b/blobs/" + digest_of(shared)).status, 200);

  EXPECT_EQ(call(http::Method::delete_, "/v2/team/a/blobs/" + digest_of(lonely)).status, 202);
  const Digest lonely_digest = Digest::parse(digest_of(lonely)).value();
  auto stored = blobs_->stat(lonely_digest);
  ASSERT_TRUE(stored.ok());
  EXPECT_TRUE(stored->has_value());  // a push in flight may still reference it
  constexpr std::int64_t kAfterEverything = std::numeric_limits<std::int64_t>::max();
  auto queued = metadata_->collectable_blobs(std::span<const Digest>(&lonely_digest, 1),
                                             metadata::GcCutoffs{kAfterEverything, kAfterEverything});
  ASSERT_TRUE(queued.ok());
  EXPECT_EQ(queued->size(), 1u);

  EXPECT_EQ(error_code(call(http::Method::delete_, "/v2/team/a/blobs/" + digest_of(lonely))), "BLOB_UNKNOWN");
}

}  // namespace
}  // namespace berth::registry

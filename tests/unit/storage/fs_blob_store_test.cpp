#include "storage/fs_blob_store.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <string>
#include <thread>

#include "storage/scoped_temp_dir.hpp"

namespace berth::storage {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kUploadA = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";
constexpr std::string_view kUploadB = "11111111-2222-4333-8444-555555555555";

class FsBlobStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { store_ = open_store(); }

  std::unique_ptr<FsBlobStore> open_store() {
    auto store = FsBlobStore::open(dir_.path() / "data");
    EXPECT_TRUE(store.ok());
    return std::move(store).value();
  }

  static void upload(BlobStore& store, std::string_view id, std::string_view content) {
    ASSERT_TRUE(store.create_upload(id).ok());
    auto writer = store.open_upload(id);
    ASSERT_TRUE(writer.ok());
    ASSERT_TRUE((*writer)->append(content.data(), content.size()).ok());
  }

  static std::string read_all(int fd, std::uint64_t size) {
    std::string out(size, '\0');
    EXPECT_EQ(::pread(fd, out.data(), out.size(), 0), static_cast<ssize_t>(size));
    return out;
  }

  std::vector<fs::path> files_under_blobs() const {
    std::vector<fs::path> files;
    for (const auto& entry : fs::recursive_directory_iterator(dir_.path() / "data" / "blobs")) {
      if (entry.is_regular_file()) files.push_back(entry.path());
    }
    return files;
  }

  std::size_t blob_count() {
    std::size_t count = 0;
    EXPECT_TRUE(store_->for_each_blob([&](const BlobInfo&) { ++count; }).ok());
    return count;
  }

  test::ScopedTempDir dir_;
  std::unique_ptr<FsBlobStore> store_;
};

TEST_F(FsBlobStoreTest, CommitsAnUploadWrittenInSeveralAppends) {
  ASSERT_TRUE(store_->create_upload(kUploadA).ok());
  {
    auto writer = store_->open_upload(kUploadA);
    ASSERT_TRUE(writer.ok());
    ASSERT_TRUE((*writer)->append("hello ", 6).ok());
    ASSERT_TRUE((*writer)->append("blob ", 5).ok());
    EXPECT_EQ((*writer)->size(), 11u);
  }
  {
    auto writer = store_->open_upload(kUploadA);
    ASSERT_TRUE(writer.ok());
    EXPECT_EQ((*writer)->size(), 11u);
    ASSERT_TRUE((*writer)->append("world", 5).ok());
  }
  EXPECT_EQ(*store_->upload_size(kUploadA), 16u);

  Digest digest = Hasher::of("hello blob world");
  auto info = store_->commit_upload(kUploadA, digest);
  ASSERT_TRUE(info.ok()) << info.error().message;
  EXPECT_EQ(info->digest, digest);
  EXPECT_EQ(info->size, 16u);

  EXPECT_EQ(*store_->stat(digest), std::optional<std::uint64_t>(16));
  auto blob = store_->open(digest);
  ASSERT_TRUE(blob.ok());
  EXPECT_EQ(blob->size, 16u);
  EXPECT_EQ(read_all(blob->fd.get(), blob->size), "hello blob world");
  EXPECT_EQ(store_->blob_path(digest).parent_path().parent_path(), dir_.path() / "data" / "blobs" / "sha256");

  EXPECT_TRUE(store_->list_uploads()->empty());
  EXPECT_EQ(store_->upload_size(kUploadA).error().code, ErrorCode::blob_upload_unknown);
}

TEST_F(FsBlobStoreTest, WrongDigestKeepsTheUploadForARetry) {
  upload(*store_, kUploadA, "content");
  auto wrong = store_->commit_upload(kUploadA, Hasher::of("other content"));
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().code, ErrorCode::digest_invalid);
  EXPECT_EQ(*store_->upload_size(kUploadA), 7u);
  EXPECT_EQ(blob_count(), 0u);

  EXPECT_TRUE(store_->commit_upload(kUploadA, Hasher::of("content")).ok());
}

TEST_F(FsBlobStoreTest, ConcurrentCommitsOfTheSameContentBothSucceedWithOneCopy) {
  const std::string content(256 * 1024, 'x');
  upload(*store_, kUploadA, content);
  upload(*store_, kUploadB, content);
  Digest digest = Hasher::of(content);

  Result<BlobInfo> first = make_error(ErrorCode::internal, "not run");
  Result<BlobInfo> second = make_error(ErrorCode::internal, "not run");
  std::thread a([&] { first = store_->commit_upload(kUploadA, digest); });
  std::thread b([&] { second = store_->commit_upload(kUploadB, digest); });
  a.join();
  b.join();

  ASSERT_TRUE(first.ok()) << first.error().message;
  ASSERT_TRUE(second.ok()) << second.error().message;
  EXPECT_EQ(files_under_blobs().size(), 1u);
  EXPECT_TRUE(store_->list_uploads()->empty());
  EXPECT_EQ(*store_->rehash(digest), digest);
}

TEST_F(FsBlobStoreTest, CommitOfAnAlreadyStoredBlobDiscardsTheUpload) {
  upload(*store_, kUploadA, "same");
  ASSERT_TRUE(store_->commit_upload(kUploadA, Hasher::of("same")).ok());
  upload(*store_, kUploadB, "same");
  auto again = store_->commit_upload(kUploadB, Hasher::of("same"));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->size, 4u);
  EXPECT_EQ(blob_count(), 1u);
  EXPECT_TRUE(store_->list_uploads()->empty());
}

TEST_F(FsBlobStoreTest, RebuildsTheRunningHashAfterARestart) {
  upload(*store_, kUploadA, "first half, ");
  store_.reset();

  auto restarted = open_store();
  auto uploads = restarted->list_uploads();
  ASSERT_TRUE(uploads.ok());
  EXPECT_EQ(*uploads, std::vector<std::string>{std::string(kUploadA)});
  {
    auto writer = restarted->open_upload(kUploadA);
    ASSERT_TRUE(writer.ok());
    EXPECT_EQ((*writer)->size(), 12u);
    ASSERT_TRUE((*writer)->append("second half", 11).ok());
  }
  EXPECT_TRUE(restarted->commit_upload(kUploadA, Hasher::of("first half, second half")).ok());
}

TEST_F(FsBlobStoreTest, RebuildsTheRunningHashWhenTheFileChangedBehindIt) {
  upload(*store_, kUploadA, "cached ");
  // Another process (or a node sharing the volume) appended bytes the cache never saw.
  std::ofstream(dir_.path() / "data" / "uploads" / std::string(kUploadA), std::ios::app) << "and not cached";
  auto info = store_->commit_upload(kUploadA, Hasher::of("cached and not cached"));
  ASSERT_TRUE(info.ok()) << info.error().message;
  EXPECT_EQ(info->size, 21u);
}

TEST_F(FsBlobStoreTest, RefusesASecondWriterWhileTheFirstLives) {
  ASSERT_TRUE(store_->create_upload(kUploadA).ok());
  auto first = store_->open_upload(kUploadA);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(store_->open_upload(kUploadA).error().code, ErrorCode::blob_upload_invalid);
  EXPECT_EQ(store_->commit_upload(kUploadA, Hasher::of("")).error().code, ErrorCode::blob_upload_invalid);
  EXPECT_EQ(store_->delete_upload(kUploadA).error().code, ErrorCode::blob_upload_invalid);

  first.value().reset();
  EXPECT_TRUE(store_->open_upload(kUploadA).ok());
}

TEST_F(FsBlobStoreTest, RefusesMalformedUploadIdsBeforeTouchingTheFilesystem) {
  for (std::string_view id :
       {"", "../../etc/passwd", "0A1B2C3D-4E5F-4A6B-8C7D-9E0F1A2B3C4D", "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4",
        "0a1b2c3d/4e5f-4a6b-8c7d-9e0f1a2b3c4d", "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d/..",
        "....................................", "0a1b2c3d04e5f04a6b08c7d09e0f1a2b3c4d"}) {
    SCOPED_TRACE(id);
    EXPECT_EQ(store_->create_upload(id).error().code, ErrorCode::blob_upload_unknown);
    EXPECT_EQ(store_->open_upload(id).error().code, ErrorCode::blob_upload_unknown);
    EXPECT_EQ(store_->upload_size(id).error().code, ErrorCode::blob_upload_unknown);
    EXPECT_EQ(store_->commit_upload(id, Hasher::of("")).error().code, ErrorCode::blob_upload_unknown);
    EXPECT_EQ(store_->delete_upload(id).error().code, ErrorCode::blob_upload_unknown);
  }
  EXPECT_TRUE(store_->list_uploads()->empty());
}

TEST_F(FsBlobStoreTest, UnknownAndDuplicateUploads) {
  EXPECT_EQ(store_->open_upload(kUploadA).error().code, ErrorCode::blob_upload_unknown);
  EXPECT_EQ(store_->commit_upload(kUploadA, Hasher::of("")).error().code, ErrorCode::blob_upload_unknown);
  EXPECT_EQ(store_->delete_upload(kUploadA).error().code, ErrorCode::blob_upload_unknown);
  ASSERT_TRUE(store_->create_upload(kUploadA).ok());
  EXPECT_EQ(store_->create_upload(kUploadA).error().code, ErrorCode::blob_upload_invalid);
  EXPECT_TRUE(store_->delete_upload(kUploadA).ok());
  EXPECT_EQ(store_->upload_size(kUploadA).error().code, ErrorCode::blob_upload_unknown);
}

TEST_F(FsBlobStoreTest, CommitsUnderASha512Digest) {
  upload(*store_, kUploadA, "sha512 content");
  Digest digest = Hasher::of("sha512 content", DigestAlgorithm::sha512);
  EXPECT_EQ(store_->commit_upload(kUploadA, Hasher::of("other", DigestAlgorithm::sha512)).error().code,
            ErrorCode::digest_invalid);
  auto info = store_->commit_upload(kUploadA, digest);
  ASSERT_TRUE(info.ok()) << info.error().message;
  EXPECT_EQ(store_->blob_path(digest).parent_path().parent_path(), dir_.path() / "data" / "blobs" / "sha512");
  EXPECT_EQ(*store_->stat(digest), std::optional<std::uint64_t>(14));
  EXPECT_EQ(*store_->rehash(digest), digest);
  std::vector<Digest> seen;
  ASSERT_TRUE(store_->for_each_blob([&](const BlobInfo& blob) { seen.push_back(blob.digest); }).ok());
  EXPECT_EQ(seen, std::vector<Digest>{digest});
}

TEST_F(FsBlobStoreTest, NothingAppearsUnderBlobsUntilCommit) {
  ASSERT_TRUE(store_->create_upload(kUploadA).ok());
  auto writer = store_->open_upload(kUploadA);
  ASSERT_TRUE(writer.ok());
  ASSERT_TRUE((*writer)->append("partial", 7).ok());
  EXPECT_TRUE(files_under_blobs().empty());
  EXPECT_EQ(blob_count(), 0u);
  writer.value().reset();

  ASSERT_TRUE(store_->commit_upload(kUploadA, Hasher::of("partial")).ok());
  auto files = files_under_blobs();
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(files[0], store_->blob_path(Hasher::of("partial")));
}

TEST_F(FsBlobStoreTest, RehashDetectsACorruptedBlob) {
  upload(*store_, kUploadA, "pristine bytes");
  Digest digest = Hasher::of("pristine bytes");
  ASSERT_TRUE(store_->commit_upload(kUploadA, digest).ok());
  EXPECT_EQ(*store_->rehash(digest), digest);

  fs::permissions(store_->blob_path(digest), fs::perms::owner_write, fs::perm_options::add);
  std::ofstream(store_->blob_path(digest), std::ios::in | std::ios::out) << "P";
  auto rehashed = store_->rehash(digest);
  ASSERT_TRUE(rehashed.ok());
  EXPECT_NE(*rehashed, digest);
  EXPECT_EQ(*rehashed, Hasher::of("Pristine bytes"));
}

TEST_F(FsBlobStoreTest, WalksOnlyWellFormedBlobNames) {
  upload(*store_, kUploadA, "real");
  Digest digest = Hasher::of("real");
  ASSERT_TRUE(store_->commit_upload(kUploadA, digest).ok());
  fs::path prefix = store_->blob_path(digest).parent_path();
  std::ofstream(prefix / "not-a-digest") << "junk";
  // A valid digest name filed under the wrong prefix directory.
  Digest misfiled = Hasher::of("other");
  ASSERT_NE(misfiled.hex().substr(0, 2), prefix.filename().string());
  std::ofstream(prefix / misfiled.hex()) << "other";

  std::vector<BlobInfo> seen;
  ASSERT_TRUE(store_->for_each_blob([&](const BlobInfo& blob) { seen.push_back(blob); }).ok());
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].digest, digest);
  EXPECT_EQ(seen[0].size, 4u);
}

TEST_F(FsBlobStoreTest, MissingBlobs) {
  Digest digest = Hasher::of("never stored");
  EXPECT_EQ(*store_->stat(digest), std::nullopt);
  EXPECT_EQ(store_->open(digest).error().code, ErrorCode::blob_unknown);
  EXPECT_EQ(store_->rehash(digest).error().code, ErrorCode::blob_unknown);
  EXPECT_TRUE(store_->remove(digest).ok());  // what is already gone stays gone
}

TEST_F(FsBlobStoreTest, RemovesABlob) {
  upload(*store_, kUploadA, "to remove");
  Digest digest = Hasher::of("to remove");
  ASSERT_TRUE(store_->commit_upload(kUploadA, digest).ok());
  ASSERT_TRUE(store_->remove(digest).ok());
  EXPECT_EQ(*store_->stat(digest), std::nullopt);
  EXPECT_EQ(blob_count(), 0u);
}

}  // namespace
}  // namespace berth::storage

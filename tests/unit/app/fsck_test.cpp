#include "app/fsck.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <fstream>

#include "metadata/sqlite_metadata_store.hpp"
#include "storage/fs_blob_store.hpp"
#include "storage/scoped_temp_dir.hpp"

namespace berth::app {
namespace {

constexpr std::string_view kUpload = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";

// A small registry: team/app holds one image (config + layer) tagged v1, pushed the way the
// registry pushes (blob committed and linked, then the manifest with its references and tag).
class FsckTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto blobs = storage::FsBlobStore::open(dir_.path());
    ASSERT_TRUE(blobs.ok());
    blobs_ = std::move(blobs).value();
    auto metadata = metadata::SqliteMetadataStore::open(dir_.path() / "berth.db");
    ASSERT_TRUE(metadata.ok());
    metadata_ = std::move(metadata).value();

    config_ = push_blob("{\"config\":true}");
    layer_ = push_blob("layer bytes");
    std::string content = "{\"config\":\"" + config_.str() + "\",\"layers\":[\"" + layer_.str() + "\"]}";
    manifest_ = Hasher::of(content);
    metadata::ManifestRecord record{
        "team/app", manifest_, "application/vnd.oci.image.manifest.v1+json", content, std::nullopt, "", "", 1, std::nullopt};
    ASSERT_TRUE(metadata_
                    ->put_manifest(record,
                                   {{config_, metadata::ReferenceKind::blob}, {layer_, metadata::ReferenceKind::blob}},
                                   "v1")
                    .ok());
  }

  Digest push_blob(std::string_view content) {
    EXPECT_TRUE(blobs_->create_upload(kUpload).ok());
    {
      auto writer = blobs_->open_upload(kUpload);
      EXPECT_TRUE(writer.ok());
      EXPECT_TRUE((*writer)->append(content.data(), content.size()).ok());
    }
    auto info = blobs_->commit_upload(kUpload, Hasher::of(content));
    EXPECT_TRUE(info.ok());
    EXPECT_TRUE(metadata_->link_blob("team/app", info->digest, info->size).ok());
    return info->digest;
  }

  FsckReport fsck() {
    auto report = run_fsck(*blobs_, *metadata_);
    EXPECT_TRUE(report.ok());
    return std::move(report).value();
  }

  static bool has_problem(const FsckReport& report, std::string_view kind, std::string_view subject) {
    for (const auto& problem : report.problems) {
      if (problem.kind == kind && problem.subject == subject) return true;
    }
    return false;
  }

  test::ScopedTempDir dir_;
  std::unique_ptr<storage::FsBlobStore> blobs_;
  std::unique_ptr<metadata::SqliteMetadataStore> metadata_;
  Digest config_ = Hasher::of("");
  Digest layer_ = Hasher::of("");
  Digest manifest_ = Hasher::of("");
};

TEST_F(FsckTest, ACleanStorePasses) {
  ASSERT_TRUE(blobs_->create_upload(kUpload).ok());  // in progress: counted, not a problem
  FsckReport report = fsck();
  EXPECT_TRUE(report.clean()) << report.problems.front().kind << " " << report.problems.front().subject;
  EXPECT_EQ(report.blobs_checked, 2u);
  EXPECT_EQ(report.manifests_checked, 1u);
  EXPECT_EQ(report.tags_checked, 1u);
  EXPECT_EQ(report.uploads_in_progress, 1u);
}

TEST_F(FsckTest, DetectsACorruptedBlob) {
  std::filesystem::path file = blobs_->blob_path(layer_);
  std::filesystem::permissions(file, std::filesystem::perms::owner_write, std::filesystem::perm_options::add);
  std::ofstream(file, std::ios::in | std::ios::out) << "L";
  FsckReport report = fsck();
  ASSERT_EQ(report.problems.size(), 1u);
  EXPECT_EQ(report.problems[0].kind, "blob_corrupt");
  EXPECT_EQ(report.problems[0].subject, layer_.str());
}

TEST_F(FsckTest, DetectsAMissingBlob) {
  ASSERT_TRUE(blobs_->remove(config_).ok());
  FsckReport report = fsck();
  EXPECT_FALSE(report.clean());
  EXPECT_TRUE(has_problem(report, "link_blob_missing", "team/app@" + config_.str()));
  EXPECT_TRUE(has_problem(report, "reference_blob_missing", "team/app@" + manifest_.str()));
  EXPECT_EQ(report.problems.size(), 2u);
}

TEST_F(FsckTest, DetectsAnUnlinkedReferenceAndASizeMismatch) {
  ASSERT_TRUE(*metadata_->unlink_blob("team/app", layer_));
  ASSERT_TRUE(metadata_->link_blob("team/other", config_, 999).ok());
  FsckReport report = fsck();
  EXPECT_TRUE(has_problem(report, "reference_blob_unlinked", "team/app@" + manifest_.str()));
  EXPECT_TRUE(has_problem(report, "link_size_mismatch", "team/other@" + config_.str()));
  EXPECT_EQ(report.problems.size(), 2u);
}

TEST_F(FsckTest, DetectsADanglingTag) {
  // The store's foreign keys never let a tag outlive its manifest, so break the file directly, as a
  // bad restore or manual edit would (a fresh connection has foreign keys off).
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir_.path() / "berth.db").c_str(), &db), SQLITE_OK);
  std::string sql = "DELETE FROM manifests WHERE digest = '" + manifest_.str() + "'";
  EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);

  FsckReport report = fsck();
  ASSERT_EQ(report.problems.size(), 1u);
  EXPECT_EQ(report.problems[0].kind, "tag_dangling");
  EXPECT_EQ(report.problems[0].subject, "team/app:v1");
}

TEST_F(FsckTest, DetectsAChildManifestMissingFromTheIndexRepository) {
  // The child exists in team/app but an index in team/other cannot serve it from there.
  std::string content = "{\"manifests\":[\"" + manifest_.str() + "\"]}";
  metadata::ManifestRecord index{
      "team/app", Hasher::of(content), "application/vnd.oci.image.index.v1+json", content, std::nullopt, "", "", 1, std::nullopt};
  ASSERT_TRUE(metadata_->put_manifest(index, {{manifest_, metadata::ReferenceKind::manifest}}, "multi").ok());
  ASSERT_TRUE(metadata_->create_repository("team/other").ok());
  // The store refuses such an index, so move it by hand, as a bad restore or manual edit would.
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir_.path() / "berth.db").c_str(), &db), SQLITE_OK);
  for (const char* table : {"manifests", "manifest_references", "tags"}) {
    const std::string column = std::string_view(table) == "manifest_references" ? "manifest_digest" : "digest";
    std::string sql = std::string("UPDATE ") + table + " SET repository = 'team/other' WHERE " + column + " = '" +
                      index.digest.str() + "'";
    EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
  }
  sqlite3_close(db);
  FsckReport report = fsck();
  ASSERT_EQ(report.problems.size(), 1u);
  EXPECT_EQ(report.problems[0].kind, "reference_manifest_missing");
  EXPECT_EQ(report.problems[0].subject, "team/other@" + index.digest.str());
}

TEST_F(FsckTest, DetectsAManifestWhoseBytesDoNotMatchItsDigest) {
  metadata::ManifestRecord forged{
      "team/app", Hasher::of("claimed"), "application/vnd.oci.image.manifest.v1+json", "actual", std::nullopt, "", "",
      1, std::nullopt};
  ASSERT_TRUE(metadata_->put_manifest(forged, {}, std::nullopt).ok());
  FsckReport report = fsck();
  ASSERT_EQ(report.problems.size(), 1u);
  EXPECT_EQ(report.problems[0].kind, "manifest_corrupt");
}

}  // namespace
}  // namespace berth::app

#include "gc/garbage_collector.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "metadata/sqlite_metadata_store.hpp"
#include "storage/fs_blob_store.hpp"
#include "storage/scoped_temp_dir.hpp"

namespace berth::gc {
namespace {

using metadata::ManifestKey;
using metadata::ManifestRecord;
using metadata::ManifestReference;
using metadata::ReferenceKind;

std::int64_t now_unix() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// Real stores in a temp directory, and pushes that go through them the way the registry's do.
class GarbageCollectorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto blobs = storage::FsBlobStore::open(dir_.path() / "blobs");
    ASSERT_TRUE(blobs.ok());
    blobs_ = std::move(*blobs);
    auto metadata = metadata::SqliteMetadataStore::open(dir_.path() / "berth.db");
    ASSERT_TRUE(metadata.ok());
    metadata_ = std::move(*metadata);
  }

  // Uploads `content` as a blob of `repository`: marked used, published, linked.
  Digest upload(std::string_view repository, std::string_view content) {
    const Digest digest = Hasher::of(content);
    const std::string id = "00000000-0000-4000-8000-" + std::to_string(100000000000 + next_upload_++);
    EXPECT_TRUE(blobs_->create_upload(id).ok());
    {
      auto writer = blobs_->open_upload(id);
      EXPECT_TRUE(writer.ok());
      EXPECT_TRUE((*writer)->append(content.data(), content.size()).ok());
    }
    EXPECT_TRUE(metadata_->mark_blob_used(digest, [&] { return blobs_->remove(digest); }).ok());
    EXPECT_TRUE(blobs_->commit_upload(id, digest).ok());
    EXPECT_TRUE(metadata_->link_blob(repository, digest, content.size()).ok());
    return digest;
  }

  ManifestRecord push_image(std::string repository, std::string content, const std::vector<Digest>& blobs,
                            std::optional<std::string_view> tag) {
    std::vector<ManifestReference> references;
    for (const Digest& blob : blobs) references.push_back({blob, ReferenceKind::blob});
    ManifestRecord record{repository, Hasher::of(content), "application/vnd.oci.image.manifest.v1+json",
                          content,    std::nullopt,        "",
                          "",         1700000000, std::nullopt};
    EXPECT_TRUE(metadata_->put_manifest(record, references, tag).ok());
    return record;
  }

  bool stored(const Digest& digest) { return blobs_->stat(digest)->has_value(); }

  // Every grace period zero: what lost its last reference goes at once.
  GcOptions at_once(bool dry_run = false) {
    GcOptions options;
    options.grace_period = options.upload_grace = options.upload_max_age = std::chrono::seconds(0);
    options.dry_run = dry_run;
    options.now_unix = now_unix();
    return options;
  }

  GcReport collect(const GcOptions& options) {
    auto report = collect_garbage(*metadata_, *blobs_, options);
    EXPECT_TRUE(report.ok()) << report.error().message;
    return report.ok() ? *report : GcReport{};
  }

  test::ScopedTempDir dir_;
  std::unique_ptr<storage::BlobStore> blobs_;
  std::unique_ptr<metadata::MetadataStore> metadata_;
  int next_upload_ = 0;
};

TEST_F(GarbageCollectorTest, FreesTheLayersOnlyADeletedImageUsed) {
  const Digest shared = upload("team/app", "shared layer");
  const Digest own = upload("team/app", "own layer");
  const Digest config = upload("team/app", "config");
  ManifestRecord doomed = push_image("team/app", "{\"doomed\":1}", {config, shared, own}, "old");
  push_image("team/app", "{\"kept\":1}", {config, shared}, "new");

  ASSERT_TRUE(*metadata_->delete_manifest("team/app", doomed.digest));
  GcReport report = collect(at_once());
  ASSERT_EQ(report.blobs.size(), 1u);
  EXPECT_EQ(report.blobs[0].digest, own);
  EXPECT_EQ(report.bytes_freed, std::string("own layer").size());
  EXPECT_FALSE(stored(own));
  EXPECT_TRUE(stored(shared));
  EXPECT_TRUE(stored(config));
  EXPECT_EQ(*metadata_->linked_blob("team/app", own), std::nullopt);

  // Nothing left to do: a second run frees nothing.
  GcReport again = collect(at_once());
  EXPECT_TRUE(again.blobs.empty());
  EXPECT_EQ(metadata_->gc_queue_length()->blobs, 0u);
}

TEST_F(GarbageCollectorTest, ADryRunReportsWhatIsDueAndDeletesNothing) {
  const Digest layer = upload("team/app", "layer");
  ManifestRecord image = push_image("team/app", "{}", {layer}, "v1");
  ASSERT_TRUE(*metadata_->delete_manifest("team/app", image.digest));

  GcReport dry = collect(at_once(true));
  ASSERT_EQ(dry.blobs.size(), 1u);
  EXPECT_EQ(dry.bytes_freed, 5u);
  EXPECT_TRUE(stored(layer));
  EXPECT_EQ(*metadata_->linked_blob("team/app", layer), std::optional<std::uint64_t>(5));

  EXPECT_EQ(collect(at_once()).blobs.size(), 1u);
  EXPECT_FALSE(stored(layer));
}

TEST_F(GarbageCollectorTest, KeepsWhatIsWithinItsGracePeriods) {
  const Digest pushed = upload("team/app", "pushed, manifest to follow");
  const Digest dropped = upload("team/app", "dropped");
  ManifestRecord image = push_image("team/app", "{}", {dropped}, "v1");
  ASSERT_TRUE(*metadata_->delete_manifest("team/app", image.digest));

  GcOptions patient = at_once();
  patient.grace_period = std::chrono::hours(1);
  patient.upload_grace = std::chrono::hours(1);
  EXPECT_TRUE(collect(patient).blobs.empty());
  EXPECT_TRUE(stored(pushed));
  EXPECT_TRUE(stored(dropped));

  // An hour later both are due.
  patient.now_unix += 3601;
  EXPECT_EQ(collect(patient).blobs.size(), 2u);
  EXPECT_FALSE(stored(pushed));
  EXPECT_FALSE(stored(dropped));
}

TEST_F(GarbageCollectorTest, AnIndexTakesItsUntaggedChildrenAndTheirLayers) {
  const Digest amd64_layer = upload("team/app", "amd64");
  const Digest arm64_layer = upload("team/app", "arm64");
  ManifestRecord amd64 = push_image("team/app", "{\"amd64\":1}", {amd64_layer}, std::nullopt);
  ManifestRecord arm64 = push_image("team/app", "{\"arm64\":1}", {arm64_layer}, "arm64-only");
  ManifestRecord index{"team/app", Hasher::of("{\"index\":1}"), "application/vnd.oci.image.index.v1+json",
                       "{\"index\":1}", std::nullopt, "", "", 1700000000, std::nullopt};
  ASSERT_TRUE(metadata_
                  ->put_manifest(index, {{amd64.digest, ReferenceKind::manifest}, {arm64.digest, ReferenceKind::manifest}},
                                 "multi")
                  .ok());
  ManifestRecord signature{"team/app", Hasher::of("{\"sig\":1}"), "application/vnd.oci.image.manifest.v1+json",
                           "{\"sig\":1}", index.digest, "", "", 1700000000, std::nullopt};
  ASSERT_TRUE(metadata_->put_manifest(signature, {}, std::nullopt).ok());

  ASSERT_TRUE(*metadata_->delete_manifest("team/app", index.digest));
  GcReport report = collect(at_once());
  EXPECT_EQ(report.manifests.size(), 2u);  // the untagged child and the signature
  EXPECT_FALSE(*metadata_->manifest_exists("team/app", amd64.digest));
  EXPECT_FALSE(*metadata_->manifest_exists("team/app", signature.digest));
  EXPECT_TRUE(*metadata_->manifest_exists("team/app", arm64.digest));
  EXPECT_FALSE(stored(amd64_layer));
  EXPECT_TRUE(stored(arm64_layer));
}

TEST_F(GarbageCollectorTest, ADeletedRepositoryFreesEverythingOnlyItHeld) {
  const Digest shared = upload("team/app", "shared");
  upload("team/other", "shared");
  push_image("team/other", "{\"other\":1}", {shared}, "v1");
  const Digest own = upload("team/app", "own");
  push_image("team/app", "{}", {shared, own}, "v1");
  ASSERT_TRUE(metadata_->delete_repository("team/app", true).ok());
  GcReport report = collect(at_once());
  ASSERT_EQ(report.blobs.size(), 1u);
  EXPECT_EQ(report.blobs[0].digest, own);
  EXPECT_TRUE(stored(shared));
}

TEST_F(GarbageCollectorTest, BytesAlreadyGoneAreForgottenWithoutCountingThem) {
  const Digest layer = upload("team/app", "lost in a crash");
  ASSERT_TRUE(blobs_->remove(layer).ok());
  GcReport report = collect(at_once());
  ASSERT_EQ(report.blobs.size(), 1u);
  EXPECT_EQ(report.blobs[0].size, 0u);
  EXPECT_EQ(report.bytes_freed, 0u);
  EXPECT_EQ(*metadata_->known_blob(layer), std::nullopt);
}

TEST_F(GarbageCollectorTest, FinishesWhatARunThatCrashedCondemned) {
  const Digest layer = upload("team/app", "condemned, then the collector died");
  ASSERT_TRUE(*metadata_->unlink_blob("team/app", layer));
  const std::int64_t now = now_unix();
  auto due = metadata_->due_blob_reviews({now, now}, "", 10);
  ASSERT_TRUE(due.ok());
  ASSERT_EQ(metadata_->condemn_blobs(*due, {now, now})->size(), 1u);
  EXPECT_TRUE(stored(layer));  // the crash came before the second transaction

  GcOptions patient = at_once();
  patient.grace_period = patient.upload_grace = std::chrono::hours(1);
  GcReport report = collect(patient);
  ASSERT_EQ(report.blobs.size(), 1u);
  EXPECT_FALSE(stored(layer));
}

TEST_F(GarbageCollectorTest, AnUploadOfACondemnedBlobKeepsItsOwnBytes) {
  const Digest layer = upload("team/app", "condemned, then pushed again");
  ASSERT_TRUE(*metadata_->unlink_blob("team/app", layer));
  const std::int64_t now = now_unix();
  ASSERT_EQ(metadata_->condemn_blobs(*metadata_->due_blob_reviews({now, now}, "", 10), {now, now})->size(), 1u);
  EXPECT_EQ(upload("team/app", "condemned, then pushed again"), layer);
  push_image("team/app", "{}", {layer}, "v1");
  EXPECT_TRUE(collect(at_once()).blobs.empty());
  EXPECT_TRUE(stored(layer));
  EXPECT_EQ(blobs_->rehash(layer).value(), layer);
}

TEST_F(GarbageCollectorTest, PurgesAbandonedUploadsOnly) {
  const std::int64_t now = now_unix();
  const std::string abandoned = "00000000-0000-4000-8000-000000000001";
  const std::string active = "00000000-0000-4000-8000-000000000002";
  ASSERT_TRUE(blobs_->create_upload(abandoned).ok());
  ASSERT_TRUE(metadata_->create_upload({abandoned, "team/app", now - 7200}).ok());
  ASSERT_TRUE(blobs_->create_upload(active).ok());
  ASSERT_TRUE(metadata_->create_upload({active, "team/app", now}).ok());

  GcOptions options = at_once();
  options.upload_max_age = std::chrono::hours(1);
  EXPECT_EQ(collect(options).uploads_purged, 1u);
  EXPECT_EQ(*metadata_->get_upload(abandoned), std::nullopt);
  EXPECT_FALSE(blobs_->upload_size(abandoned).ok());
  EXPECT_TRUE(metadata_->get_upload(active)->has_value());
  EXPECT_TRUE(blobs_->upload_size(active).ok());
}

TEST_F(GarbageCollectorTest, AnUploadBeingWrittenIsKeptUntilTheNextRun) {
  const std::string id = "00000000-0000-4000-8000-000000000003";
  ASSERT_TRUE(blobs_->create_upload(id).ok());
  ASSERT_TRUE(metadata_->create_upload({id, "team/app", now_unix() - 7200}).ok());
  auto writer = blobs_->open_upload(id);
  ASSERT_TRUE(writer.ok());
  GcOptions options = at_once();
  options.upload_max_age = std::chrono::hours(1);
  EXPECT_EQ(collect(options).uploads_purged, 0u);
  writer->reset();
  EXPECT_EQ(collect(options).uploads_purged, 1u);
}

TEST_F(GarbageCollectorTest, AReuploadAfterACollectionPublishesItsOwnBytes) {
  const Digest layer = upload("team/app", "comes back");
  ASSERT_TRUE(*metadata_->unlink_blob("team/app", layer));
  EXPECT_EQ(collect(at_once()).blobs.size(), 1u);
  EXPECT_FALSE(stored(layer));
  EXPECT_EQ(upload("team/app", "comes back"), layer);
  EXPECT_TRUE(stored(layer));
  push_image("team/app", "{}", {layer}, "v1");
  EXPECT_TRUE(collect(at_once()).blobs.empty());
  EXPECT_TRUE(stored(layer));
}

}  // namespace
}  // namespace berth::gc

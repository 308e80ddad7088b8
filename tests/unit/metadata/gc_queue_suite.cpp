// The garbage collection side of the MetadataStore contract, part of the suite every backend
// passes (metadata_store_suite.hpp): what queues a review, when a review is due, and what the
// collecting transactions delete or keep.
#include <algorithm>
#include <chrono>
#include <limits>
#include <span>
#include <string>
#include <vector>

#include "gc_queue_suite.hpp"

namespace berth::metadata {
namespace {

using namespace gc_queue;

TEST_P(GcQueue, DeletingAManifestQueuesItsBlobsAndOnlyUnreferencedOnesAreCollected) {
  ManifestRecord doomed = push("team/app", "{\"doomed\":1}", {"shared", "own"}, "v1");
  push("team/app", "{\"kept\":1}", {"shared"}, "v2");
  EXPECT_TRUE(due_blobs().empty());

  ASSERT_TRUE(*store_->delete_manifest("team/app", doomed.digest));
  EXPECT_EQ(due_blobs().size(), 2u);
  EXPECT_EQ(collect(due_blobs()), std::vector<Digest>{digest_of("own")});
  EXPECT_EQ(removed_, std::vector<Digest>{digest_of("own")});
  // The collected blob's links are gone; the shared one lost its review and stays.
  EXPECT_EQ(*store_->linked_blob("team/app", digest_of("own")), std::nullopt);
  EXPECT_EQ(*store_->linked_blob("team/app", digest_of("shared")), std::optional<std::uint64_t>(6));
  EXPECT_TRUE(due_blobs().empty());
  EXPECT_EQ(store_->gc_queue_length()->blobs, 0u);
}

TEST_P(GcQueue, AReviewIsDueOnlyOnceBothGracePeriodsAreOver) {
  ManifestRecord image = push("team/app", "{}", {"layer"}, std::nullopt);
  ASSERT_TRUE(store_->mark_blob_used(digest_of("layer"), kNoBytes).ok());
  ASSERT_TRUE(*store_->delete_manifest("team/app", image.digest));
  const std::int64_t now = now_unix();

  EXPECT_TRUE(due_blobs({now - 60, kAfterEverything}).empty());  // lost its reference just now
  EXPECT_TRUE(due_blobs({kAfterEverything, now - 60}).empty());  // used just now
  EXPECT_EQ(due_blobs({now + 60, now + 60}).size(), 1u);
  // A review not due yet is not collected, even when asked for.
  EXPECT_TRUE(collect({digest_of("layer")}, {now - 60, now - 60}).empty());
  EXPECT_TRUE(removed_.empty());
  EXPECT_EQ(store_->gc_queue_length()->blobs, 1u);
}

TEST_P(GcQueue, AnUploadedBlobNoManifestUsesIsCollectedAfterItsUploadGrace) {
  ASSERT_TRUE(store_->mark_blob_used(digest_of("pushed"), kNoBytes).ok());
  ASSERT_TRUE(store_->link_blob("team/app", digest_of("pushed"), 6).ok());
  const std::int64_t now = now_unix();
  EXPECT_TRUE(due_blobs({kAfterEverything, now - 60}).empty());
  EXPECT_EQ(collect(due_blobs()), std::vector<Digest>{digest_of("pushed")});
  EXPECT_EQ(*store_->known_blob(digest_of("pushed")), std::nullopt);
}

TEST_P(GcQueue, AReferencedBlobLosesItsReviewAndIsNeverRemoved) {
  ASSERT_TRUE(store_->mark_blob_used(digest_of("layer"), kNoBytes).ok());
  push("team/app", "{}", {"layer"}, "v1");
  EXPECT_EQ(due_blobs().size(), 1u);
  EXPECT_TRUE(collect(due_blobs()).empty());
  EXPECT_TRUE(removed_.empty());
  EXPECT_TRUE(due_blobs().empty());
}

TEST_P(GcQueue, ACondemnedBlobHasNoLinksAndStaysCondemnedUntilItsBytesAreRemoved) {
  ASSERT_TRUE(store_->link_blob("team/app", digest_of("stuck"), 5).ok());
  ASSERT_TRUE(store_->link_blob("team/other", digest_of("stuck"), 5).ok());
  ASSERT_TRUE(*store_->unlink_blob("team/other", digest_of("stuck")));
  EXPECT_EQ(*store_->condemn_blobs(due_blobs(), kAllDue), std::vector<Digest>{digest_of("stuck")});
  // Invisible at once: nothing can reference it again, whatever happens to its bytes.
  EXPECT_EQ(*store_->linked_blob("team/app", digest_of("stuck")), std::nullopt);
  EXPECT_EQ(*store_->mount_blob("team/third", std::nullopt, digest_of("stuck")), std::nullopt);
  EXPECT_TRUE(due_blobs().empty());
  EXPECT_EQ(condemned(), std::vector<Digest>{digest_of("stuck")});

  auto failed = store_->remove_condemned_blobs(condemned(), [](const Digest&) -> Status {
    return make_error(ErrorCode::internal, "disk says no");
  });
  ASSERT_TRUE(failed.ok());
  EXPECT_TRUE(failed->empty());
  EXPECT_EQ(condemned(), std::vector<Digest>{digest_of("stuck")});
  EXPECT_EQ(*store_->remove_condemned_blobs(condemned(), [](const Digest&) { return Status{}; }),
            std::vector<Digest>{digest_of("stuck")});
  EXPECT_TRUE(condemned().empty());
  EXPECT_EQ(store_->gc_queue_length()->blobs, 0u);
}

TEST_P(GcQueue, AnUploadReprievesACondemnedBlobAfterRemovingItsOldBytes) {
  ASSERT_TRUE(store_->link_blob("team/app", digest_of("again"), 5).ok());
  ASSERT_TRUE(*store_->unlink_blob("team/app", digest_of("again")));
  ASSERT_EQ(store_->condemn_blobs(due_blobs(), kAllDue)->size(), 1u);
  int removals = 0;
  ASSERT_TRUE(store_->mark_blob_used(digest_of("again"), [&] {
    ++removals;
    return Status{};
  }).ok());
  EXPECT_EQ(removals, 1);
  EXPECT_TRUE(condemned().empty());
  // The collection that condemned it no longer removes anything: the bytes are the upload's.
  EXPECT_TRUE(store_->remove_condemned_blobs(std::vector<Digest>{digest_of("again")}, [this](const Digest& digest) {
    removed_.push_back(digest);
    return Status{};
  })->empty());
  EXPECT_TRUE(removed_.empty());

  // Marking a blob that is not condemned removes nothing.
  ASSERT_TRUE(store_->mark_blob_used(digest_of("again"), [&] {
    ++removals;
    return Status{};
  }).ok());
  EXPECT_EQ(removals, 1);
  // A failed removal fails the mark, and the blob stays condemned.
  ASSERT_TRUE(store_->link_blob("team/app", digest_of("other"), 5).ok());
  ASSERT_TRUE(*store_->unlink_blob("team/app", digest_of("other")));
  const std::int64_t later = now_unix() + 120;
  ASSERT_EQ(store_->condemn_blobs(std::vector<Digest>{digest_of("other")}, {later, later})->size(), 1u);
  EXPECT_FALSE(store_->mark_blob_used(digest_of("other"), [] { return make_error(ErrorCode::internal, "no"); }).ok());
  EXPECT_EQ(condemned(), std::vector<Digest>{digest_of("other")});
}

TEST_P(GcQueue, ManifestsRefuseReferencesToWhatTheRepositoryDoesNotHold) {
  ManifestRecord record = manifest_in("team/app", "{\"layers\":1}");
  Status unlinked = store_->put_manifest(record, {{digest_of("never-pushed"), ReferenceKind::blob}}, "v1");
  ASSERT_FALSE(unlinked.ok());
  EXPECT_EQ(unlinked.error().code, ErrorCode::manifest_blob_unknown);
  EXPECT_FALSE(*store_->manifest_exists("team/app", record.digest));
  EXPECT_EQ(*store_->resolve_tag("team/app", "v1"), std::nullopt);

  // Linked elsewhere is not enough, nor is a child manifest stored in another repository.
  ASSERT_TRUE(store_->link_blob("team/other", digest_of("never-pushed"), 12).ok());
  EXPECT_FALSE(store_->put_manifest(record, {{digest_of("never-pushed"), ReferenceKind::blob}}, "v1").ok());
  ManifestRecord child = manifest_in("team/other", "{\"child\":1}");
  ASSERT_TRUE(store_->put_manifest(child, {}, std::nullopt).ok());
  ManifestRecord index = manifest_in("team/app", "{\"index\":1}");
  Status missing_child = store_->put_manifest(index, {{child.digest, ReferenceKind::manifest}}, "multi");
  ASSERT_FALSE(missing_child.ok());
  EXPECT_EQ(missing_child.error().code, ErrorCode::manifest_blob_unknown);
}

TEST_P(GcQueue, MountingLinksAndMarksTheBlobUsed) {
  ASSERT_TRUE(store_->link_blob("team/source", digest_of("layer"), 5).ok());
  EXPECT_EQ(*store_->mount_blob("team/app", std::string_view("team/none"), digest_of("layer")), std::nullopt);
  EXPECT_EQ(*store_->linked_blob("team/app", digest_of("layer")), std::nullopt);

  EXPECT_EQ(*store_->mount_blob("team/app", std::string_view("team/source"), digest_of("layer")),
            std::optional<std::uint64_t>(5));
  EXPECT_EQ(*store_->mount_blob("team/third", std::nullopt, digest_of("layer")), std::optional<std::uint64_t>(5));
  EXPECT_EQ(*store_->linked_blob("team/app", digest_of("layer")), std::optional<std::uint64_t>(5));
  const std::int64_t now = now_unix();
  EXPECT_TRUE(due_blobs({kAfterEverything, now - 60}).empty());
  EXPECT_EQ(due_blobs().size(), 1u);
}

TEST_P(GcQueue, CheckingAQueuedBlobBeforeReusingItMarksItUsed) {
  ManifestRecord image = push("team/app", "{}", {"layer"}, "v1");
  EXPECT_EQ(*store_->linked_blob_for_reuse("team/app", digest_of("layer"), kMinute), std::optional<std::uint64_t>(5));
  EXPECT_TRUE(due_blobs().empty());  // referenced: nothing queued, nothing written
  EXPECT_EQ(*store_->linked_blob_for_reuse("team/other", digest_of("layer"), kMinute), std::nullopt);

  ASSERT_TRUE(*store_->delete_manifest("team/app", image.digest));
  const std::int64_t now = now_unix();
  EXPECT_EQ(due_blobs({kAfterEverything, now - 60}).size(), 1u);
  EXPECT_EQ(*store_->linked_blob_for_reuse("team/app", digest_of("layer"), kMinute), std::optional<std::uint64_t>(5));
  EXPECT_TRUE(due_blobs({kAfterEverything, now - 60}).empty());
}

TEST_P(GcQueue, AnIndexTakesItsUntaggedChildrenAndASubjectItsReferrers) {
  ManifestRecord loose = push("team/app", "{\"loose\":1}", {"a"}, std::nullopt);
  ManifestRecord tagged = push("team/app", "{\"tagged\":1}", {"b"}, "keep");
  ManifestRecord index = manifest_in("team/app", "{\"index\":1}");
  ASSERT_TRUE(store_->put_manifest(index, {{loose.digest, ReferenceKind::manifest}, {tagged.digest, ReferenceKind::manifest}},
                                   "multi").ok());
  ManifestRecord signature = manifest_in("team/app", "{\"signature\":1}", index.digest);
  ASSERT_TRUE(store_->put_manifest(signature, {}, std::nullopt).ok());
  EXPECT_TRUE(due_manifests().empty());

  ASSERT_TRUE(*store_->delete_manifest("team/app", index.digest));
  std::vector<ManifestKey> due = due_manifests();
  EXPECT_EQ(due.size(), 3u);  // both children and the referrer
  std::vector<ManifestKey> expected{{"team/app", loose.digest}, {"team/app", signature.digest}};
  std::sort(expected.begin(), expected.end(), [](const auto& a, const auto& b) { return a.digest < b.digest; });
  EXPECT_EQ(*store_->collectable_manifests(due, kAfterEverything), expected);
  EXPECT_EQ(*store_->collect_manifests(due, kAfterEverything), expected);
  EXPECT_TRUE(due_manifests().empty());
  EXPECT_FALSE(*store_->manifest_exists("team/app", loose.digest));
  EXPECT_TRUE(*store_->manifest_exists("team/app", tagged.digest));
  // The deleted child's blob is queued in turn.
  EXPECT_EQ(due_blobs(), std::vector<Digest>{digest_of("a")});
}

TEST_P(GcQueue, AManifestReviewNotDueYetKeepsTheManifest) {
  ManifestRecord subject = push("team/app", "{\"subject\":1}", {}, std::nullopt);
  ManifestRecord referrer = manifest_in("team/app", "{\"sbom\":1}", subject.digest);
  ASSERT_TRUE(store_->put_manifest(referrer, {}, std::nullopt).ok());
  ASSERT_TRUE(*store_->delete_manifest("team/app", subject.digest));
  auto due = store_->due_manifest_reviews(now_unix() - 60, std::nullopt, 10);
  ASSERT_TRUE(due.ok());
  EXPECT_TRUE(due->empty());
  std::vector<ManifestKey> keys{{"team/app", referrer.digest}};
  EXPECT_TRUE(store_->collect_manifests(keys, now_unix() - 60)->empty());
  EXPECT_TRUE(*store_->manifest_exists("team/app", referrer.digest));
  EXPECT_EQ(store_->gc_queue_length()->manifests, 1u);
}

TEST_P(GcQueue, DeletingARepositoryQueuesAllItHeld) {
  push("team/app", "{}", {"config", "layer"}, "v1");
  ASSERT_TRUE(store_->link_blob("team/app", digest_of("loose"), 5).ok());
  ASSERT_TRUE(store_->delete_repository("team/app", true).ok());
  EXPECT_EQ(collect(due_blobs()).size(), 3u);
}

TEST_P(GcQueue, ListsUploadsOlderThanACutoff) {
  ASSERT_TRUE(store_->create_upload({"00000000-0000-4000-8000-000000000002", "team/app", 200}).ok());
  ASSERT_TRUE(store_->create_upload({"00000000-0000-4000-8000-000000000001", "team/app", 100}).ok());
  ASSERT_TRUE(store_->create_upload({"00000000-0000-4000-8000-000000000003", "team/app", 300}).ok());
  auto old = store_->uploads_created_before(300, 10);
  ASSERT_TRUE(old.ok());
  ASSERT_EQ(old->size(), 2u);
  EXPECT_EQ((*old)[0].created_unix, 100);
  EXPECT_EQ((*old)[1].id, "00000000-0000-4000-8000-000000000002");
  EXPECT_EQ(store_->uploads_created_before(300, 1)->size(), 1u);
  EXPECT_TRUE(store_->uploads_created_before(kNever, 10)->empty());
}

}  // namespace
}  // namespace berth::metadata

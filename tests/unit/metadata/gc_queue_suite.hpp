// The garbage collection side of the MetadataStore contract (gc_queue_suite.cpp): a second
// fixture over the same backends as MetadataStoreSuite; a backend instantiates both.
#pragma once

#include <chrono>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "metadata_store_suite.hpp"

namespace berth::metadata::gc_queue {

constexpr std::int64_t kNever = std::numeric_limits<std::int64_t>::min();
constexpr std::int64_t kAfterEverything = std::numeric_limits<std::int64_t>::max();
constexpr GcCutoffs kAllDue{kAfterEverything, kAfterEverything};
constexpr std::chrono::seconds kMinute{60};
// For mark_blob_used when no byte store is involved.
inline const std::function<Status()> kNoBytes = [] { return Status{}; };

inline std::int64_t now_unix() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

inline Digest digest_of(std::string_view content) { return Hasher::of(content); }

inline ManifestRecord manifest_in(std::string repository, std::string content, std::optional<Digest> subject = std::nullopt) {
  Digest digest = Hasher::of(content);
  return ManifestRecord{std::move(repository), digest, "application/vnd.oci.image.manifest.v1+json", std::move(content),
                        std::move(subject),    "",     "",                                          1700000000,       std::nullopt};
}

}  // namespace berth::metadata::gc_queue

namespace berth::metadata {

class GcQueue : public MetadataStoreSuite {
 protected:
  // Links the blobs into `repository` and stores a manifest referencing them.
  ManifestRecord push(std::string repository, std::string content, std::initializer_list<std::string_view> blobs,
                      std::optional<std::string_view> tag) {
    std::vector<ManifestReference> references;
    for (auto blob : blobs) {
      EXPECT_TRUE(store_->link_blob(repository, gc_queue::digest_of(blob), blob.size()).ok());
      references.push_back({gc_queue::digest_of(blob), ReferenceKind::blob});
    }
    ManifestRecord record = gc_queue::manifest_in(std::move(repository), std::move(content));
    EXPECT_TRUE(store_->put_manifest(record, references, tag).ok());
    return record;
  }

  std::vector<Digest> due_blobs(const GcCutoffs& cutoffs = gc_queue::kAllDue) {
    auto due = store_->due_blob_reviews(cutoffs, "", 1000);
    EXPECT_TRUE(due.ok());
    return due.ok() ? *due : std::vector<Digest>{};
  }

  std::vector<ManifestKey> due_manifests() {
    auto due = store_->due_manifest_reviews(gc_queue::kAfterEverything, std::nullopt, 1000);
    EXPECT_TRUE(due.ok());
    return due.ok() ? *due : std::vector<ManifestKey>{};
  }

  // Both transactions of a collection; answers the digests whose bytes were removed.
  std::vector<Digest> collect(std::vector<Digest> digests, const GcCutoffs& cutoffs = gc_queue::kAllDue) {
    auto condemned = store_->condemn_blobs(digests, cutoffs);
    EXPECT_TRUE(condemned.ok());
    if (!condemned.ok()) return {};
    auto removed = store_->remove_condemned_blobs(*condemned, [this](const Digest& digest) {
      removed_.push_back(digest);
      return Status{};
    });
    EXPECT_TRUE(removed.ok());
    return removed.ok() ? *removed : std::vector<Digest>{};
  }

  std::vector<Digest> condemned() {
    auto found = store_->condemned_blobs("", 1000);
    EXPECT_TRUE(found.ok());
    return found.ok() ? *found : std::vector<Digest>{};
  }

  std::vector<Digest> removed_;  // what collect asked to remove bytes of
};

}  // namespace berth::metadata

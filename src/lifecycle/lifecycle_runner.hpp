// Applies the repositories' lifecycle policies to what they hold: reads each repository's images,
// evaluates its policy (lifecycle_evaluation) and deletes what expires, one audit event per image
// ("lifecycle:ExpireImage", naming the rule and why). `berth lifecycle run` and the schedule inside
// `berth serve` both run it.
//
// Deleting an image removes its manifest and tags; the blobs it alone referenced are garbage
// collection's to free. Safe to run while clients push: an image pushed after the listing is not
// seen until the next run, and a tag moved onto an expiring image in between goes with it, as ECR
// behaves when a push races its lifecycle evaluation.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "lifecycle/lifecycle_evaluation.hpp"
#include "metadata/metadata_store.hpp"

namespace berth::lifecycle {

struct LifecycleRunOptions {
  std::optional<std::string> repository;  // all repositories with a policy when absent
  bool dry_run = false;                   // evaluate and report; delete nothing, audit nothing
  std::int64_t now_unix = 0;
};

struct RepositoryOutcome {
  std::string repository;
  std::vector<Expiry> expired;  // in the order deleted (oldest push first)
  std::size_t images = 0;       // how many the policy was evaluated over
};

// not_found when `options.repository` names a repository without a lifecycle policy. A failure of
// the store stops the run; what was deleted before it stays deleted and audited.
Result<std::vector<RepositoryOutcome>> run_lifecycle(metadata::MetadataStore& store,
                                                     const LifecycleRunOptions& options);

// A repository's images as lifecycle_evaluation takes them: index children and referrers of an
// image in the same repository are dependents.
Result<std::vector<LifecycleImage>> lifecycle_images(metadata::MetadataStore& store, std::string_view repository);

}  // namespace berth::lifecycle

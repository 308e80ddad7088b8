// When an image was last pulled (ECR's lastRecordedPullTime, reported by DescribeImages): a
// manifest GET on the registry and BatchGetImage on the ECR API record it.
//
// ECR refreshes the time at least once a day; berth records a pull when none is recorded within the
// last hour, so an image pulled constantly costs one write an hour rather than one per pull, and
// the check is made on the record the pull has already read.
#pragma once

#include <cstdint>

#include "common/result.hpp"
#include "metadata/metadata_store.hpp"

namespace berth::registry {

inline constexpr std::int64_t kPullRecordIntervalSeconds = 3600;

bool pull_record_due(const metadata::ManifestRecord& manifest, std::int64_t now_unix);

// Records a pull of `manifest` at `now_unix`. The pull itself has succeeded whatever happens here:
// a failure is logged, not answered.
void record_pull(metadata::MetadataStore& metadata, const metadata::ManifestRecord& manifest, std::int64_t now_unix);

}  // namespace berth::registry

#include "registry/pull_record.hpp"

#include "common/log.hpp"

namespace berth::registry {

bool pull_record_due(const metadata::ManifestRecord& manifest, std::int64_t now_unix) {
  return !manifest.last_pulled_unix || now_unix - *manifest.last_pulled_unix >= kPullRecordIntervalSeconds;
}

void record_pull(metadata::MetadataStore& metadata, const metadata::ManifestRecord& manifest, std::int64_t now_unix) {
  Status recorded = metadata.record_manifest_pull(manifest.repository, manifest.digest, now_unix);
  if (!recorded.ok()) {
    log::warn("could not record a pull", {{"repository", manifest.repository},
                                          {"digest", manifest.digest.str()},
                                          {"error", recorded.error().message}});
  }
}

}  // namespace berth::registry

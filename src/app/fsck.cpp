#include "app/fsck.hpp"

#include <map>
#include <set>
#include <utility>

namespace berth::app {
namespace {

using RepositoryDigest = std::pair<std::string, Digest>;

std::string at(std::string_view repository, const Digest& digest) {
  return std::string(repository) + "@" + digest.str();
}

// Re-hashes every stored blob; returns their sizes by digest for the link checks.
Result<std::map<Digest, std::uint64_t>> check_blobs(storage::BlobStore& blobs, FsckReport& report) {
  std::map<Digest, std::uint64_t> stored;
  BERTH_TRY(blobs.for_each_blob([&](const storage::BlobInfo& blob) { stored.emplace(blob.digest, blob.size); }));
  for (const auto& [digest, size] : stored) {
    ++report.blobs_checked;
    auto actual = blobs.rehash(digest);
    if (!actual.ok()) {
      report.problems.push_back({"blob_unreadable", digest.str(), actual.error().message});
    } else if (*actual != digest) {
      report.problems.push_back({"blob_corrupt", digest.str(), "content hashes to " + actual->str()});
    }
  }
  return stored;
}

Result<std::set<RepositoryDigest>> check_links(metadata::MetadataStore& metadata,
                                               const std::map<Digest, std::uint64_t>& stored, FsckReport& report) {
  std::set<RepositoryDigest> links;
  BERTH_TRY(metadata.for_each_blob_link([&](std::string_view repository, const Digest& digest, std::uint64_t size) {
    links.emplace(std::string(repository), digest);
    auto blob = stored.find(digest);
    if (blob == stored.end()) {
      report.problems.push_back({"link_blob_missing", at(repository, digest), "linked blob is not stored"});
    } else if (blob->second != size) {
      report.problems.push_back(
          {"link_size_mismatch", at(repository, digest),
           "link records " + std::to_string(size) + " bytes, blob has " + std::to_string(blob->second)});
    }
  }));
  return links;
}

struct WalkedManifest {
  std::string repository;
  Digest digest;
  std::vector<metadata::ManifestReference> references;
};

void check_references(const WalkedManifest& manifest, const std::map<Digest, std::uint64_t>& stored,
                      const std::set<RepositoryDigest>& links, const std::set<RepositoryDigest>& manifests,
                      FsckReport& report) {
  std::string subject = at(manifest.repository, manifest.digest);
  for (const auto& reference : manifest.references) {
    RepositoryDigest key{manifest.repository, reference.digest};
    if (reference.kind == metadata::ReferenceKind::manifest) {
      if (!manifests.contains(key)) {
        report.problems.push_back({"reference_manifest_missing", subject, reference.digest.str()});
      }
    } else if (!stored.contains(reference.digest)) {
      report.problems.push_back({"reference_blob_missing", subject, reference.digest.str()});
    } else if (!links.contains(key)) {
      report.problems.push_back({"reference_blob_unlinked", subject, reference.digest.str()});
    }
  }
}

// Checks manifest bytes and references; returns the manifests present, for the tag check.
Result<std::set<RepositoryDigest>> check_manifests(metadata::MetadataStore& metadata,
                                                   const std::map<Digest, std::uint64_t>& stored,
                                                   const std::set<RepositoryDigest>& links, FsckReport& report) {
  std::vector<WalkedManifest> walked;
  std::set<RepositoryDigest> manifests;
  BERTH_TRY(metadata.for_each_manifest(
      [&](const metadata::ManifestRecord& record, const std::vector<metadata::ManifestReference>& references) {
        ++report.manifests_checked;
        Digest actual = Hasher::of(record.content, record.digest.algorithm());
        if (actual != record.digest) {
          report.problems.push_back(
              {"manifest_corrupt", at(record.repository, record.digest), "content hashes to " + actual.str()});
        }
        manifests.emplace(record.repository, record.digest);
        walked.push_back({record.repository, record.digest, references});
      }));
  for (const auto& manifest : walked) check_references(manifest, stored, links, manifests, report);
  return manifests;
}

Status check_tags(metadata::MetadataStore& metadata, const std::set<RepositoryDigest>& manifests, FsckReport& report) {
  return metadata.for_each_tag([&](const metadata::TagRecord& tag) {
    ++report.tags_checked;
    if (!manifests.contains({tag.repository, tag.digest})) {
      report.problems.push_back(
          {"tag_dangling", tag.repository + ":" + tag.tag, "points at missing " + tag.digest.str()});
    }
  });
}

}  // namespace

Result<FsckReport> run_fsck(storage::BlobStore& blobs, metadata::MetadataStore& metadata) {
  FsckReport report;
  auto stored = check_blobs(blobs, report);
  if (!stored.ok()) return std::move(stored).error();
  auto links = check_links(metadata, *stored, report);
  if (!links.ok()) return std::move(links).error();
  auto manifests = check_manifests(metadata, *stored, *links, report);
  if (!manifests.ok()) return std::move(manifests).error();
  BERTH_TRY(check_tags(metadata, *manifests, report));
  auto uploads = blobs.list_uploads();
  if (!uploads.ok()) return std::move(uploads).error();
  report.uploads_in_progress = uploads->size();
  return report;
}

}  // namespace berth::app

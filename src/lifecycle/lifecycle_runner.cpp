#include "lifecycle/lifecycle_runner.hpp"

#include <nlohmann/json.hpp>

#include <set>

namespace berth::lifecycle {
namespace {

constexpr std::size_t kPageSize = 500;

metadata::AuditEvent expiry_event(std::string_view repository, const Expiry& expiry, std::int64_t now_unix) {
  metadata::AuditEvent event;
  event.time_unix = now_unix;
  event.action = "lifecycle:ExpireImage";
  event.repository = std::string(repository);
  event.digest = expiry.digest.str();
  for (const std::string& tag : expiry.tags) event.reference += (event.reference.empty() ? "" : ",") + tag;
  event.claims_json = nlohmann::ordered_json{{"rule", expiry.rule_priority}, {"reason", expiry.reason}}.dump();
  return event;
}

Result<RepositoryOutcome> run_repository(metadata::MetadataStore& store, std::string_view repository,
                                         const LifecyclePolicy& policy, const LifecycleRunOptions& options) {
  Result<std::vector<LifecycleImage>> images = lifecycle_images(store, repository);
  if (!images) return std::move(images).error();
  RepositoryOutcome outcome{std::string(repository), evaluate_lifecycle(policy, *images, options.now_unix),
                            images->size()};
  if (options.dry_run) return outcome;
  std::vector<metadata::AuditEvent> events;
  for (const Expiry& expiry : outcome.expired) {
    Result<bool> deleted = store.delete_manifest(repository, expiry.digest);
    if (!deleted) return std::move(deleted).error();
    // Deleted by someone else since the listing: not this run's expiry to audit.
    if (*deleted) events.push_back(expiry_event(repository, expiry, options.now_unix));
  }
  if (!events.empty()) {
    for (Result<std::int64_t>& appended : store.append_audit_events(events)) {
      if (!appended) return std::move(appended).error();
    }
  }
  return outcome;
}

}  // namespace

Result<std::vector<LifecycleImage>> lifecycle_images(metadata::MetadataStore& store, std::string_view repository) {
  std::vector<metadata::ImageRecord> records;
  std::string after;
  for (;;) {
    Result<std::vector<metadata::ImageRecord>> page = store.list_images(repository, after, kPageSize);
    if (!page) return std::move(page).error();
    if (page->empty()) break;
    after = page->back().digest.str();
    const bool last = page->size() < kPageSize;
    records.insert(records.end(), std::make_move_iterator(page->begin()), std::make_move_iterator(page->end()));
    if (last) break;
  }
  std::set<Digest> present;
  for (const metadata::ImageRecord& record : records) present.insert(record.digest);
  std::set<Digest> dependents;
  for (const metadata::ImageRecord& record : records) {
    dependents.insert(record.child_manifests.begin(), record.child_manifests.end());
  }
  std::vector<LifecycleImage> images;
  images.reserve(records.size());
  for (metadata::ImageRecord& record : records) {
    const bool dependent =
        dependents.contains(record.digest) || (record.subject && present.contains(*record.subject));
    images.push_back(LifecycleImage{record.digest, std::move(record.tags), record.created_unix, dependent});
  }
  return images;
}

Result<std::vector<RepositoryOutcome>> run_lifecycle(metadata::MetadataStore& store,
                                                     const LifecycleRunOptions& options) {
  std::vector<metadata::LifecyclePolicyRecord> policies;
  if (options.repository) {
    Result<std::optional<metadata::LifecyclePolicyRecord>> policy = store.get_lifecycle_policy(*options.repository);
    if (!policy) return std::move(policy).error();
    if (!policy->has_value()) {
      return make_error(ErrorCode::not_found, "repository " + *options.repository + " has no lifecycle policy");
    }
    policies.push_back(std::move(**policy));
  } else {
    std::string after;
    for (;;) {
      Result<std::vector<metadata::LifecyclePolicyRecord>> page = store.list_lifecycle_policies(after, kPageSize);
      if (!page) return std::move(page).error();
      if (page->empty()) break;
      after = page->back().repository;
      const bool last = page->size() < kPageSize;
      policies.insert(policies.end(), std::make_move_iterator(page->begin()), std::make_move_iterator(page->end()));
      if (last) break;
    }
  }
  std::vector<RepositoryOutcome> outcomes;
  for (const metadata::LifecyclePolicyRecord& record : policies) {
    // Stored policies were validated when stored; one that no longer parses is reported, not skipped.
    Result<LifecyclePolicy> policy = parse_lifecycle_policy(record.text);
    if (!policy) {
      return make_error(ErrorCode::internal,
                        "repository " + record.repository + ": stored lifecycle policy: " + policy.error().message);
    }
    Result<RepositoryOutcome> outcome = run_repository(store, record.repository, *policy, options);
    if (!outcome) return std::move(outcome).error();
    if (!options.dry_run) BERTH_TRY(store.record_lifecycle_evaluation(record.repository, options.now_unix));
    outcomes.push_back(std::move(*outcome));
  }
  return outcomes;
}

}  // namespace berth::lifecycle

#include "aws/ecr_lifecycle_policies.hpp"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <string>
#include <vector>

#include "aws/ecr_image_ids.hpp"
#include "aws/ecr_paging.hpp"
#include "lifecycle/lifecycle_evaluation.hpp"
#include "lifecycle/lifecycle_policy.hpp"
#include "lifecycle/lifecycle_runner.hpp"

namespace berth::aws {
namespace {

constexpr std::string_view kPreviewListing = "GetLifecyclePolicyPreview";
constexpr std::size_t kMaxImageIds = 100;

// The policy text member, validated and compacted as it is stored.
Result<std::string> read_policy_text(const EcrJsonInput& input, const std::string& text) {
  if (text.size() < lifecycle::kMinLifecyclePolicyLength || text.size() > lifecycle::kMaxLifecyclePolicyLength) {
    return make_error(ErrorCode::aws_validation_exception,
                      "1 validation error detected: Value at 'lifecyclePolicyText' failed to satisfy constraint: "
                      "Member must have length less than or equal to 30720 and greater than or equal to 100");
  }
  Result<std::string> normalised = lifecycle::normalise_lifecycle_policy(text);
  if (!normalised) {
    return input.invalid("lifecyclePolicyText", "Lifecycle policy validation failure: " + normalised.error().message);
  }
  return normalised;
}

Error policy_not_found(const EcrServices& services, std::string_view repository) {
  return make_error(ErrorCode::aws_lifecycle_policy_not_found,
                    "Lifecycle policy does not exist for the repository with name '" + std::string(repository) +
                        "' in the registry with id '" + services.options.account.account_id + "'");
}

nlohmann::json policy_json(const EcrServices& services, const metadata::LifecyclePolicyRecord& policy) {
  nlohmann::json output{{"registryId", services.options.account.account_id},
                        {"repositoryName", policy.repository},
                        {"lifecyclePolicyText", policy.text}};
  if (policy.evaluated_unix) output["lastEvaluatedAt"] = *policy.evaluated_unix;
  return output;
}

std::int64_t unix_seconds(std::chrono::system_clock::time_point time) {
  return std::chrono::duration_cast<std::chrono::seconds>(time.time_since_epoch()).count();
}

bool names(const ImageId& id, const metadata::PreviewExpiry& expiry) {
  if (id.digest && *id.digest != expiry.digest.str()) return false;
  return !id.tag || std::find(expiry.tags.begin(), expiry.tags.end(), *id.tag) != expiry.tags.end();
}

// Which preview results a GetLifecyclePolicyPreview asks for.
struct PreviewSelection {
  std::vector<ImageId> ids;  // all results when empty: `imageIds` has at least one entry
  TagStatus tag_status = TagStatus::any;

  bool matches(const metadata::PreviewExpiry& expiry) const {
    if (!tag_status_matches(tag_status, expiry.tags)) return false;
    return ids.empty() || std::any_of(ids.begin(), ids.end(), [&](const ImageId& id) { return names(id, expiry); });
  }
};

Result<PreviewSelection> read_preview_selection(const EcrJsonInput& input) {
  BERTH_TRY(check_not_paged(input, "imageIds"));
  Result<std::optional<std::vector<ImageId>>> ids = read_image_ids(input, 1, kMaxImageIds);
  if (!ids) return std::move(ids).error();
  PreviewSelection selection;
  if (ids->has_value()) selection.ids = std::move(**ids);
  Result<std::optional<EcrJsonInput>> filter = input.object("filter", {"tagStatus"});
  if (!filter) return std::move(filter).error();
  if (filter->has_value()) {
    Result<TagStatus> tag_status = read_tag_status(**filter);
    if (!tag_status) return std::move(tag_status).error();
    selection.tag_status = *tag_status;
  }
  return selection;
}

// A page position is the index of the last result sent.
Result<std::size_t> first_index(const EcrJsonInput& input, const PageRequest& page) {
  if (page.position.empty()) return std::size_t{0};
  std::size_t last = 0;
  const char* end = page.position.data() + page.position.size();
  const auto [rest, error] = std::from_chars(page.position.data(), end, last);
  if (error != std::errc() || rest != end) return invalid_next_token(input, kPreviewListing);
  return last + 1;
}

nlohmann::json preview_result(const metadata::PreviewExpiry& expiry) {
  nlohmann::json result{{"imageDigest", expiry.digest.str()},
                        {"imagePushedAt", expiry.pushed_unix},
                        {"action", {{"type", "EXPIRE"}}},
                        {"appliedRulePriority", expiry.rule_priority}};
  if (!expiry.tags.empty()) result["imageTags"] = expiry.tags;
  return result;
}

}  // namespace

Result<EcrOutput> put_lifecycle_policy(EcrServices& services, const EcrCall& call, std::string_view body) {
  Result<EcrJsonInput> input = EcrJsonInput::parse(body, {"registryId", "repositoryName", "lifecyclePolicyText"});
  if (!input) return std::move(input).error();
  Result<std::string> name = open_repository(services, call, *input, "ecr:PutLifecyclePolicy");
  if (!name) return std::move(name).error();
  Result<std::string> given = input->required_string("lifecyclePolicyText");
  if (!given) return std::move(given).error();
  Result<std::string> text = read_policy_text(*input, *given);
  if (!text) return std::move(text).error();

  Result<bool> set = services.metadata.set_lifecycle_policy(*name, *text);
  if (!set) return std::move(set).error();
  if (!*set) return repository_not_found(services, *name);
  return EcrOutput{nlohmann::json{{"registryId", services.options.account.account_id},
                                  {"repositoryName", *name},
                                  {"lifecyclePolicyText", *text}},
                   {change_event(call, "ecr:PutLifecyclePolicy", *name)}};
}

Result<nlohmann::json> get_lifecycle_policy(EcrServices& services, const EcrCall& call, std::string_view body) {
  Result<EcrJsonInput> input = EcrJsonInput::parse(body, {"registryId", "repositoryName"});
  if (!input) return std::move(input).error();
  Result<std::string> name = open_repository(services, call, *input, "ecr:GetLifecyclePolicy");
  if (!name) return std::move(name).error();
  Result<std::optional<metadata::LifecyclePolicyRecord>> policy = services.metadata.get_lifecycle_policy(*name);
  if (!policy) return std::move(policy).error();
  if (!policy->has_value()) return policy_not_found(services, *name);
  return policy_json(services, **policy);
}

Result<EcrOutput> delete_lifecycle_policy(EcrServices& services, const EcrCall& call, std::string_view body) {
  Result<EcrJsonInput> input = EcrJsonInput::parse(body, {"registryId", "repositoryName"});
  if (!input) return std::move(input).error();
  Result<std::string> name = open_repository(services, call, *input, "ecr:DeleteLifecyclePolicy");
  if (!name) return std::move(name).error();
  Result<std::optional<metadata::LifecyclePolicyRecord>> deleted = services.metadata.delete_lifecycle_policy(*name);
  if (!deleted) return std::move(deleted).error();
  if (!deleted->has_value()) return policy_not_found(services, *name);
  return EcrOutput{policy_json(services, **deleted), {change_event(call, "ecr:DeleteLifecyclePolicy", *name)}};
}

Result<nlohmann::json> start_lifecycle_policy_preview(EcrServices& services, const EcrCall& call,
                                                      std::string_view body) {
  Result<EcrJsonInput> input = EcrJsonInput::parse(body, {"registryId", "repositoryName", "lifecyclePolicyText"});
  if (!input) return std::move(input).error();
  Result<std::string> name = open_repository(services, call, *input, "ecr:StartLifecyclePolicyPreview");
  if (!name) return std::move(name).error();
  Result<std::optional<std::string>> given = input->string("lifecyclePolicyText");
  if (!given) return std::move(given).error();
  std::string text;
  if (given->has_value()) {
    Result<std::string> checked = read_policy_text(*input, **given);
    if (!checked) return std::move(checked).error();
    text = std::move(*checked);
  } else {
    Result<std::optional<metadata::LifecyclePolicyRecord>> stored = services.metadata.get_lifecycle_policy(*name);
    if (!stored) return std::move(stored).error();
    if (!stored->has_value()) return policy_not_found(services, *name);
    text = std::move((*stored)->text);
  }
  Result<lifecycle::LifecyclePolicy> policy = lifecycle::parse_lifecycle_policy(text);
  if (!policy) return make_error(ErrorCode::internal, "stored lifecycle policy: " + policy.error().message);
  Result<std::vector<lifecycle::LifecycleImage>> images = lifecycle::lifecycle_images(services.metadata, *name);
  if (!images) return std::move(images).error();

  metadata::LifecyclePreview preview{*name, text, {}, 0};
  for (lifecycle::Expiry& expiry : lifecycle::evaluate_lifecycle(*policy, *images, unix_seconds(call.now))) {
    preview.expiries.push_back({std::move(expiry.digest), std::move(expiry.tags), expiry.pushed_unix,
                                expiry.rule_priority});
  }
  Status stored = services.metadata.put_lifecycle_preview(preview);
  if (!stored) {
    // Deleted by another call since it was opened.
    if (stored.error().code == ErrorCode::name_unknown) return repository_not_found(services, *name);
    return std::move(stored).error();
  }
  return nlohmann::json{{"registryId", services.options.account.account_id},
                        {"repositoryName", *name},
                        {"lifecyclePolicyText", text},
                        {"status", "COMPLETE"}};
}

Result<nlohmann::json> get_lifecycle_policy_preview(EcrServices& services, const EcrCall& call,
                                                    std::string_view body) {
  Result<EcrJsonInput> input = EcrJsonInput::parse(
      body, {"registryId", "repositoryName", "imageIds", "nextToken", "maxResults", "filter"});
  if (!input) return std::move(input).error();
  Result<std::string> name = open_repository(services, call, *input, "ecr:GetLifecyclePolicyPreview");
  if (!name) return std::move(name).error();
  Result<PreviewSelection> selection = read_preview_selection(*input);
  if (!selection) return std::move(selection).error();
  Result<PageRequest> page = read_page_request(*input, kPreviewListing);
  if (!page) return std::move(page).error();
  Result<std::size_t> first = first_index(*input, *page);
  if (!first) return std::move(first).error();

  Result<std::optional<metadata::LifecyclePreview>> preview = services.metadata.get_lifecycle_preview(*name);
  if (!preview) return std::move(preview).error();
  if (!preview->has_value()) {
    return make_error(ErrorCode::aws_lifecycle_policy_preview_not_found,
                      "There is no lifecycle policy preview for the repository with name '" + *name +
                          "' in the registry with id '" + services.options.account.account_id + "'");
  }
  const std::vector<metadata::PreviewExpiry>& expiries = (*preview)->expiries;
  nlohmann::json output{{"registryId", services.options.account.account_id},
                        {"repositoryName", *name},
                        {"lifecyclePolicyText", (*preview)->policy_text},
                        {"status", "COMPLETE"},
                        {"summary", {{"expiringImageTotalCount", expiries.size()}}}};
  PageBuilder builder(kPreviewListing, page->limit);
  for (std::size_t index = *first; index < expiries.size(); ++index) {
    if (!selection->matches(expiries[index])) continue;
    if (!builder.add(preview_result(expiries[index]), std::to_string(index))) break;
  }
  std::move(builder).finish(output, "previewResults");
  return output;
}

}  // namespace berth::aws

// ECR lifecycle policy documents (lifecycle/lifecycle_policy), as PutLifecyclePolicy and `berth apply`
// receive them, then evaluated (lifecycle/lifecycle_evaluation) over a small repository.
// Invariants: what is accepted re-parses to the same text and rules; evaluation expires each image at
// most once, never a dependent one, and names an existing rule.
#include <set>

#include "fuzz_input.hpp"
#include "lifecycle/lifecycle_evaluation.hpp"

using berth::fuzz::check;
using namespace berth::lifecycle;

namespace {

constexpr std::int64_t kNow = 1'800'000'000;

std::vector<LifecycleImage> repository() {
  std::vector<LifecycleImage> images;
  const std::vector<std::vector<std::string>> tags = {{}, {"v1"}, {"prod-1", "beta-1"}, {"release-2"}, {}, {"test-1-2-3"}};
  for (std::size_t i = 0; i < tags.size(); ++i) {
    images.push_back(LifecycleImage{berth::Hasher::of(std::string(1, static_cast<char>('a' + i))), tags[i],
                                    kNow - static_cast<std::int64_t>(i) * 5 * 86'400, i == 4});
  }
  return images;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto policy = parse_lifecycle_policy(text);
  if (!policy) {
    check(policy.error().code == berth::ErrorCode::invalid_argument, "refusal other than invalid_argument");
    return 0;
  }
  check(!policy->rules.empty(), "a policy without rules accepted");
  const auto again = parse_lifecycle_policy(policy->text + std::string(100, ' '));
  check(again.ok() && again->text == policy->text && again->rules.size() == policy->rules.size(),
        "the stored text does not parse back to the same policy");

  static const std::vector<LifecycleImage> images = repository();
  std::set<std::int64_t> priorities;
  for (const LifecycleRule& rule : policy->rules) priorities.insert(rule.priority);
  std::set<berth::Digest> expired;
  for (const Expiry& expiry : evaluate_lifecycle(*policy, images, kNow)) {
    check(expired.insert(expiry.digest).second, "an image expired twice");
    check(priorities.contains(expiry.rule_priority), "an expiry names no rule of the policy");
    check(expiry.digest != images[4].digest, "a dependent image expired");
  }
  return 0;
}

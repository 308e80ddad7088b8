#include "lifecycle/lifecycle_evaluation.hpp"

#include <algorithm>
#include <map>
#include <set>

namespace berth::lifecycle {
namespace {

constexpr std::int64_t kSecondsPerDay = 86'400;

bool any_tag(const LifecycleImage& image, auto&& matches) {
  return std::ranges::any_of(image.tags, matches);
}

bool selects(const LifecycleRule& rule, const LifecycleImage& image) {
  switch (rule.tag_status) {
    case TagStatus::any:
      return true;
    case TagStatus::untagged:
      return image.tags.empty();
    case TagStatus::tagged:
      break;
  }
  if (image.tags.empty()) return false;
  for (const std::string& prefix : rule.tag_prefixes) {
    if (!any_tag(image, [&](const std::string& tag) { return tag.starts_with(prefix); })) return false;
  }
  for (const std::string& pattern : rule.tag_patterns) {
    if (!any_tag(image, [&](const std::string& tag) { return tag_pattern_matches(pattern, tag); })) return false;
  }
  return true;
}

// Newest first; the same second is broken by digest (the greater one counts as newer).
bool newer(const LifecycleImage* a, const LifecycleImage* b) {
  if (a->pushed_unix != b->pushed_unix) return a->pushed_unix > b->pushed_unix;
  return b->digest < a->digest;
}

}  // namespace

bool tag_pattern_matches(std::string_view pattern, std::string_view tag) {
  std::size_t p = 0;
  std::size_t t = 0;
  std::size_t star = std::string_view::npos;  // the last `*` seen, and where in `tag` it took over
  std::size_t resume = 0;
  while (t < tag.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      resume = t;
    } else if (p < pattern.size() && pattern[p] == tag[t]) {
      ++p;
      ++t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

std::vector<Expiry> evaluate_lifecycle(const LifecyclePolicy& policy, std::span<const LifecycleImage> images,
                                       std::int64_t now_unix) {
  std::vector<const LifecycleImage*> candidates;
  for (const LifecycleImage& image : images) {
    if (!image.dependent) candidates.push_back(&image);
  }
  std::ranges::sort(candidates, newer);

  std::set<const LifecycleImage*> claimed;  // selected by an earlier rule: no later rule may expire them
  std::map<const LifecycleImage*, Expiry> expired;
  for (const LifecycleRule& rule : policy.rules) {
    std::vector<const LifecycleImage*> selected;
    for (const LifecycleImage* image : candidates) {
      if (selects(rule, *image)) selected.push_back(image);
    }
    const auto total = static_cast<std::int64_t>(selected.size());
    for (std::int64_t rank = 0; rank < total; ++rank) {
      const LifecycleImage* image = selected[static_cast<std::size_t>(rank)];
      if (claimed.contains(image)) continue;
      std::string reason;
      if (rule.count_type == CountType::image_count_more_than) {
        if (rank < rule.count_number) continue;
        reason = "number " + std::to_string(rank + 1) + " by push time of the " + std::to_string(total) +
                 " images the rule selects; it keeps the newest " + std::to_string(rule.count_number);
      } else {
        const std::int64_t age = now_unix - image->pushed_unix;
        if (age <= rule.count_number * kSecondsPerDay) continue;
        reason = "pushed " + std::to_string(age / kSecondsPerDay) + " days ago; the rule expires images older than " +
                 std::to_string(rule.count_number) + " days";
      }
      expired.emplace(image, Expiry{image->digest, image->tags, image->pushed_unix, rule.priority, std::move(reason)});
    }
    claimed.insert(selected.begin(), selected.end());
  }

  std::vector<Expiry> result;
  for (auto it = candidates.rbegin(); it != candidates.rend(); ++it) {
    if (auto found = expired.find(*it); found != expired.end()) result.push_back(std::move(found->second));
  }
  return result;
}

}  // namespace berth::lifecycle

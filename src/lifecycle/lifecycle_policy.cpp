#include "lifecycle/lifecycle_policy.hpp"

#include <algorithm>
#include <initializer_list>
#include <optional>
#include <set>

#include <nlohmann/json.hpp>

namespace berth::lifecycle {
namespace {

using Json = nlohmann::ordered_json;

constexpr int kMaxWildcardsPerPattern = 4;

Error invalid(const std::string& where, const std::string& message) {
  return make_error(ErrorCode::invalid_argument, "invalid lifecycle policy: " + where + ": " + message);
}

Status only_keys(const Json& object, const std::string& where, std::initializer_list<std::string_view> allowed) {
  for (const auto& item : object.items()) {
    if (std::ranges::find(allowed, item.key()) == allowed.end())
      return invalid(where, "unknown key \"" + item.key() + "\"");
  }
  return {};
}

std::optional<std::int64_t> positive_integer(const Json& value) {
  if (!value.is_number_integer()) return std::nullopt;
  const auto number = value.get<std::int64_t>();
  if (number < 1) return std::nullopt;
  return number;
}

Result<std::vector<std::string>> tag_list(const Json& selection, const char* key, const std::string& where) {
  std::vector<std::string> entries;
  const auto found = selection.find(key);
  if (found == selection.end()) return entries;
  const std::string list_where = where + "." + key;
  if (!found->is_array() || found->empty()) return invalid(list_where, "must be a non-empty list of strings");
  for (const auto& entry : *found) {
    if (!entry.is_string() || entry.get_ref<const std::string&>().empty()) {
      return invalid(list_where, "must be a non-empty list of non-empty strings");
    }
    entries.push_back(entry.get<std::string>());
  }
  return entries;
}

Status check_selection(const Json& selection, const std::string& where, LifecycleRule& rule) {
  if (!selection.is_object()) return invalid(where, "must be an object");
  BERTH_TRY(only_keys(selection, where,
                      {"tagStatus", "tagPrefixList", "tagPatternList", "countType", "countUnit", "countNumber"}));
  const auto status = selection.find("tagStatus");
  if (status == selection.end() || !status->is_string() ||
      (*status != "tagged" && *status != "untagged" && *status != "any")) {
    return invalid(where + ".tagStatus", "required, one of \"tagged\", \"untagged\", \"any\"");
  }
  rule.tag_status = *status == "tagged" ? TagStatus::tagged : *status == "untagged" ? TagStatus::untagged : TagStatus::any;
  auto prefixes = tag_list(selection, "tagPrefixList", where);
  if (!prefixes) return std::move(prefixes).error();
  auto patterns = tag_list(selection, "tagPatternList", where);
  if (!patterns) return std::move(patterns).error();
  if (rule.tag_status == TagStatus::tagged && prefixes->empty() && patterns->empty()) {
    return invalid(where, "tagStatus \"tagged\" needs tagPrefixList or tagPatternList");
  }
  if (rule.tag_status != TagStatus::tagged && (!prefixes->empty() || !patterns->empty())) {
    return invalid(where, "tagPrefixList and tagPatternList are only allowed with tagStatus \"tagged\"");
  }
  for (const auto& pattern : *patterns) {
    if (std::ranges::count(pattern, '*') > kMaxWildcardsPerPattern) {
      return invalid(where + ".tagPatternList", "\"" + pattern + "\" has more than 4 wildcards");
    }
  }
  rule.tag_prefixes = std::move(*prefixes);
  rule.tag_patterns = std::move(*patterns);

  const auto count_type = selection.find("countType");
  if (count_type == selection.end() || (*count_type != "imageCountMoreThan" && *count_type != "sinceImagePushed")) {
    return invalid(where + ".countType", "required, one of \"imageCountMoreThan\", \"sinceImagePushed\"");
  }
  const bool since_pushed = *count_type == "sinceImagePushed";
  const auto unit = selection.find("countUnit");
  if (since_pushed && (unit == selection.end() || *unit != "days")) {
    return invalid(where + ".countUnit", "must be \"days\" with countType \"sinceImagePushed\"");
  }
  if (!since_pushed && unit != selection.end()) {
    return invalid(where + ".countUnit", "only allowed with countType \"sinceImagePushed\"");
  }
  const auto count = selection.find("countNumber");
  if (count == selection.end() || !positive_integer(*count)) {
    return invalid(where + ".countNumber", "required, a positive integer");
  }
  rule.count_type = since_pushed ? CountType::since_image_pushed : CountType::image_count_more_than;
  rule.count_number = count->get<std::int64_t>();
  return {};
}

Result<LifecycleRule> check_rule(const Json& rule, const std::string& where) {
  if (!rule.is_object()) return invalid(where, "must be an object");
  BERTH_TRY(only_keys(rule, where, {"rulePriority", "description", "selection", "action"}));
  LifecycleRule summary;
  const auto priority = rule.find("rulePriority");
  if (priority == rule.end() || !positive_integer(*priority)) {
    return invalid(where + ".rulePriority", "required, a positive integer");
  }
  summary.priority = priority->get<std::int64_t>();
  if (const auto description = rule.find("description"); description != rule.end()) {
    if (!description->is_string()) return invalid(where + ".description", "must be a string");
    summary.description = description->get<std::string>();
  }
  const auto selection = rule.find("selection");
  if (selection == rule.end()) return invalid(where + ".selection", "required");
  BERTH_TRY(check_selection(*selection, where + ".selection", summary));
  const auto action = rule.find("action");
  if (action == rule.end() || !action->is_object()) return invalid(where + ".action", "required, an object");
  BERTH_TRY(only_keys(*action, where + ".action", {"type"}));
  if (action->value("type", Json()) != "expire") return invalid(where + ".action.type", "must be \"expire\"");
  return summary;
}

Status check_rule_set(const std::vector<LifecycleRule>& rules) {
  std::set<std::int64_t> priorities;
  std::set<std::string> prefixes;
  bool untagged_seen = false;
  std::int64_t highest = 0;
  for (const auto& rule : rules) {
    if (!priorities.insert(rule.priority).second) {
      return invalid("rules", "rulePriority " + std::to_string(rule.priority) + " is used twice");
    }
    highest = std::max(highest, rule.priority);
    for (const auto& prefix : rule.tag_prefixes) {
      if (!prefixes.insert(prefix).second)
        return invalid("rules", "tag prefix \"" + prefix + "\" is used by two rules");
    }
    if (rule.tag_status == TagStatus::untagged) {
      if (untagged_seen) return invalid("rules", "only one rule may select untagged images");
      untagged_seen = true;
    }
  }
  for (const auto& rule : rules) {
    if (rule.tag_status == TagStatus::any && rule.priority != highest) {
      return invalid("rules", "the rule with tagStatus \"any\" (rulePriority " + std::to_string(rule.priority) +
                                  ") must have the highest rulePriority");
    }
  }
  return {};
}

}  // namespace

Result<LifecyclePolicy> parse_lifecycle_policy(std::string_view text) {
  if (text.size() < kMinLifecyclePolicyLength || text.size() > kMaxLifecyclePolicyLength) {
    return make_error(ErrorCode::invalid_argument, "invalid lifecycle policy: length " + std::to_string(text.size()) +
                                                       " is outside 100 to 30720 characters");
  }
  Json document = Json::parse(text, nullptr, false);
  if (document.is_discarded())
    return make_error(ErrorCode::invalid_argument, "invalid lifecycle policy: not valid JSON");
  if (!document.is_object()) return invalid("policy", "must be a JSON object");
  BERTH_TRY(only_keys(document, "policy", {"rules"}));
  const auto rules = document.find("rules");
  if (rules == document.end() || !rules->is_array() || rules->empty()) {
    return invalid("rules", "required, a non-empty list");
  }
  LifecyclePolicy policy;
  for (std::size_t i = 0; i < rules->size(); ++i) {
    auto rule = check_rule((*rules)[i], "rules[" + std::to_string(i) + "]");
    if (!rule) return std::move(rule).error();
    policy.rules.push_back(std::move(*rule));
  }
  BERTH_TRY(check_rule_set(policy.rules));
  std::ranges::sort(policy.rules, {}, &LifecycleRule::priority);
  policy.text = document.dump();
  return policy;
}

Result<std::string> normalise_lifecycle_policy(std::string_view text) {
  Result<LifecyclePolicy> policy = parse_lifecycle_policy(text);
  if (!policy) return std::move(policy).error();
  return std::move(policy->text);
}

std::string canned_lifecycle_policy(CannedLifecycle type, std::int64_t count) {
  const std::string number = std::to_string(count);
  Json selection = {{"tagStatus", "any"}};
  std::string description;
  if (type == CannedLifecycle::days) {
    selection["countType"] = "sinceImagePushed";
    selection["countUnit"] = "days";
    description = "Expire images older than " + number + " day(s)";
  } else {
    selection["countType"] = "imageCountMoreThan";
    description = "Retain " + number + " newest images, expire all others";
  }
  selection["countNumber"] = count;
  Json rule = {{"rulePriority", 1}, {"description", description}, {"selection", selection}};
  rule["action"] = {{"type", "expire"}};
  return Json{{"rules", Json::array({rule})}}.dump();
}

}  // namespace berth::lifecycle

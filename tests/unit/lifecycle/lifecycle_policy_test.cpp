#include "lifecycle/lifecycle_policy.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace berth::lifecycle {
namespace {

using Json = nlohmann::ordered_json;

// Tagged, untagged and any rules, in the shape of ECR's documentation examples.
Json valid_policy() {
  return Json::parse(R"({"rules": [
    {"rulePriority": 1, "description": "keep releases",
     "selection": {"tagStatus": "tagged", "tagPrefixList": ["v"], "countType": "imageCountMoreThan", "countNumber": 30},
     "action": {"type": "expire"}},
    {"rulePriority": 5,
     "selection": {"tagStatus": "tagged", "tagPatternList": ["*test*1*2*3", "test*1*2*3*"],
                   "countType": "imageCountMoreThan", "countNumber": 3},
     "action": {"type": "expire"}},
    {"rulePriority": 7,
     "selection": {"tagStatus": "untagged", "countType": "sinceImagePushed", "countUnit": "days", "countNumber": 14},
     "action": {"type": "expire"}},
    {"rulePriority": 9,
     "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 100},
     "action": {"type": "expire"}}
  ]})");
}

std::string error_of(const Json& policy) {
  auto result = normalise_lifecycle_policy(policy.dump(2) + std::string(kMinLifecyclePolicyLength, ' '));
  if (result.ok()) return "accepted";
  EXPECT_EQ(result.error().code, ErrorCode::invalid_argument);
  return result.error().message;
}

TEST(LifecyclePolicy, ValidPolicyIsReturnedCompactInItsKeyOrder) {
  const Json policy = valid_policy();
  auto normalised = normalise_lifecycle_policy(policy.dump(4));
  ASSERT_TRUE(normalised.ok()) << normalised.error().message;
  EXPECT_EQ(*normalised, policy.dump());
}

TEST(LifecyclePolicy, RefusesBrokenRules) {
  struct Case {
    std::string pointer;
    Json value;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"/rules/0/rulePriority", 0, "rules[0].rulePriority: required, a positive integer"},
      {"/rules/0/rulePriority", "1", "rules[0].rulePriority: required, a positive integer"},
      {"/rules/1/rulePriority", 1, "rules: rulePriority 1 is used twice"},
      {"/rules/0/selection/tagStatus", "all",
       "rules[0].selection.tagStatus: required, one of \"tagged\", "
       "\"untagged\", \"any\""},
      {"/rules/0/selection/tagPrefixList", Json::array(),
       "rules[0].selection.tagPrefixList: must be a non-empty list "
       "of strings"},
      {"/rules/1/selection/tagPatternList/0", "test*1*2*3*4*5*6",
       "rules[1].selection.tagPatternList: \"test*1*2*3*4*5*6\" has more than 4 wildcards"},
      {"/rules/2/selection/tagPrefixList", Json::array({"x"}),
       "rules[2].selection: tagPrefixList and tagPatternList are only allowed with tagStatus \"tagged\""},
      {"/rules/0/selection/countType", "imageCountLessThan",
       "rules[0].selection.countType: required, one of \"imageCountMoreThan\", \"sinceImagePushed\""},
      {"/rules/0/selection/countUnit", "days",
       "rules[0].selection.countUnit: only allowed with countType \"sinceImagePushed\""},
      {"/rules/2/selection/countUnit", "hours",
       "rules[2].selection.countUnit: must be \"days\" with countType \"sinceImagePushed\""},
      {"/rules/0/selection/countNumber", 0, "rules[0].selection.countNumber: required, a positive integer"},
      {"/rules/0/selection/countNumber", 1.5, "rules[0].selection.countNumber: required, a positive integer"},
      {"/rules/0/action/type", "transition", "rules[0].action.type: must be \"expire\""},
      {"/rules/0/extra", true, "rules[0]: unknown key \"extra\""},
      {"/rules/0/description", 3, "rules[0].description: must be a string"},
      {"/rules/3/rulePriority", 6,
       "rules: the rule with tagStatus \"any\" (rulePriority 6) must have the highest "
       "rulePriority"},
      {"/rules/1/selection", Json::parse(R"({"tagStatus": "untagged", "countType": "imageCountMoreThan",
                                              "countNumber": 1})"),
       "rules: only one rule may select untagged images"},
      {"/rules/1/selection/tagPatternList", nullptr,
       "rules[1].selection: tagStatus \"tagged\" needs tagPrefixList or "
       "tagPatternList"},
      {"/rules/1/selection/tagPrefixList", Json::array({"v"}), "rules: tag prefix \"v\" is used by two rules"},
      {"/rules", Json::array(), "rules: required, a non-empty list"},
  };
  for (const auto& test : cases) {
    Json policy = valid_policy();
    if (test.value.is_null()) {
      policy[Json::json_pointer(test.pointer).parent_pointer()].erase(Json::json_pointer(test.pointer).back());
    } else {
      policy[Json::json_pointer(test.pointer)] = test.value;
    }
    EXPECT_EQ(error_of(policy), "invalid lifecycle policy: " + test.message) << test.pointer;
  }
}

TEST(LifecyclePolicy, RefusesWhatIsNotAPolicyDocument) {
  const std::string padding(100, ' ');
  EXPECT_EQ(normalise_lifecycle_policy("{\"rules\": [" + padding).error().message,
            "invalid lifecycle policy: not valid JSON");
  EXPECT_EQ(normalise_lifecycle_policy("[1]" + padding).error().message,
            "invalid lifecycle policy: policy: must be a JSON object");
  EXPECT_EQ(normalise_lifecycle_policy(R"({"rules": []})").error().message,
            "invalid lifecycle policy: length 13 is outside 100 to 30720 characters");
  EXPECT_FALSE(normalise_lifecycle_policy(valid_policy().dump() + std::string(30720, ' ')).ok());
  EXPECT_EQ(normalise_lifecycle_policy("{\"rule\": 1}" + padding).error().message,
            "invalid lifecycle policy: policy: unknown key \"rule\"");
}

TEST(LifecyclePolicy, CannedPoliciesAsTheModuleRendersThem) {
  EXPECT_EQ(canned_lifecycle_policy(CannedLifecycle::days, 30),
            R"j({"rules":[{"rulePriority":1,"description":"Expire images older than 30 day(s)","selection":)j"
            R"j({"tagStatus":"any","countType":"sinceImagePushed","countUnit":"days","countNumber":30},)j"
            R"j("action":{"type":"expire"}}]})j");
  EXPECT_EQ(canned_lifecycle_policy(CannedLifecycle::images, 5),
            R"({"rules":[{"rulePriority":1,"description":"Retain 5 newest images, expire all others","selection":)"
            R"({"tagStatus":"any","countType":"imageCountMoreThan","countNumber":5},"action":{"type":"expire"}}]})");
  for (const auto type : {CannedLifecycle::days, CannedLifecycle::images}) {
    const std::string text = canned_lifecycle_policy(type, 1);
    auto normalised = normalise_lifecycle_policy(text);
    ASSERT_TRUE(normalised.ok()) << normalised.error().message;
    EXPECT_EQ(*normalised, text);
  }
}

}  // namespace
}  // namespace berth::lifecycle

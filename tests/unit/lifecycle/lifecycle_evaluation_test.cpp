#include "lifecycle/lifecycle_evaluation.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace berth::lifecycle {
namespace {

constexpr std::int64_t kNow = 1'800'000'000;
constexpr std::int64_t kDay = 86'400;

Digest digest_of(char name) { return Hasher::of(std::string(1, name)); }

LifecycleImage image(char name, std::vector<std::string> tags, double days_ago, bool dependent = false) {
  return LifecycleImage{digest_of(name), std::move(tags), kNow - static_cast<std::int64_t>(days_ago * kDay),
                        dependent};
}

LifecyclePolicy policy(const std::string& rules) {
  auto parsed = parse_lifecycle_policy(R"({"rules": [)" + rules + "]}" + std::string(100, ' '));
  EXPECT_TRUE(parsed.ok()) << parsed.error().message;
  return parsed.ok() ? std::move(*parsed) : LifecyclePolicy{};
}

std::string rule(int priority, const std::string& selection) {
  return R"({"rulePriority": )" + std::to_string(priority) + R"(, "selection": )" + selection +
         R"(, "action": {"type": "expire"}})";
}

// The expired images by name, oldest first, as evaluate_lifecycle orders them.
std::string expired_names(const LifecyclePolicy& rules, const std::vector<LifecycleImage>& images) {
  std::string names;
  for (const Expiry& expiry : evaluate_lifecycle(rules, images, kNow)) {
    for (const LifecycleImage& candidate : images) {
      if (candidate.digest == expiry.digest) names += static_cast<char>('A' + (&candidate - images.data()));
    }
  }
  return names;
}

// ECR user guide, "Examples of lifecycle policies": each case is one documented repository, policy and result.
TEST(LifecycleEvaluation, EcrDocumentedExamples) {
  struct Case {
    const char* name;
    std::string rules;
    std::vector<LifecycleImage> images;
    std::string expired;
  };
  const std::vector<LifecycleImage> beta_prod = {image('A', {"beta-1", "prod-1"}, 10),
                                                 image('B', {"beta-2", "prod-2"}, 9), image('C', {"beta-3"}, 8)};
  const std::string keep_one_prod =
      rule(1, R"({"tagStatus": "tagged", "tagPrefixList": ["prod"], "countType": "imageCountMoreThan", "countNumber": 1})");
  const std::string keep_one_beta =
      rule(2, R"({"tagStatus": "tagged", "tagPrefixList": ["beta"], "countType": "imageCountMoreThan", "countNumber": 1})");
  const std::vector<Case> cases = {
      {"multiple rules A: B is seen by rule 1, so rule 2 may not expire it", keep_one_prod + "," + keep_one_beta,
       beta_prod, "A"},
      {"multiple rules B: rule 2 sees only images rule 1 already saw",
       rule(1, R"({"tagStatus": "tagged", "tagPrefixList": ["beta"], "countType": "imageCountMoreThan", "countNumber": 1})") +
           "," +
           rule(2, R"({"tagStatus": "tagged", "tagPrefixList": ["prod"], "countType": "imageCountMoreThan", "countNumber": 1})"),
       beta_prod, "AB"},
      {"multiple prefixes in one rule must all match",
       rule(1, R"({"tagStatus": "tagged", "tagPrefixList": ["alpha", "beta"], "countType": "sinceImagePushed",
                   "countUnit": "days", "countNumber": 5})"),
       {image('A', {"alpha-1"}, 12), image('B', {"beta-1"}, 11), image('C', {"alpha-2", "beta-2"}, 10),
        image('D', {"alpha-3"}, 4), image('E', {"beta-3"}, 3), image('F', {"alpha-4", "beta-4"}, 2)},
       "C"},
      {"tags are not exclusive",
       rule(1, R"({"tagStatus": "tagged", "tagPrefixList": ["alpha", "beta"], "countType": "imageCountMoreThan",
                   "countNumber": 1})"),
       {image('A', {"alpha-1", "beta-1", "gamma-1"}, 10), image('B', {"alpha-2", "beta-2"}, 9),
        image('C', {"alpha-3", "beta-3", "gamma-2"}, 8)},
       "AB"},
      {"untagged older than 14 days",
       rule(1, R"({"tagStatus": "untagged", "countType": "sinceImagePushed", "countUnit": "days", "countNumber": 14})"),
       {image('A', {}, 20), image('B', {"v1"}, 30), image('C', {}, 13.9), image('D', {}, 14.1)}, "AD"},
      {"keep one untagged image",
       rule(1, R"({"tagStatus": "untagged", "countType": "imageCountMoreThan", "countNumber": 1})"),
       {image('A', {}, 3), image('B', {}, 2), image('C', {"latest"}, 5), image('D', {}, 1)}, "AB"},
      {"prod* pattern older than 14 days",
       rule(1, R"({"tagStatus": "tagged", "tagPatternList": ["prod*"], "countType": "sinceImagePushed",
                   "countUnit": "days", "countNumber": 14})"),
       {image('A', {"prod"}, 15), image('B', {"production-2"}, 20), image('C', {"preprod"}, 30),
        image('D', {"prod-9"}, 1)},
       "BA"},
  };
  for (const Case& test : cases) {
    EXPECT_EQ(expired_names(policy(test.rules), test.images), test.expired) << test.name;
  }
}

TEST(LifecycleEvaluation, AnyRuleCountsImagesAnEarlierRuleKeepsButExpiresOnlyTheOthers) {
  const LifecyclePolicy rules = policy(
      rule(1, R"({"tagStatus": "tagged", "tagPrefixList": ["release"], "countType": "imageCountMoreThan", "countNumber": 5})") +
      "," + rule(2, R"({"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 2})"));
  // Two newest are releases (kept by rule 1 and counted by rule 2), so rule 2 keeps nothing else.
  const std::vector<LifecycleImage> images = {image('A', {"release-1"}, 1), image('B', {"release-2"}, 2),
                                              image('C', {"dev"}, 3), image('D', {}, 4), image('E', {"release-0"}, 5)};
  EXPECT_EQ(expired_names(rules, images), "DC");
}

TEST(LifecycleEvaluation, TiesOnPushTimeAreBrokenByDigestSoRunsRepeat) {
  const LifecyclePolicy rules =
      policy(rule(1, R"({"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 1})"));
  std::vector<LifecycleImage> images = {image('A', {}, 1), image('B', {}, 1), image('C', {}, 1)};
  const std::vector<Expiry> first = evaluate_lifecycle(rules, images, kNow);
  std::reverse(images.begin(), images.end());
  const std::vector<Expiry> second = evaluate_lifecycle(rules, images, kNow);
  ASSERT_EQ(first.size(), 2u);
  ASSERT_EQ(second.size(), 2u);
  for (std::size_t i = 0; i < first.size(); ++i) EXPECT_EQ(first[i].digest, second[i].digest);
  // The one kept is the greatest digest; the expired come oldest first, i.e. smallest digest first.
  EXPECT_LT(first[0].digest, first[1].digest);
}

TEST(LifecycleEvaluation, DependentImagesAreNeitherCountedNorExpired) {
  const LifecyclePolicy rules = policy(
      rule(1, R"({"tagStatus": "untagged", "countType": "imageCountMoreThan", "countNumber": 1})"));
  // B and C are an index's platform manifests (untagged); only the two stand-alone untagged images count.
  const std::vector<LifecycleImage> images = {image('A', {}, 9), image('B', {}, 8, true), image('C', {}, 8, true),
                                              image('D', {}, 1), image('E', {"multi"}, 8)};
  EXPECT_EQ(expired_names(rules, images), "A");
}

TEST(LifecycleEvaluation, AnImageMatchedByTwoRulesIsExpiredOnceByTheFirst) {
  const LifecyclePolicy rules = policy(
      rule(1, R"({"tagStatus": "tagged", "tagPatternList": ["*-rc*"], "countType": "sinceImagePushed",
                  "countUnit": "days", "countNumber": 7})") +
      "," + rule(2, R"({"tagStatus": "tagged", "tagPrefixList": ["v1"], "countType": "imageCountMoreThan", "countNumber": 1})"));
  const std::vector<LifecycleImage> images = {image('A', {"v1.0-rc1", "v1.0"}, 10), image('B', {"v1.1"}, 1)};
  const std::vector<Expiry> expired = evaluate_lifecycle(rules, images, kNow);
  ASSERT_EQ(expired.size(), 1u);
  EXPECT_EQ(expired[0].digest, images[0].digest);
  EXPECT_EQ(expired[0].rule_priority, 1);
  EXPECT_EQ(expired[0].tags, (std::vector<std::string>{"v1.0-rc1", "v1.0"}));
  EXPECT_EQ(expired[0].reason, "pushed 10 days ago; the rule expires images older than 7 days");
}

TEST(LifecycleEvaluation, CountReasonSaysWhereTheImageRanks) {
  const LifecyclePolicy rules =
      policy(rule(3, R"({"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 2})"));
  const std::vector<LifecycleImage> images = {image('A', {"a"}, 3), image('B', {"b"}, 2), image('C', {"c"}, 1)};
  const std::vector<Expiry> expired = evaluate_lifecycle(rules, images, kNow);
  ASSERT_EQ(expired.size(), 1u);
  EXPECT_EQ(expired[0].reason, "number 3 by push time of the 3 images the rule selects; it keeps the newest 2");
  EXPECT_EQ(expired[0].rule_priority, 3);
}

TEST(LifecycleEvaluation, TagPatternsMatchStarsOnly) {
  EXPECT_TRUE(tag_pattern_matches("prod*", "prod"));
  EXPECT_TRUE(tag_pattern_matches("prod*", "production"));
  EXPECT_FALSE(tag_pattern_matches("prod*", "preprod"));
  EXPECT_TRUE(tag_pattern_matches("*test*1*2*3", "my-test-1-2-3"));
  EXPECT_FALSE(tag_pattern_matches("*test*1*2*3", "my-test-1-2-3-4"));
  EXPECT_TRUE(tag_pattern_matches("*", ""));
  EXPECT_TRUE(tag_pattern_matches("v?", "v?"));
  EXPECT_FALSE(tag_pattern_matches("v?", "v1"));
  EXPECT_TRUE(tag_pattern_matches("a*b*c", "aXbYbZc"));
  EXPECT_FALSE(tag_pattern_matches("a*b*c", "aXbYbZ"));
}

TEST(LifecyclePolicyParse, RulesComeInPriorityOrderWithTheirSelection) {
  const LifecyclePolicy parsed = policy(
      rule(9, R"({"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 100})") + "," +
      rule(2, R"({"tagStatus": "tagged", "tagPatternList": ["a*"], "tagPrefixList": ["v"], "countType": "sinceImagePushed",
                  "countUnit": "days", "countNumber": 14})"));
  ASSERT_EQ(parsed.rules.size(), 2u);
  EXPECT_EQ(parsed.rules[0].priority, 2);
  EXPECT_EQ(parsed.rules[0].tag_status, TagStatus::tagged);
  EXPECT_EQ(parsed.rules[0].tag_patterns, std::vector<std::string>{"a*"});
  EXPECT_EQ(parsed.rules[0].tag_prefixes, std::vector<std::string>{"v"});
  EXPECT_EQ(parsed.rules[0].count_type, CountType::since_image_pushed);
  EXPECT_EQ(parsed.rules[0].count_number, 14);
  EXPECT_EQ(parsed.rules[1].priority, 9);
  EXPECT_EQ(parsed.rules[1].tag_status, TagStatus::any);
  EXPECT_EQ(parsed.rules[1].count_type, CountType::image_count_more_than);
}

}  // namespace
}  // namespace berth::lifecycle

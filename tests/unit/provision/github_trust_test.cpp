#include "provision/github_trust.hpp"

#include <gtest/gtest.h>

#include "provision/provision_test_support.hpp"

namespace berth::provision {
namespace {

const GithubRepositoryIds kIds{65, 74};

// A trust policy as berth writes it, trusting `subjects`.
std::string policy_trusting(const std::vector<std::string>& subjects) {
  std::string list;
  for (const auto& subject : subjects) list += (list.empty() ? "\"" : ",\"") + subject + "\"";
  return R"({"Statement":[{"Condition":{"ForAnyValue:StringLike":{"token.actions.githubusercontent.com:sub":[)" + list +
         "]}}}]}";
}

TEST(GithubTrust, ImmutableSubjectIsPinnedOnlyWithIds) {
  EXPECT_EQ(immutable_subject("acme", "app", kIds), "repo:acme@65/app@74:*");
  EXPECT_EQ(immutable_subject("acme", "app", std::nullopt), "repo:acme@*/app@*:*");
}

TEST(GithubTrust, FindsTheIdsAPolicyPinsForThatRepositoryOnly) {
  const std::string policy =
      policy_trusting({"repo:acme/app:*", "repo:acme@65/app@74:*", "repo:acme@65/app-two@80:*", "repo:acme@*/old@*:*"});
  EXPECT_EQ(ids_pinned_in({policy}, "acme", "app"), kIds);
  EXPECT_EQ(ids_pinned_in({policy}, "acme", "app-two"), (GithubRepositoryIds{65, 80}));
  EXPECT_EQ(ids_pinned_in({policy}, "acme", "ap"), std::nullopt);
  EXPECT_EQ(ids_pinned_in({policy}, "acme", "old"), std::nullopt);
  EXPECT_EQ(ids_pinned_in({policy}, "other", "app"), std::nullopt);
  EXPECT_EQ(ids_pinned_in({policy_trusting({"repo:acme@65/app@74:ref:refs/heads/main"})}, "acme", "app"), std::nullopt);
}

TEST(GithubTrust, PoliciesPinningDifferentIdsPinNone) {
  const std::string first = policy_trusting({"repo:acme@65/app@74:*"});
  EXPECT_EQ(ids_pinned_in({first, first}, "acme", "app"), kIds);
  EXPECT_EQ(ids_pinned_in({first, policy_trusting({"repo:acme@65/app@99:*"})}, "acme", "app"), std::nullopt);
  EXPECT_EQ(ids_pinned_in({policy_trusting({"repo:acme@65/app@74:*", "repo:acme@65/app@99:*"})}, "acme", "app"),
            std::nullopt);
}

TEST(GithubTrust, LookupAsksGithubOncePerRepository) {
  test::RecordingGithub github;
  github.ids["acme/app"] = kIds;
  GithubIdLookup lookup = github_id_lookup(&github, "", {});
  EXPECT_EQ(lookup("acme", "app").ids, kIds);
  EXPECT_EQ(lookup("acme", "app").note, "ids from GitHub");
  const GithubIdsAnswer missing = lookup("acme", "gone");
  EXPECT_EQ(missing.ids, std::nullopt);
  EXPECT_EQ(missing.note, "github: GET /repos/acme/gone: 404: no such repository");
  lookup("acme", "gone");
  EXPECT_EQ(github.calls, (std::vector<std::string>{"repository_ids acme/app", "repository_ids acme/gone"}));
}

TEST(GithubTrust, WithoutGithubThePinnedIdsAreKept) {
  GithubIdLookup lookup = github_id_lookup(nullptr, "GitHub is switched off (--no-github)",
                                           {policy_trusting({"repo:acme/app:*", "repo:acme@65/app@74:*"})});
  const GithubIdsAnswer kept = lookup("acme", "app");
  EXPECT_EQ(kept.ids, kIds);
  EXPECT_EQ(kept.note, "ids trusted until now, kept: GitHub is switched off (--no-github)");
  const GithubIdsAnswer unknown = lookup("acme", "new");
  EXPECT_EQ(unknown.ids, std::nullopt);
  EXPECT_EQ(unknown.note, "GitHub is switched off (--no-github)");
}

TEST(GithubTrust, RepositoryGoneFromGithubKeepsItsPinnedIds) {
  test::RecordingGithub github;
  GithubIdLookup lookup = github_id_lookup(&github, "", {policy_trusting({"repo:acme@65/app@74:*"})});
  const GithubIdsAnswer answer = lookup("acme", "app");
  EXPECT_EQ(answer.ids, kIds);
  EXPECT_EQ(answer.note, "ids trusted until now, kept: github: GET /repos/acme/app: 404: no such repository");
}

TEST(GithubTrust, NewIdsFromGithubReplaceThePinnedOnesAndSaySo) {
  test::RecordingGithub github;
  github.ids["acme/app"] = GithubRepositoryIds{65, 99};
  GithubIdLookup lookup = github_id_lookup(&github, "", {policy_trusting({"repo:acme@65/app@74:*"})});
  const GithubIdsAnswer answer = lookup("acme", "app");
  EXPECT_EQ(answer.ids, (GithubRepositoryIds{65, 99}));
  EXPECT_EQ(answer.note,
            "ids from GitHub, which differ from the owner id 65, repository id 74 trusted until now: the repository "
            "was deleted and re-created, or transferred");
}

TEST(GithubTrust, UnreachableGithubIsNotAskedAgain) {
  test::RecordingGithub github;
  github.ids["acme/two"] = kIds;
  github.fail.insert("repository_ids acme/one");
  GithubIdLookup lookup = github_id_lookup(&github, "", {});
  EXPECT_EQ(lookup("acme", "one").note, "github: 502 for repository_ids acme/one");
  const GithubIdsAnswer second = lookup("acme", "two");
  EXPECT_EQ(second.ids, std::nullopt);
  EXPECT_EQ(second.note, "github: 502 for repository_ids acme/one");
  EXPECT_EQ(github.calls, (std::vector<std::string>{"repository_ids acme/one"}));
}

}  // namespace
}  // namespace berth::provision

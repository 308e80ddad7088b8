// Which `sub` values a GitHub repository's role trusts. GitHub issues tokens in two formats
// (interfaces.md §2.5): `repo:OWNER/REPO:...` for older repositories and, since 2026-07-15 for new,
// renamed and transferred ones, `repo:OWNER@OWNER_ID/REPO@REPO_ID:...`. A role trusts both. The
// immutable form is pinned to the repository's numeric ids when berth knows them, so a repository
// deleted and re-created under the same name (new ids) is not trusted; otherwise it matches any ids.
//
//   GithubIdLookup lookup = github_id_lookup(client, "", current_trust_policies);
//   GithubIdsAnswer answer = lookup("acme", "app");
//   immutable_subject("acme", "app", answer.ids);   // "repo:acme@65/app@74:*"; "repo:acme@*/app@*:*" without ids
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "provision/desired_state.hpp"
#include "provision/publishers.hpp"

namespace berth::provision {

struct GithubIdsAnswer {
  std::optional<GithubRepositoryIds> ids;
  std::string note;  // where the ids come from, or why there are none: for plan and apply to show
};

using GithubIdLookup = std::function<GithubIdsAnswer(std::string_view owner, std::string_view repository)>;

// The pattern matching any `sub` of the repository in the immutable format; with ids unknown, any ids.
std::string immutable_subject(std::string_view owner, std::string_view repository,
                              const std::optional<GithubRepositoryIds>& ids);

// The ids the trust policies pin for owner/repository (values `repo:<owner>@<digits>/<repository>@<digits>:*`),
// when they all pin the same pair.
std::optional<GithubRepositoryIds> ids_pinned_in(const std::vector<std::string>& trust_policies, std::string_view owner,
                                                 std::string_view repository);

// Asks `github` (GET /repos/{owner}/{repository}) once per repository, and no more after GitHub
// stayed unreachable or refused the token. Without `github` (then `github_off` says why) or when
// GitHub cannot answer, the ids the current trust policies already pin are kept, so an apply
// without GitHub never widens a pinned trust; failing that, none. Not for concurrent use.
GithubIdLookup github_id_lookup(GithubPublisher* github, std::string github_off,
                                std::vector<std::string> current_trust_policies);

}  // namespace berth::provision

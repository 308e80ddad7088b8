#include "provision/github_trust.hpp"

#include <charconv>
#include <map>
#include <memory>

namespace berth::provision {
namespace {

// Consumes the digits `text` starts with.
std::optional<std::int64_t> take_number(std::string_view& text) {
  std::int64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{} || value < 0) return std::nullopt;
  text.remove_prefix(static_cast<std::size_t>(end - text.data()));
  return value;
}

std::optional<GithubRepositoryIds> pinned_in(std::string_view policy, std::string_view owner,
                                             std::string_view repository, bool& conflict) {
  // Owner and repository names are letters, digits, '-', '_' and '.', which JSON never escapes, so
  // the quoted value is found in the policy text as it is.
  const std::string head = "\"repo:" + std::string(owner) + "@";
  const std::string middle = "/" + std::string(repository) + "@";
  std::optional<GithubRepositoryIds> found;
  for (auto at = policy.find(head); at != std::string_view::npos; at = policy.find(head, at + 1)) {
    std::string_view rest = policy.substr(at + head.size());
    const auto owner_id = take_number(rest);
    if (!owner_id || !rest.starts_with(middle)) continue;
    rest.remove_prefix(middle.size());
    const auto repository_id = take_number(rest);
    if (!repository_id || !rest.starts_with(":*\"")) continue;
    const GithubRepositoryIds ids{*owner_id, *repository_id};
    if (found && *found != ids) conflict = true;
    found = ids;
  }
  return found;
}

std::string describe(const GithubRepositoryIds& ids) {
  return "owner id " + std::to_string(ids.owner_id) + ", repository id " + std::to_string(ids.repository_id);
}

// Answers from GitHub, else from what the current trust policies pin, once per repository.
class IdResolver {
 public:
  IdResolver(GithubPublisher* github, std::string github_off, std::vector<std::string> current_trust_policies)
      : github_(github), github_off_(std::move(github_off)), policies_(std::move(current_trust_policies)) {}

  GithubIdsAnswer operator()(std::string_view owner, std::string_view repository) {
    const std::string key = std::string(owner) + "/" + std::string(repository);
    if (auto found = answers_.find(key); found != answers_.end()) return found->second;
    return answers_.emplace(key, resolve(owner, repository)).first->second;
  }

 private:
  GithubIdsAnswer resolve(std::string_view owner, std::string_view repository) {
    const auto pinned = ids_pinned_in(policies_, owner, repository);
    std::string unavailable = github_off_;
    if (github_ != nullptr) {
      auto read = github_->repository_ids(owner, repository);
      if (read) {
        if (pinned && *pinned != *read) {
          return {*read, "ids from GitHub, which differ from the " + describe(*pinned) +
                             " trusted until now: the repository was deleted and re-created, or transferred"};
        }
        return {*read, "ids from GitHub"};
      }
      unavailable = read.error().message;
      // Retries are spent, or the token is refused: asking for every other repository would only
      // wait longer, or be refused the same.
      if (read.error().code == ErrorCode::unavailable || read.error().code == ErrorCode::denied) {
        github_ = nullptr;
        github_off_ = unavailable;
      }
    }
    if (pinned) return {pinned, "ids trusted until now, kept: " + unavailable};
    return {std::nullopt, unavailable};
  }

  GithubPublisher* github_;
  std::string github_off_;
  std::vector<std::string> policies_;
  std::map<std::string, GithubIdsAnswer> answers_;
};

}  // namespace

std::string immutable_subject(std::string_view owner, std::string_view repository,
                              const std::optional<GithubRepositoryIds>& ids) {
  const std::string owner_id = ids ? std::to_string(ids->owner_id) : "*";
  const std::string repository_id = ids ? std::to_string(ids->repository_id) : "*";
  return "repo:" + std::string(owner) + "@" + owner_id + "/" + std::string(repository) + "@" + repository_id + ":*";
}

std::optional<GithubRepositoryIds> ids_pinned_in(const std::vector<std::string>& trust_policies, std::string_view owner,
                                                 std::string_view repository) {
  bool conflict = false;
  std::optional<GithubRepositoryIds> found;
  for (const auto& policy : trust_policies) {
    const auto ids = pinned_in(policy, owner, repository, conflict);
    if (!ids) continue;
    if (found && *found != *ids) conflict = true;
    found = ids;
  }
  if (conflict) return std::nullopt;
  return found;
}

GithubIdLookup github_id_lookup(GithubPublisher* github, std::string github_off,
                                std::vector<std::string> current_trust_policies) {
  auto resolver = std::make_shared<IdResolver>(github, std::move(github_off), std::move(current_trust_policies));
  return [resolver](std::string_view owner, std::string_view repository) { return (*resolver)(owner, repository); };
}

}  // namespace berth::provision

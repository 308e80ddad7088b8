#include "aws/ecr_repositories.hpp"

#include <set>
#include <string>
#include <vector>

#include "aws/ecr_paging.hpp"
#include "metadata/tag_mutability_setting.hpp"

namespace berth::aws {
namespace {

constexpr std::string_view kAction = "ecr:DescribeRepositories";
constexpr std::string_view kListing = "DescribeRepositories";
constexpr std::size_t kMaxRepositoryNames = 100;

Result<nlohmann::json> describe_named(EcrServices& services, const EcrCall& call, const EcrJsonInput& input,
                                      const std::vector<std::string>& names) {
  nlohmann::json repositories = nlohmann::json::array();
  std::set<std::string, std::less<>> seen;
  for (const std::string& name : names) {
    if (!seen.insert(name).second) continue;
    BERTH_TRY(check_repository_name(input, "repositoryNames", name));
    BERTH_TRY(authorize(services, call, kAction, services.permissions.repository_arn(name)));
    Result<std::optional<metadata::RepositoryRecord>> repository = services.metadata.get_repository(name);
    if (!repository) return std::move(repository).error();
    if (!repository->has_value()) return repository_not_found(services, name);
    repositories.push_back(repository_json(services, **repository));
  }
  return nlohmann::json{{"repositories", std::move(repositories)}};
}

Result<nlohmann::json> describe_page(EcrServices& services, const EcrCall& call, const PageRequest& page) {
  PageBuilder builder(kListing, page.limit);
  Status walked = walk_listing(
      page.position,
      [&](std::string_view after, std::size_t limit) {
        return services.metadata.list_repository_records(after, limit);
      },
      [](const metadata::RepositoryRecord& repository) { return repository.name; },
      [&](metadata::RepositoryRecord& repository) -> Result<bool> {
        Result<bool> visible = may(services, call, kAction, services.permissions.repository_arn(repository.name));
        if (!visible) return std::move(visible).error();
        if (!*visible) return true;
        nlohmann::json item = repository_json(services, repository);
        return builder.add(std::move(item), std::move(repository.name));
      });
  if (!walked) return std::move(walked).error();
  nlohmann::json output = nlohmann::json::object();
  std::move(builder).finish(output, "repositories");
  return output;
}

}  // namespace

nlohmann::json exclusion_filters_json(const std::vector<std::string>& filters) {
  nlohmann::json json = nlohmann::json::array();
  for (const std::string& filter : filters) json.push_back({{"filterType", "WILDCARD"}, {"filter", filter}});
  return json;
}

nlohmann::json repository_json(const EcrServices& services, const metadata::RepositoryRecord& repository) {
  const metadata::RepositorySettings& settings = repository.settings;
  nlohmann::json json{{"repositoryArn", services.permissions.repository_arn(repository.name)},
                      {"registryId", services.options.account.account_id},
                      {"repositoryName", repository.name},
                      {"repositoryUri", registry_host(services.options.public_url) + "/" + repository.name},
                      {"createdAt", repository.created_unix},
                      {"imageTagMutability", metadata::tag_mutability_name(settings.tag_mutability)},
                      {"imageScanningConfiguration", {{"scanOnPush", settings.scan_on_push}}},
                      {"encryptionConfiguration", {{"encryptionType", "AES256"}}}};
  if (!settings.tag_mutability_exclusions.empty()) {
    json["imageTagMutabilityExclusionFilters"] = exclusion_filters_json(settings.tag_mutability_exclusions);
  }
  return json;
}

std::string registry_host(std::string_view public_url) {
  const auto scheme_end = public_url.find("://");
  if (scheme_end != std::string_view::npos) public_url.remove_prefix(scheme_end + 3);
  return std::string(public_url);
}

Result<nlohmann::json> describe_repositories(EcrServices& services, const EcrCall& call, std::string_view body) {
  Result<EcrJsonInput> input = EcrJsonInput::parse(body, {"registryId", "repositoryNames", "nextToken", "maxResults"});
  if (!input) return std::move(input).error();
  BERTH_TRY(check_registry_id(services, *input));
  BERTH_TRY(check_not_paged(*input, "repositoryNames"));
  Result<std::optional<std::vector<std::string>>> names = input->strings("repositoryNames", 1, kMaxRepositoryNames);
  if (!names) return std::move(names).error();
  if (names->has_value()) return describe_named(services, call, *input, **names);
  Result<PageRequest> page = read_page_request(*input, kListing);
  if (!page) return std::move(page).error();
  return describe_page(services, call, *page);
}

}  // namespace berth::aws

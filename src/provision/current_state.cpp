#include "provision/current_state.hpp"

namespace berth::provision {

Result<std::vector<std::string>> load_provisioned_trust_policies(metadata::MetadataStore& store) {
  auto published = store.list_published();
  BERTH_TRY(published);
  std::vector<std::string> policies;
  for (const auto& record : *published) {
    if (record.kind != metadata::PublishedKind::role) continue;
    auto role = store.get_role(record.name);
    BERTH_TRY(role);
    if (*role) policies.push_back(std::move((*role)->trust_policy));
  }
  return policies;
}

Result<CurrentState> load_current_state(metadata::MetadataStore& store, const DesiredState& desired) {
  CurrentState current;
  auto repositories = store.list_provisioned_repositories();
  BERTH_TRY(repositories);
  current.repositories = std::move(*repositories);

  std::set<std::string> declared;
  for (const auto& repository : desired.repositories) {
    declared.insert(repository.name);
    auto existing = store.get_repository(repository.name);
    BERTH_TRY(existing);
    if (!*existing) continue;
    const metadata::RepositorySettings& settings = (*existing)->settings;
    current.existing_repositories.emplace(
        repository.name, metadata::TagMutabilitySetting{settings.tag_mutability, settings.tag_mutability_exclusions});
  }
  for (const auto& repository : current.repositories) {
    if (declared.contains(repository.name)) continue;
    auto images = store.list_images(repository.name, "", 1);
    BERTH_TRY(images);
    if (!images->empty()) current.repositories_with_images.insert(repository.name);
  }
  for (const auto& role : desired.roles) {
    auto stored = store.get_role(role.name);
    BERTH_TRY(stored);
    if (*stored) current.roles.emplace(role.name, std::move(**stored));
  }
  auto published = store.list_published();
  BERTH_TRY(published);
  current.published = std::move(*published);
  return current;
}

}  // namespace berth::provision

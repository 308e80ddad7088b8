#include "metadata_store_suite.hpp"

#include <atomic>
#include <limits>
#include <map>
#include <span>
#include <string>
#include <thread>
#include <vector>

namespace berth::metadata {
namespace {

using Names = std::vector<std::string>;

ManifestRecord manifest(std::string repository, std::string content, std::optional<Digest> subject = std::nullopt,
                        std::string artifact_type = {}) {
  Digest digest = Hasher::of(content);
  return ManifestRecord{std::move(repository),
                        digest,
                        "application/vnd.oci.image.manifest.v1+json",
                        std::move(content),
                        std::move(subject),
                        std::move(artifact_type),
                        "",
                        1700000000,
                        std::nullopt};
}

Digest blob(std::string_view content) { return Hasher::of(content); }

// References to blobs linked into team/app, as a push leaves them before its manifest.
std::vector<ManifestReference> linked_layers(MetadataStore& store, std::initializer_list<std::string_view> contents) {
  std::vector<ManifestReference> references;
  for (auto content : contents) {
    EXPECT_TRUE(store.link_blob("team/app", blob(content), content.size()).ok());
    references.push_back(ManifestReference{blob(content), ReferenceKind::blob});
  }
  return references;
}

// Whether garbage collection would delete the blob if every grace period were over.
bool collectable(MetadataStore& store, const Digest& digest) {
  constexpr std::int64_t kAfterEverything = std::numeric_limits<std::int64_t>::max();
  auto found = store.collectable_blobs(std::span<const Digest>(&digest, 1), GcCutoffs{kAfterEverything, kAfterEverything});
  EXPECT_TRUE(found.ok());
  return found.ok() && !found->empty();
}

TEST_P(MetadataStoreSuite, CreatesRepositoriesIdempotently) {
  EXPECT_FALSE(*store_->repository_exists("team/app"));
  ASSERT_TRUE(store_->create_repository("team/app").ok());
  ASSERT_TRUE(store_->create_repository("team/app").ok());
  EXPECT_TRUE(*store_->repository_exists("team/app"));
  EXPECT_FALSE(*store_->repository_exists("team/ap"));
  EXPECT_EQ(*store_->list_repositories("", 100), Names{"team/app"});
}

TEST_P(MetadataStoreSuite, ListsRepositoriesInByteOrderWithPagination) {
  for (const char* name : {"b/x", "a/y", "A/z", "a-b/c", "a/b/c", "a/b"}) {
    ASSERT_TRUE(store_->create_repository(name).ok());
  }
  // Byte order: 'A' < 'a', '-' (0x2d) < '/' (0x2f).
  EXPECT_EQ(*store_->list_repositories("", 100), (Names{"A/z", "a-b/c", "a/b", "a/b/c", "a/y", "b/x"}));
  EXPECT_EQ(*store_->list_repositories("", 2), (Names{"A/z", "a-b/c"}));
  EXPECT_EQ(*store_->list_repositories("a-b/c", 2), (Names{"a/b", "a/b/c"}));
  EXPECT_EQ(*store_->list_repositories("a/b/c", 100), (Names{"a/y", "b/x"}));
  EXPECT_EQ(*store_->list_repositories("a/c", 100), (Names{"a/y", "b/x"}));  // `after` need not exist
  EXPECT_TRUE(store_->list_repositories("b/x", 100)->empty());
  EXPECT_TRUE(store_->list_repositories("zzz", 100)->empty());
  EXPECT_TRUE(store_->list_repositories("", 0)->empty());
  EXPECT_EQ(store_->list_repositories("", static_cast<std::size_t>(-1))->size(), 6u);
}

TEST_P(MetadataStoreSuite, AddsARepositoryWithItsSettingsOnlyOnce) {
  RepositorySettings settings;
  settings.tag_mutability = TagMutability::immutable_with_exclusion;
  settings.tag_mutability_exclusions = {"latest", "dev-*"};
  settings.scan_on_push = true;
  settings.tags = {{"team", "a"}, {"Owner", ""}};
  EXPECT_TRUE(*store_->add_repository("team/app", settings));
  EXPECT_FALSE(*store_->add_repository("team/app", RepositorySettings{}));

  auto stored = store_->get_repository("team/app");
  ASSERT_TRUE(stored.ok() && stored->has_value());
  EXPECT_EQ((*stored)->name, "team/app");
  EXPECT_EQ((*stored)->settings, settings);
  EXPECT_GT((*stored)->created_unix, 0);
  EXPECT_EQ(*store_->get_repository("team/none"), std::nullopt);
}

TEST_P(MetadataStoreSuite, RepositoriesCreatedByPushesHaveTheDefaultSettings) {
  ASSERT_TRUE(store_->link_blob("team/pushed", blob("layer"), 5).ok());
  ASSERT_TRUE(store_->create_repository("team/made").ok());
  RepositorySettings custom;
  custom.tag_mutability = TagMutability::immutable;
  ASSERT_TRUE(*store_->add_repository("team/set", custom));

  auto records = store_->list_repository_records("", 10);
  ASSERT_TRUE(records.ok());
  ASSERT_EQ(records->size(), 3u);
  EXPECT_EQ((*records)[0].name, "team/made");
  EXPECT_EQ((*records)[0].settings, RepositorySettings{});
  EXPECT_EQ((*records)[1].name, "team/pushed");
  EXPECT_EQ((*records)[1].settings, RepositorySettings{});
  EXPECT_EQ((*records)[2].settings, custom);
  auto after = store_->list_repository_records("team/made", 1);
  ASSERT_TRUE(after.ok());
  ASSERT_EQ(after->size(), 1u);
  EXPECT_EQ(after->front().name, "team/pushed");
}

TEST_P(MetadataStoreSuite, ChangesTagMutability) {
  ASSERT_TRUE(store_->create_repository("team/app").ok());
  EXPECT_TRUE(*store_->set_tag_mutability("team/app", TagMutability::mutable_with_exclusion, {"release-*"}));
  RepositorySettings settings = (*store_->get_repository("team/app"))->settings;
  EXPECT_EQ(settings.tag_mutability, TagMutability::mutable_with_exclusion);
  EXPECT_EQ(settings.tag_mutability_exclusions, Names{"release-*"});
  EXPECT_TRUE(*store_->set_tag_mutability("team/app", TagMutability::immutable, {}));
  settings = (*store_->get_repository("team/app"))->settings;
  EXPECT_EQ(settings.tag_mutability, TagMutability::immutable);
  EXPECT_TRUE(settings.tag_mutability_exclusions.empty());
  EXPECT_FALSE(*store_->set_tag_mutability("team/none", TagMutability::immutable, {}));
}

TEST_P(MetadataStoreSuite, KeepingATagRefusesToMoveItAndStoresNothing) {
  ManifestRecord first = manifest("team/app", "{\"v\":1}");
  ManifestRecord second = manifest("team/app", "{\"v\":2}");
  ASSERT_TRUE(store_->put_manifest_keeping_tag(first, {}, "v1").ok());
  ASSERT_TRUE(store_->put_manifest_keeping_tag(first, {}, "v1").ok());  // the same digest again

  Status moved = store_->put_manifest_keeping_tag(second, linked_layers(*store_, {"layer"}), "v1");
  ASSERT_FALSE(moved.ok());
  EXPECT_EQ(moved.error().code, ErrorCode::conflict);
  EXPECT_EQ(*store_->resolve_tag("team/app", "v1"), first.digest);
  EXPECT_FALSE(*store_->manifest_exists("team/app", second.digest));

  ASSERT_TRUE(store_->put_manifest_keeping_tag(second, {}, "v2").ok());
  EXPECT_EQ(*store_->resolve_tag("team/app", "v2"), second.digest);
}

TEST_P(MetadataStoreSuite, UntaggingTheLastTagDeletesTheImage) {
  ManifestRecord image = manifest("team/app", "{}");
  ASSERT_TRUE(store_->put_manifest(image, linked_layers(*store_, {"layer"}), "a").ok());
  ASSERT_TRUE(store_->put_manifest(image, linked_layers(*store_, {"layer"}), "b").ok());

  EXPECT_EQ(*store_->untag_image("team/app", "a"), image.digest);
  EXPECT_TRUE(*store_->manifest_exists("team/app", image.digest));
  EXPECT_EQ(*store_->resolve_tag("team/app", "b"), image.digest);

  EXPECT_EQ(*store_->untag_image("team/app", "b"), image.digest);
  EXPECT_FALSE(*store_->manifest_exists("team/app", image.digest));
  EXPECT_TRUE(collectable(*store_, blob("layer")));
  EXPECT_EQ(*store_->untag_image("team/app", "b"), std::nullopt);
}

TEST_P(MetadataStoreSuite, DeletingARepositoryForgetsItsSettings) {
  RepositorySettings settings;
  settings.tag_mutability = TagMutability::immutable;
  ASSERT_TRUE(*store_->add_repository("team/app", settings));
  ASSERT_TRUE(store_->delete_repository("team/app", false).ok());
  EXPECT_EQ(*store_->get_repository("team/app"), std::nullopt);
  ASSERT_TRUE(store_->create_repository("team/app").ok());
  EXPECT_EQ((*store_->get_repository("team/app"))->settings, RepositorySettings{});
}

RoleRecord role(std::string name, std::string trust, std::int64_t max_session = 3600) {
  return RoleRecord{std::move(name), std::move(trust), R"([{"Version":"2012-10-17"}])", max_session, 0, 0};
}

Names role_names(const std::vector<RoleRecord>& roles) {
  Names names;
  for (const auto& record : roles) names.push_back(record.name);
  return names;
}

TEST_P(MetadataStoreSuite, StoresRolesAsGiven) {
  EXPECT_FALSE(store_->get_role("ci-push")->has_value());
  ASSERT_TRUE(store_->put_role(role("ci-push", R"({"Statement":[]})", 7200)).ok());
  auto stored = store_->get_role("ci-push");
  ASSERT_TRUE(stored.ok());
  ASSERT_TRUE(stored->has_value());
  EXPECT_EQ((*stored)->name, "ci-push");
  EXPECT_EQ((*stored)->trust_policy, R"({"Statement":[]})");
  EXPECT_EQ((*stored)->policies, R"([{"Version":"2012-10-17"}])");
  EXPECT_EQ((*stored)->max_session_duration_seconds, 7200);
  EXPECT_GT((*stored)->created_unix, 0);
  EXPECT_EQ((*stored)->updated_unix, (*stored)->created_unix);
  EXPECT_FALSE(store_->get_role("ci-pus")->has_value());
  EXPECT_FALSE(store_->get_role("CI-PUSH")->has_value());

  auto reopened = backend_->open();
  auto after_restart = reopened->get_role("ci-push");
  ASSERT_TRUE(after_restart.ok() && after_restart->has_value());
  EXPECT_EQ((*after_restart)->trust_policy, R"({"Statement":[]})");
}

TEST_P(MetadataStoreSuite, PutRoleReplacesDocumentsAndKeepsCreated) {
  ASSERT_TRUE(store_->put_role(role("ci-push", "first", 3600)).ok());
  auto first = *store_->get_role("ci-push");
  ASSERT_TRUE(first.has_value());
  auto replacement = role("ci-push", "second", 43200);
  replacement.policies = "[]";
  replacement.created_unix = 1;  // ignored: the store keeps the original
  ASSERT_TRUE(store_->put_role(replacement).ok());
  auto second = *store_->get_role("ci-push");
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(second->trust_policy, "second");
  EXPECT_EQ(second->policies, "[]");
  EXPECT_EQ(second->max_session_duration_seconds, 43200);
  EXPECT_EQ(second->created_unix, first->created_unix);
  EXPECT_GE(second->updated_unix, first->updated_unix);
  EXPECT_EQ(role_names(*store_->list_roles("", 100)), Names{"ci-push"});
}

TEST_P(MetadataStoreSuite, ListsRolesInByteOrderWithPagination) {
  for (const char* name : {"b", "a.x", "A", "a-b", "a", "a@z"}) ASSERT_TRUE(store_->put_role(role(name, "{}")).ok());
  // Byte order: 'A' < 'a', '-' (0x2d) < '.' (0x2e) < '@' (0x40).
  EXPECT_EQ(role_names(*store_->list_roles("", 100)), (Names{"A", "a", "a-b", "a.x", "a@z", "b"}));
  EXPECT_EQ(role_names(*store_->list_roles("", 2)), (Names{"A", "a"}));
  EXPECT_EQ(role_names(*store_->list_roles("a", 2)), (Names{"a-b", "a.x"}));
  EXPECT_EQ(role_names(*store_->list_roles("a.y", 100)), (Names{"a@z", "b"}));  // `after` need not exist
  EXPECT_TRUE(store_->list_roles("b", 100)->empty());
  EXPECT_TRUE(store_->list_roles("", 0)->empty());
  EXPECT_EQ(store_->list_roles("", static_cast<std::size_t>(-1))->size(), 6u);
  EXPECT_EQ((*store_->list_roles("a@", 1))[0].trust_policy, "{}");
}

TEST_P(MetadataStoreSuite, DeletesRoles) {
  ASSERT_TRUE(store_->put_role(role("keep", "{}")).ok());
  ASSERT_TRUE(store_->put_role(role("drop", "{}")).ok());
  EXPECT_TRUE(*store_->delete_role("drop"));
  EXPECT_FALSE(*store_->delete_role("drop"));
  EXPECT_FALSE(*store_->delete_role("never"));
  EXPECT_FALSE(store_->get_role("drop")->has_value());
  EXPECT_EQ(role_names(*store_->list_roles("", 100)), Names{"keep"});
}

AccessKeyRecord access_key(std::string id, std::string role_name) {
  return AccessKeyRecord{std::move(id), std::move(role_name), "sealed-" + std::string(4, 'x'), 100, 200, 0};
}

TEST_P(MetadataStoreSuite, StoresAccessKeysOfExistingRoles) {
  ASSERT_TRUE(store_->put_role(role("operator", "{}")).ok());
  ASSERT_TRUE(store_->put_role(role("auditor", "{}")).ok());
  EXPECT_EQ(store_->put_access_key(access_key("AKIAB", "nobody")).error().code, ErrorCode::not_found);
  ASSERT_TRUE(store_->put_access_key(access_key("AKIAB", "operator")).ok());
  ASSERT_TRUE(store_->put_access_key(access_key("AKIAA", "auditor")).ok());
  EXPECT_EQ(store_->put_access_key(access_key("AKIAB", "auditor")).error().code, ErrorCode::conflict);

  auto stored = store_->get_access_key("AKIAB");
  ASSERT_TRUE(stored.ok() && stored->has_value());
  EXPECT_EQ(**stored, access_key("AKIAB", "operator"));
  EXPECT_FALSE(store_->get_access_key("AKIAC")->has_value());
  const auto ids = [](const std::vector<AccessKeyRecord>& keys) {
    Names names;
    for (const auto& key : keys) names.push_back(key.id);
    return names;
  };
  EXPECT_EQ(ids(*store_->list_access_keys(std::nullopt)), (Names{"AKIAA", "AKIAB"}));
  EXPECT_EQ(ids(*store_->list_access_keys("operator")), Names{"AKIAB"});

  EXPECT_TRUE(*store_->delete_access_key("AKIAA"));
  EXPECT_FALSE(*store_->delete_access_key("AKIAA"));
  // A deleted role takes its keys: a role re-created under its name inherits none.
  ASSERT_TRUE(*store_->delete_role("operator"));
  EXPECT_FALSE(store_->get_access_key("AKIAB")->has_value());
}

TEST_P(MetadataStoreSuite, RecordsAnAccessKeysUseOncePerResolution) {
  ASSERT_TRUE(store_->put_role(role("operator", "{}")).ok());
  ASSERT_TRUE(store_->put_access_key(access_key("AKIAB", "operator")).ok());
  const auto last_used = [&] { return (*store_->get_access_key("AKIAB"))->last_used_unix; };
  ASSERT_TRUE(store_->record_access_key_use("AKIAB", 1000, std::chrono::seconds(60)).ok());
  EXPECT_EQ(last_used(), 1000);
  ASSERT_TRUE(store_->record_access_key_use("AKIAB", 1030, std::chrono::seconds(60)).ok());
  EXPECT_EQ(last_used(), 1000);
  ASSERT_TRUE(store_->record_access_key_use("AKIAB", 1060, std::chrono::seconds(60)).ok());
  EXPECT_EQ(last_used(), 1060);
  EXPECT_TRUE(store_->record_access_key_use("AKIAX", 1060, std::chrono::seconds(60)).ok());
}

TEST_P(MetadataStoreSuite, DeletesAManifestNoIndexLists) {
  ASSERT_TRUE(store_->create_repository("team/app").ok());
  ASSERT_TRUE(store_->create_repository("team/other").ok());
  const Digest child = Hasher::of("child");
  const Digest index = Hasher::of("index");
  for (const char* repository : {"team/app", "team/other"}) {
    ManifestRecord record{repository, child, "application/vnd.oci.image.manifest.v1+json", "child", {}, "", "", 1, std::nullopt};
    ASSERT_TRUE(store_->put_manifest(record, {}, std::nullopt).ok());
  }
  ManifestRecord parent{"team/app", index, "application/vnd.oci.image.index.v1+json", "index", {}, "", "", 1, std::nullopt};
  ASSERT_TRUE(store_->put_manifest(parent, {{child, ReferenceKind::manifest}}, std::string_view("v1")).ok());

  auto kept = store_->delete_unlisted_manifest("team/app", child);
  ASSERT_TRUE(kept.ok());
  EXPECT_FALSE(kept->deleted);
  EXPECT_EQ(kept->listed_by, std::vector<Digest>{index});
  EXPECT_TRUE(*store_->manifest_exists("team/app", child));
  // Another repository's index is no reason to keep it.
  auto other = store_->delete_unlisted_manifest("team/other", child);
  ASSERT_TRUE(other.ok());
  EXPECT_TRUE(other->deleted);

  ASSERT_TRUE(store_->delete_unlisted_manifest("team/app", index)->deleted);
  auto freed = store_->delete_unlisted_manifest("team/app", child);
  ASSERT_TRUE(freed.ok());
  EXPECT_TRUE(freed->deleted && freed->listed_by.empty());
  EXPECT_FALSE(store_->delete_unlisted_manifest("team/app", child)->deleted);
}

TEST_P(MetadataStoreSuite, LinksBlobsPerRepository) {
  Digest layer = blob("layer");
  EXPECT_EQ(*store_->known_blob(layer), std::nullopt);
  ASSERT_TRUE(store_->link_blob("team/app", layer, 5).ok());
  ASSERT_TRUE(store_->link_blob("team/app", layer, 5).ok());
  EXPECT_TRUE(*store_->repository_exists("team/app"));
  EXPECT_EQ(*store_->linked_blob("team/app", layer), std::optional<std::uint64_t>(5));
  EXPECT_EQ(*store_->linked_blob("team/other", layer), std::nullopt);
  EXPECT_EQ(*store_->known_blob(layer), std::optional<std::uint64_t>(5));
  EXPECT_FALSE(collectable(*store_, layer));

  EXPECT_TRUE(*store_->unlink_blob("team/app", layer));
  EXPECT_FALSE(*store_->unlink_blob("team/app", layer));
  EXPECT_EQ(*store_->linked_blob("team/app", layer), std::nullopt);
  EXPECT_EQ(*store_->known_blob(layer), std::nullopt);
  EXPECT_TRUE(collectable(*store_, layer));  // unlinking queues it for garbage collection
}

TEST_P(MetadataStoreSuite, StoresManifestsByteExact) {
  std::string content = "{\"schemaVersion\":2,  \"x\":\"\xff\"}";
  content.push_back('\0');
  content += "tail";
  ManifestRecord record = manifest("team/app", content, blob("subject"), "application/vnd.example");
  record.annotations_json = R"({"org.opencontainers.image.created":"2024-01-01T00:00:00Z"})";
  ASSERT_TRUE(store_->put_manifest(record, linked_layers(*store_, {"config", "layer"}), std::nullopt).ok());

  auto stored = store_->get_manifest("team/app", record.digest);
  ASSERT_TRUE(stored.ok());
  ASSERT_TRUE(stored->has_value());
  const ManifestRecord& got = **stored;
  EXPECT_EQ(got.repository, "team/app");
  EXPECT_EQ(got.digest, record.digest);
  EXPECT_EQ(got.media_type, record.media_type);
  EXPECT_EQ(got.content, content);
  EXPECT_EQ(got.subject, record.subject);
  EXPECT_EQ(got.artifact_type, "application/vnd.example");
  EXPECT_EQ(got.annotations_json, record.annotations_json);
  EXPECT_EQ(got.created_unix, 1700000000);

  EXPECT_TRUE(*store_->manifest_exists("team/app", record.digest));
  EXPECT_FALSE(*store_->manifest_exists("team/other", record.digest));
  EXPECT_EQ(*store_->get_manifest("team/other", record.digest), std::nullopt);
  // Manifests are not blob links.
  EXPECT_EQ(*store_->linked_blob("team/app", record.digest), std::nullopt);
}

TEST_P(MetadataStoreSuite, RecordsTheLatestPullOfAManifest) {
  ManifestRecord record = manifest("team/app", "{\"pulled\":1}");
  ASSERT_TRUE(store_->put_manifest(record, linked_layers(*store_, {"layer"}), "v1").ok());
  EXPECT_EQ((*store_->get_manifest("team/app", record.digest))->last_pulled_unix, std::nullopt);
  ASSERT_TRUE(store_->record_manifest_pull("team/app", record.digest, 1700000100).ok());
  EXPECT_EQ((*store_->get_manifest("team/app", record.digest))->last_pulled_unix, 1700000100);
  // An older pull arriving late does not move the time back.
  ASSERT_TRUE(store_->record_manifest_pull("team/app", record.digest, 1700000050).ok());
  auto images = store_->list_images("team/app", "", 10);
  ASSERT_TRUE(images.ok() && images->size() == 1);
  EXPECT_EQ(images->front().last_pulled_unix, 1700000100);
  // Another repository's manifest of the same digest, and absent manifests, are untouched.
  ASSERT_TRUE(store_->record_manifest_pull("team/other", record.digest, 1700000200).ok());
  EXPECT_EQ((*store_->get_manifest("team/app", record.digest))->last_pulled_unix, 1700000100);
}

TEST_P(MetadataStoreSuite, CountsTheManifestsOfARepository) {
  EXPECT_EQ(*store_->count_manifests("team/app"), 0u);
  ASSERT_TRUE(store_->put_manifest(manifest("team/app", "{\"a\":1}"), linked_layers(*store_, {"l1"}), "v1").ok());
  ASSERT_TRUE(store_->put_manifest(manifest("team/app", "{\"a\":2}"), linked_layers(*store_, {"l2"}), std::nullopt).ok());
  ASSERT_TRUE(store_->put_manifest(manifest("team/app", "{\"a\":1}"), {}, "again").ok());
  EXPECT_EQ(*store_->count_manifests("team/app"), 2u);
  EXPECT_EQ(*store_->count_manifests("team/ap"), 0u);
}

TEST_P(MetadataStoreSuite, KeepsARepositoryPolicyWithTheSettings) {
  ASSERT_TRUE(store_->create_repository("team/app").ok());
  EXPECT_EQ((*store_->get_repository("team/app"))->settings.policy, std::nullopt);
  const std::string policy = R"({"Statement":[{"Effect":"Allow","Principal":"*","Action":"ecr:ListImages"}]})";
  auto set = store_->update_repository_settings("team/app", [&](RepositorySettings& settings) {
    settings.policy = policy;
    return Status{};
  });
  ASSERT_TRUE(set.ok() && set->has_value());
  EXPECT_EQ((*store_->get_repository("team/app"))->settings.policy, policy);
  EXPECT_EQ(*store_->get_repository_policy("team/app"), policy);
  EXPECT_EQ(*store_->get_repository_policy("team/absent"), std::nullopt);
  // A failing change writes nothing.
  auto refused = store_->update_repository_settings("team/app", [&](RepositorySettings& settings) -> Status {
    settings.policy.reset();
    return make_error(ErrorCode::conflict, "no");
  });
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ((*store_->get_repository("team/app"))->settings.policy, policy);
  RepositorySettings created;
  created.policy = "{}";
  ASSERT_TRUE(*store_->add_repository("team/new", created));
  EXPECT_EQ((*store_->get_repository("team/new"))->settings.policy, "{}");
}

TEST_P(MetadataStoreSuite, PuttingTheSameManifestAgainIsIdempotent) {
  ManifestRecord record = manifest("team/app", "{\"same\":1}");
  ASSERT_TRUE(store_->put_manifest(record, linked_layers(*store_, {"layer"}), "v1").ok());
  ManifestRecord again = record;
  again.created_unix = 1800000000;
  ASSERT_TRUE(store_->put_manifest(again, linked_layers(*store_, {"layer"}), "v2").ok());

  EXPECT_EQ((*store_->get_manifest("team/app", record.digest))->created_unix, 1700000000);
  EXPECT_EQ(*store_->list_tags("team/app", "", 10), (Names{"v1", "v2"}));
  int manifests = 0;
  ASSERT_TRUE(store_
                  ->for_each_manifest([&](const ManifestRecord&, const std::vector<ManifestReference>& refs) {
                    ++manifests;
                    EXPECT_EQ(refs.size(), 1u);
                  })
                  .ok());
  EXPECT_EQ(manifests, 1);
}

TEST_P(MetadataStoreSuite, MovesATagToANewManifest) {
  ManifestRecord first = manifest("team/app", "{\"v\":1}");
  ManifestRecord second = manifest("team/app", "{\"v\":2}");
  ASSERT_TRUE(store_->put_manifest(first, {}, "latest").ok());
  EXPECT_EQ(*store_->resolve_tag("team/app", "latest"), first.digest);
  ASSERT_TRUE(store_->put_manifest(second, {}, "latest").ok());
  EXPECT_EQ(*store_->resolve_tag("team/app", "latest"), second.digest);
  EXPECT_EQ(*store_->list_tags("team/app", "", 10), Names{"latest"});
  // The old manifest stays, untagged.
  EXPECT_TRUE(*store_->manifest_exists("team/app", first.digest));
  EXPECT_EQ(*store_->resolve_tag("team/app", "missing"), std::nullopt);
  EXPECT_EQ(*store_->resolve_tag("team/other", "latest"), std::nullopt);
}

TEST_P(MetadataStoreSuite, DeletesTags) {
  ManifestRecord record = manifest("team/app", "{}");
  ASSERT_TRUE(store_->put_manifest(record, {}, "a").ok());
  ASSERT_TRUE(store_->put_manifest(record, {}, "b").ok());
  EXPECT_TRUE(*store_->delete_tag("team/app", "a"));
  EXPECT_FALSE(*store_->delete_tag("team/app", "a"));
  EXPECT_EQ(*store_->list_tags("team/app", "", 10), Names{"b"});
  EXPECT_TRUE(*store_->manifest_exists("team/app", record.digest));
}

TEST_P(MetadataStoreSuite, DeletingAManifestRemovesItsTagsAndReferences) {
  ManifestRecord doomed = manifest("team/app", "{\"doomed\":1}");
  ManifestRecord kept = manifest("team/app", "{\"kept\":1}");
  ASSERT_TRUE(store_->put_manifest(doomed, linked_layers(*store_, {"only-doomed"}), "v1").ok());
  ASSERT_TRUE(store_->put_manifest(doomed, linked_layers(*store_, {"only-doomed"}), "v1.0").ok());
  ASSERT_TRUE(store_->put_manifest(kept, linked_layers(*store_, {"kept-layer"}), "v2").ok());
  EXPECT_FALSE(collectable(*store_, blob("only-doomed")));

  EXPECT_TRUE(*store_->delete_manifest("team/app", doomed.digest));
  EXPECT_FALSE(*store_->delete_manifest("team/app", doomed.digest));
  EXPECT_FALSE(*store_->manifest_exists("team/app", doomed.digest));
  EXPECT_EQ(*store_->list_tags("team/app", "", 10), Names{"v2"});
  EXPECT_EQ(*store_->resolve_tag("team/app", "v1"), std::nullopt);
  EXPECT_TRUE(collectable(*store_, blob("only-doomed")));
  EXPECT_FALSE(collectable(*store_, blob("kept-layer")));
}

TEST_P(MetadataStoreSuite, ManifestDigestsAreScopedToTheirRepository) {
  ManifestRecord in_a = manifest("team/a", "{\"shared\":1}");
  ManifestRecord in_b = manifest("team/b", "{\"shared\":1}");
  ASSERT_TRUE(store_->put_manifest(in_a, {}, "x").ok());
  ASSERT_TRUE(store_->put_manifest(in_b, {}, "x").ok());
  EXPECT_TRUE(*store_->delete_manifest("team/a", in_a.digest));
  EXPECT_TRUE(*store_->manifest_exists("team/b", in_b.digest));
  EXPECT_EQ(*store_->resolve_tag("team/b", "x"), in_b.digest);
}

TEST_P(MetadataStoreSuite, ListsTagsInByteOrderWithPagination) {
  ManifestRecord record = manifest("team/app", "{}");
  for (const char* tag : {"v2", "v10", "V1", "latest", "1.0", "1.0-rc"}) {
    ASSERT_TRUE(store_->put_manifest(record, {}, tag).ok());
  }
  ASSERT_TRUE(store_->put_manifest(manifest("team/other", "{}"), {}, "other-tag").ok());
  EXPECT_EQ(*store_->list_tags("team/app", "", 100), (Names{"1.0", "1.0-rc", "V1", "latest", "v10", "v2"}));
  EXPECT_EQ(*store_->list_tags("team/app", "", 2), (Names{"1.0", "1.0-rc"}));
  EXPECT_EQ(*store_->list_tags("team/app", "1.0-rc", 2), (Names{"V1", "latest"}));
  EXPECT_EQ(*store_->list_tags("team/app", "m", 100), (Names{"v10", "v2"}));
  EXPECT_TRUE(store_->list_tags("team/app", "v2", 100)->empty());
  EXPECT_TRUE(store_->list_tags("team/app", "", 0)->empty());
  EXPECT_TRUE(store_->list_tags("team/none", "", 100)->empty());
}

TEST_P(MetadataStoreSuite, FindsReferrersFilteredByArtifactType) {
  ManifestRecord image = manifest("team/app", "{\"image\":1}");
  ASSERT_TRUE(store_->put_manifest(image, {}, "v1").ok());
  ManifestRecord signature = manifest("team/app", "{\"sig\":1}", image.digest, "application/vnd.dev.cosign");
  signature.annotations_json = R"({"k":"v"})";
  ManifestRecord sbom = manifest("team/app", "{\"sbom\":12345}", image.digest, "application/spdx+json");
  ManifestRecord elsewhere = manifest("team/other", "{\"sig\":2}", image.digest, "application/vnd.dev.cosign");
  ManifestRecord unrelated = manifest("team/app", "{\"other\":1}", blob("other"), "application/spdx+json");
  for (const auto* record : {&signature, &sbom, &elsewhere, &unrelated}) {
    ASSERT_TRUE(store_->put_manifest(*record, {}, std::nullopt).ok());
  }

  auto all = store_->referrers("team/app", image.digest, std::nullopt);
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 2u);
  for (const auto& referrer : *all) {
    const ManifestRecord& expected = referrer.digest == signature.digest ? signature : sbom;
    EXPECT_EQ(referrer.digest, expected.digest);
    EXPECT_EQ(referrer.media_type, expected.media_type);
    EXPECT_EQ(referrer.size, expected.content.size());
    EXPECT_EQ(referrer.artifact_type, expected.artifact_type);
    EXPECT_EQ(referrer.annotations_json, expected.annotations_json);
  }

  auto sboms = store_->referrers("team/app", image.digest, "application/spdx+json");
  ASSERT_TRUE(sboms.ok());
  ASSERT_EQ(sboms->size(), 1u);
  EXPECT_EQ((*sboms)[0].digest, sbom.digest);
  EXPECT_TRUE(store_->referrers("team/app", image.digest, "application/none")->empty());
  EXPECT_TRUE(store_->referrers("team/app", blob("nothing"), std::nullopt)->empty());
}

TEST_P(MetadataStoreSuite, WalksManifestsTagsAndLinks) {
  ManifestRecord index = manifest("team/app", "{\"index\":1}");
  ManifestRecord child = manifest("team/app", "{\"child\":1}");
  ASSERT_TRUE(store_->put_manifest(child, linked_layers(*store_, {"c", "l"}), std::nullopt).ok());
  ASSERT_TRUE(store_->put_manifest(index, {ManifestReference{child.digest, ReferenceKind::manifest}}, "multi").ok());
  ASSERT_TRUE(store_->link_blob("team/app", blob("c"), 1).ok());
  ASSERT_TRUE(store_->link_blob("team/lib", blob("l"), 1).ok());

  std::map<Digest, std::vector<ManifestReference>> walked;
  ASSERT_TRUE(store_
                  ->for_each_manifest([&](const ManifestRecord& record, const std::vector<ManifestReference>& refs) {
                    EXPECT_EQ(record.repository, "team/app");
                    walked.emplace(record.digest, refs);
                  })
                  .ok());
  ASSERT_EQ(walked.size(), 2u);
  ASSERT_EQ(walked[index.digest].size(), 1u);
  EXPECT_EQ(walked[index.digest][0].digest, child.digest);
  EXPECT_EQ(walked[index.digest][0].kind, ReferenceKind::manifest);
  ASSERT_EQ(walked[child.digest].size(), 2u);
  EXPECT_EQ(walked[child.digest][0].kind, ReferenceKind::blob);

  std::vector<std::string> tags;
  ASSERT_TRUE(store_
                  ->for_each_tag([&](const TagRecord& tag) {
                    tags.push_back(tag.repository + ":" + tag.tag);
                    EXPECT_EQ(tag.digest, index.digest);
                  })
                  .ok());
  EXPECT_EQ(tags, Names{"team/app:multi"});

  std::vector<std::string> links;
  ASSERT_TRUE(store_
                  ->for_each_blob_link([&](std::string_view repository, const Digest& digest, std::uint64_t size) {
                    links.push_back(std::string(repository) + "@" + digest.str());
                    EXPECT_EQ(size, 1u);
                  })
                  .ok());
  EXPECT_EQ(links, (Names{"team/app@" + blob("c").str(), "team/app@" + blob("l").str(), "team/lib@" + blob("l").str()}));
}

TEST_P(MetadataStoreSuite, TracksUploadSessions) {
  UploadRecord upload{"0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d", "team/app", 1700000001};
  EXPECT_EQ(*store_->get_upload(upload.id), std::nullopt);
  ASSERT_TRUE(store_->create_upload(upload).ok());
  auto stored = store_->get_upload(upload.id);
  ASSERT_TRUE(stored.ok());
  ASSERT_TRUE(stored->has_value());
  EXPECT_EQ((*stored)->repository, "team/app");
  EXPECT_EQ((*stored)->created_unix, 1700000001);
  EXPECT_FALSE(store_->create_upload(upload).ok());
  ASSERT_TRUE(store_->delete_upload(upload.id).ok());
  EXPECT_EQ(*store_->get_upload(upload.id), std::nullopt);
  EXPECT_TRUE(store_->delete_upload(upload.id).ok());
}

TEST_P(MetadataStoreSuite, RefusesToDeleteARepositoryThatHoldsImagesUnlessForced) {
  ManifestRecord record = manifest("team/app", "{}");
  ASSERT_TRUE(store_->put_manifest(record, linked_layers(*store_, {"layer"}), "v1").ok());
  ASSERT_TRUE(store_->link_blob("team/app", blob("layer"), 5).ok());
  ASSERT_TRUE(store_->create_upload({"11111111-2222-4333-8444-555555555555", "team/app", 1}).ok());
  ASSERT_TRUE(store_->link_blob("team/keep", blob("layer"), 5).ok());

  EXPECT_EQ(store_->delete_repository("team/app", false).error().code, ErrorCode::conflict);
  EXPECT_TRUE(*store_->manifest_exists("team/app", record.digest));
  EXPECT_EQ(store_->delete_repository("team/none", false).error().code, ErrorCode::name_unknown);

  ASSERT_TRUE(store_->delete_repository("team/app", true).ok());
  EXPECT_FALSE(*store_->repository_exists("team/app"));
  EXPECT_FALSE(*store_->manifest_exists("team/app", record.digest));
  EXPECT_EQ(*store_->resolve_tag("team/app", "v1"), std::nullopt);
  EXPECT_EQ(*store_->linked_blob("team/app", blob("layer")), std::nullopt);
  EXPECT_EQ(*store_->get_upload("11111111-2222-4333-8444-555555555555"), std::nullopt);
  EXPECT_EQ(*store_->linked_blob("team/keep", blob("layer")), std::optional<std::uint64_t>(5));
  EXPECT_EQ(*store_->list_repositories("", 10), Names{"team/keep"});
}

TEST_P(MetadataStoreSuite, DeletesAnEmptyRepositoryWithoutForce) {
  ASSERT_TRUE(store_->link_blob("team/app", blob("layer"), 5).ok());
  ASSERT_TRUE(store_->delete_repository("team/app", false).ok());
  EXPECT_FALSE(*store_->repository_exists("team/app"));
  EXPECT_EQ(*store_->known_blob(blob("layer")), std::nullopt);
}

TEST_P(MetadataStoreSuite, KeepsDataAcrossReopen) {
  ManifestRecord record = manifest("team/app", "{\"durable\":true}");
  ASSERT_TRUE(store_->put_manifest(record, linked_layers(*store_, {"layer"}), "v1").ok());
  ASSERT_TRUE(store_->link_blob("team/app", blob("layer"), 5).ok());
  store_.reset();

  store_ = backend_->open();
  ASSERT_NE(store_, nullptr);
  EXPECT_EQ(*store_->resolve_tag("team/app", "v1"), record.digest);
  EXPECT_EQ((*store_->get_manifest("team/app", record.digest))->content, record.content);
  EXPECT_EQ(*store_->linked_blob("team/app", blob("layer")), std::optional<std::uint64_t>(5));
}

TEST_P(MetadataStoreSuite, ServesConcurrentReadersWhileATagMoves) {
  ManifestRecord first = manifest("team/app", "{\"v\":1}");
  ManifestRecord second = manifest("team/app", "{\"v\":2}");
  ASSERT_TRUE(store_->put_manifest(first, {}, "latest").ok());
  ASSERT_TRUE(store_->put_manifest(second, {}, std::nullopt).ok());

  std::atomic<int> failures{0};
  std::atomic<bool> writing{true};
  std::thread writer([&] {
    for (int i = 0; i < 50; ++i) {
      if (!store_->put_manifest(i % 2 == 0 ? second : first, {}, "latest").ok()) ++failures;
    }
    writing = false;
  });
  std::vector<std::thread> readers;
  for (int t = 0; t < 4; ++t) {
    readers.emplace_back([&] {
      int reads = 0;
      while (writing || reads < 200) {
        auto digest = store_->resolve_tag("team/app", "latest");
        if (!digest.ok() || !digest->has_value()) {
          ++failures;
          break;
        }
        auto record = store_->get_manifest("team/app", **digest);
        if (!record.ok() || !record->has_value() || (*record)->digest != **digest) ++failures;
        ++reads;
      }
    });
  }
  writer.join();
  for (auto& reader : readers) reader.join();
  EXPECT_EQ(failures.load(), 0);
}

}  // namespace
}  // namespace berth::metadata

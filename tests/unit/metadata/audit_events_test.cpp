// Audit events, as part of the suite every MetadataStore backend must pass.
#include <string>
#include <vector>

#include "metadata_store_suite.hpp"

namespace berth::metadata {
namespace {

AuditEvent event(std::string action, std::string repository, std::int64_t time_unix) {
  AuditEvent e;
  e.time_unix = time_unix;
  e.action = std::move(action);
  e.repository = std::move(repository);
  return e;
}

Result<std::int64_t> append(MetadataStore& store, const AuditEvent& e) {
  std::vector<Result<std::int64_t>> ids = store.append_audit_events({&e, 1});
  if (ids.size() != 1) return make_error(ErrorCode::internal, "one event, " + std::to_string(ids.size()) + " results");
  return std::move(ids.front());
}

std::vector<std::int64_t> ids(const std::vector<AuditEvent>& events) {
  std::vector<std::int64_t> result;
  for (const auto& e : events) result.push_back(e.id);
  return result;
}

TEST_P(MetadataStoreSuite, StoresAuditEventsWithEveryField) {
  AuditEvent pushed{0,
                    1795000000,
                    "registry:PutManifest",
                    "team/app",
                    "v1",
                    "sha256:" + std::string(64, 'a'),
                    "sha256:" + std::string(64, 'b'),
                    "arn:aws:iam::000000000000:role/ci",
                    "GitHubActions",
                    "ASIAABCDEFGHIJKLMNOP",
                    "192.0.2.7:51234",
                    "https://token.actions.githubusercontent.com",
                    "repo:org/app:ref:refs/heads/main",
                    "sts.amazonaws.com",
                    R"({"actor":"octocat","sha":"0123"})"};
  auto id = append(*store_, pushed);
  ASSERT_TRUE(id.ok()) << id.error().message;
  EXPECT_GT(*id, 0);

  auto events = store_->list_audit_events({});
  ASSERT_TRUE(events.ok()) << events.error().message;
  ASSERT_EQ(events->size(), 1u);
  pushed.id = *id;
  const AuditEvent& got = events->front();
  EXPECT_EQ(got.id, pushed.id);
  EXPECT_EQ(got.time_unix, pushed.time_unix);
  EXPECT_EQ(got.action, pushed.action);
  EXPECT_EQ(got.repository, pushed.repository);
  EXPECT_EQ(got.reference, pushed.reference);
  EXPECT_EQ(got.digest, pushed.digest);
  EXPECT_EQ(got.previous_digest, pushed.previous_digest);
  EXPECT_EQ(got.role_arn, pushed.role_arn);
  EXPECT_EQ(got.role_session_name, pushed.role_session_name);
  EXPECT_EQ(got.access_key_id, pushed.access_key_id);
  EXPECT_EQ(got.source_address, pushed.source_address);
  EXPECT_EQ(got.issuer, pushed.issuer);
  EXPECT_EQ(got.subject, pushed.subject);
  EXPECT_EQ(got.audience, pushed.audience);
  EXPECT_EQ(got.claims_json, pushed.claims_json);
}

TEST_P(MetadataStoreSuite, AssignsIncreasingAuditEventIds) {
  auto first = append(*store_, event("sts:AssumeRoleWithWebIdentity", "", 100));
  auto second = append(*store_, event("ecr:GetAuthorizationToken", "", 50));
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_GT(*second, *first);
  // Listed in id order, not time order.
  EXPECT_EQ(ids(*store_->list_audit_events({})), (std::vector<std::int64_t>{*first, *second}));
}

TEST_P(MetadataStoreSuite, AppendsABatchOfAuditEventsWithOneIdEach) {
  const std::vector<AuditEvent> batch{event("sts:AssumeRoleWithWebIdentity", "", 100),
                                      event("ecr:GetAuthorizationToken", "", 101),
                                      event("registry:PutManifest", "team/app", 102)};
  std::vector<Result<std::int64_t>> appended = store_->append_audit_events(batch);
  ASSERT_EQ(appended.size(), batch.size());
  std::vector<std::int64_t> appended_ids;
  for (const auto& id : appended) {
    ASSERT_TRUE(id.ok()) << id.error().message;
    appended_ids.push_back(*id);
  }
  auto listed = store_->list_audit_events({});
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(ids(*listed), appended_ids);  // ids increase in batch order
  ASSERT_EQ(listed->size(), batch.size());
  for (std::size_t i = 0; i < batch.size(); ++i) EXPECT_EQ((*listed)[i].action, batch[i].action);
  EXPECT_TRUE(store_->append_audit_events({}).empty());
}

TEST_P(MetadataStoreSuite, ARefusedAuditEventDoesNotFailTheRestOfItsBatch) {
  const std::vector<AuditEvent> batch{event("sts:AssumeRoleWithWebIdentity", "", 100), event("", "", 101),
                                      event("registry:DeleteTag", "team/app", 102)};
  std::vector<Result<std::int64_t>> appended = store_->append_audit_events(batch);
  ASSERT_EQ(appended.size(), batch.size());
  ASSERT_TRUE(appended[0].ok()) << appended[0].error().message;
  ASSERT_FALSE(appended[1].ok());
  EXPECT_EQ(appended[1].error().code, ErrorCode::invalid_argument);
  ASSERT_TRUE(appended[2].ok()) << appended[2].error().message;
  auto listed = store_->list_audit_events({});
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(ids(*listed), (std::vector<std::int64_t>{*appended[0], *appended[2]}));
}

TEST_P(MetadataStoreSuite, FiltersAuditEventsByRepositoryAndTime) {
  std::vector<std::int64_t> appended;
  for (const auto& [repository, time] : std::vector<std::pair<std::string, std::int64_t>>{
           {"team/app", 100}, {"team/other", 150}, {"team/app", 200}, {"", 250}, {"team/app", 300}}) {
    auto id = append(*store_, event("registry:PutManifest", repository, time));
    ASSERT_TRUE(id.ok());
    appended.push_back(*id);
  }
  AuditQuery by_repository;
  by_repository.repository = "team/app";
  EXPECT_EQ(ids(*store_->list_audit_events(by_repository)),
            (std::vector<std::int64_t>{appended[0], appended[2], appended[4]}));

  AuditQuery since;
  since.since_unix = 200;
  EXPECT_EQ(ids(*store_->list_audit_events(since)), (std::vector<std::int64_t>{appended[2], appended[3], appended[4]}));

  AuditQuery both = by_repository;
  both.since_unix = 150;
  EXPECT_EQ(ids(*store_->list_audit_events(both)), (std::vector<std::int64_t>{appended[2], appended[4]}));

  AuditQuery none;
  none.repository = "team/ap";
  EXPECT_TRUE(store_->list_audit_events(none)->empty());
}

TEST_P(MetadataStoreSuite, PaginatesAuditEventsById) {
  for (std::int64_t time = 1; time <= 5; ++time) ASSERT_TRUE(append(*store_, event("a", "r", time)).ok());
  AuditQuery page;
  page.limit = 2;
  std::vector<std::int64_t> seen;
  for (int pages = 0; pages < 10; ++pages) {
    auto events = store_->list_audit_events(page);
    ASSERT_TRUE(events.ok());
    for (const auto& e : *events) seen.push_back(e.time_unix);
    if (events->size() < page.limit) break;
    page.after_id = events->back().id;
  }
  EXPECT_EQ(seen, (std::vector<std::int64_t>{1, 2, 3, 4, 5}));
}

TEST_P(MetadataStoreSuite, KeepsAuditEventsAcrossReopen) {
  ASSERT_TRUE(append(*store_, event("registry:DeleteTag", "team/app", 7)).ok());
  store_.reset();
  store_ = backend_->open();
  ASSERT_NE(store_, nullptr);
  auto events = store_->list_audit_events({});
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->size(), 1u);
  EXPECT_EQ(events->front().action, "registry:DeleteTag");
}

}  // namespace
}  // namespace berth::metadata

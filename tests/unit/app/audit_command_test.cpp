#include "app/audit_command.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <sstream>

#include "metadata/sqlite_metadata_store.hpp"
#include "storage/scoped_temp_dir.hpp"

namespace berth::app {
namespace {

using namespace std::chrono_literals;

// 2026-11-26T10:00:00Z
constexpr std::int64_t kMorning = 1795687200;
const std::chrono::system_clock::time_point kNow{std::chrono::seconds{kMorning}};

std::int64_t since(std::string_view text) {
  auto parsed = parse_since(text, kNow);
  EXPECT_TRUE(parsed.ok()) << text << ": " << parsed.error().message;
  return parsed.ok() ? *parsed : -1;
}

TEST(ParseSince, ReadsRfc3339Times) {
  EXPECT_EQ(since("2026-11-26T10:00:00Z"), kMorning);
  EXPECT_EQ(since("2026-11-26t10:00:00z"), kMorning);
  EXPECT_EQ(since("2026-11-26 10:00:00Z"), kMorning);
  EXPECT_EQ(since("2026-11-26T10:00:00.999Z"), kMorning);
  EXPECT_EQ(since("2026-11-26T11:30:00+01:30"), kMorning);
  EXPECT_EQ(since("2026-11-26T05:00:00-05:00"), kMorning);
  EXPECT_EQ(since("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(since("2024-02-29T00:00:00Z"), 1709164800);
}

TEST(ParseSince, ReadsDurationsBeforeNow) {
  EXPECT_EQ(since("90s"), kMorning - 90);
  EXPECT_EQ(since("90m"), kMorning - 90 * 60);
  EXPECT_EQ(since("24h"), kMorning - 24 * 3600);
  EXPECT_EQ(since("7d"), kMorning - 7 * 86400);
  EXPECT_EQ(since("0m"), kMorning);
}

TEST(ParseSince, RefusesAnythingElse) {
  for (std::string_view text : {"",
                                "yesterday",
                                "7",
                                "d",
                                "7w",
                                "-7d",
                                "+7d",
                                "7 d",
                                "1.5h",
                                "9999999999d",
                                "2026-11-26",
                                "2026-11-26T10:00:00",
                                "2026-11-26T10:00Z",
                                "2026-13-01T00:00:00Z",
                                "2026-02-30T00:00:00Z",
                                "2026-11-26T24:00:00Z",
                                "2026-11-26T10:00:00+0100",
                                "2026-11-26T10:00:00.Z",
                                "2026-11-26T10:00:00Zjunk",
                                " 2026-11-26T10:00:00Z"}) {
    auto parsed = parse_since(text, kNow);
    ASSERT_FALSE(parsed.ok()) << "'" << text << "' read as " << *parsed;
    EXPECT_EQ(parsed.error().code, ErrorCode::invalid_argument);
  }
}

TEST(FormatRfc3339, WritesUtcWithAZ) {
  EXPECT_EQ(format_rfc3339(kMorning), "2026-11-26T10:00:00Z");
  EXPECT_EQ(format_rfc3339(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(format_rfc3339(1709164800 + 86399), "2024-02-29T23:59:59Z");
}

metadata::AuditEvent pushed_event() {
  metadata::AuditEvent event;
  event.id = 7;
  event.time_unix = kMorning;
  event.action = "registry:PutManifest";
  event.repository = "team/app";
  event.reference = "v1";
  event.digest = "sha256:" + std::string(64, 'a');
  event.previous_digest = "sha256:" + std::string(64, 'b');
  event.role_arn = "arn:aws:iam::000000000000:role/ci";
  event.role_session_name = "GitHubActions";
  event.access_key_id = "ASIAABCDEFGHIJKLMNOP";
  event.source_address = "192.0.2.7:51234";
  event.issuer = "https://token.actions.githubusercontent.com";
  event.subject = "repo:org/app:ref:refs/heads/main";
  event.audience = "sts.amazonaws.com";
  event.claims_json = R"({"actor":"octocat","sha":"0123","workflow":"Build and push"})";
  return event;
}

TEST(AuditLine, NamesWhoDidWhat) {
  EXPECT_EQ(
      audit_line(pushed_event()),
      "2026-11-26T10:00:00Z registry:PutManifest team/app v1 digest=sha256:" + std::string(64, 'a') +
          " previous=sha256:" + std::string(64, 'b') +
          " role=arn:aws:iam::000000000000:role/ci session=GitHubActions subject=repo:org/app:ref:refs/heads/main "
          "sha=0123 workflow=\"Build and push\" actor=octocat source=192.0.2.7:51234");
}

TEST(AuditLine, LeavesOutWhatIsUnknown) {
  metadata::AuditEvent event;
  event.time_unix = kMorning;
  event.action = "sts:AssumeRoleWithWebIdentity";
  event.role_arn = "arn:aws:iam::000000000000:role/ci";
  EXPECT_EQ(audit_line(event),
            "2026-11-26T10:00:00Z sts:AssumeRoleWithWebIdentity - - role=arn:aws:iam::000000000000:role/ci");
}

TEST(AuditJson, HoldsEveryFieldAndTheClaimsAsAnObject) {
  auto object = nlohmann::json::parse(audit_json(pushed_event()));
  EXPECT_EQ(object["id"], 7);
  EXPECT_EQ(object["time"], "2026-11-26T10:00:00Z");
  EXPECT_EQ(object["action"], "registry:PutManifest");
  EXPECT_EQ(object["repository"], "team/app");
  EXPECT_EQ(object["previous_digest"], "sha256:" + std::string(64, 'b'));
  EXPECT_EQ(object["access_key_id"], "ASIAABCDEFGHIJKLMNOP");
  EXPECT_EQ(object["audience"], "sts.amazonaws.com");
  EXPECT_EQ(object["claims"], nlohmann::json({{"actor", "octocat"}, {"sha", "0123"}, {"workflow", "Build and push"}}));
}

class PrintAuditEventsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    settings_.data_dir = dir_.path().string();
    auto store = metadata::SqliteMetadataStore::open(dir_.path() / "berth.db");
    ASSERT_TRUE(store.ok());
    for (auto [repository, time] :
         {std::pair{"team/app", kMorning - 7200}, {"team/other", kMorning - 3600}, {"team/app", kMorning}}) {
      metadata::AuditEvent event = pushed_event();
      event.repository = repository;
      event.time_unix = time;
      ASSERT_TRUE((*store)->append_audit_events({&event, 1}).front().ok());
    }
  }

  std::string print(AuditOptions options, int expected_code = 0) {
    std::ostringstream out;
    EXPECT_EQ(print_audit_events(settings_, options, out), expected_code);
    return out.str();
  }

  test::ScopedTempDir dir_;
  Settings settings_;
};

TEST_F(PrintAuditEventsTest, PrintsMatchingEventsAsJson) {
  auto all = nlohmann::json::parse(print({std::nullopt, std::nullopt, true}));
  ASSERT_TRUE(all.is_array());
  EXPECT_EQ(all.size(), 3u);

  auto app = nlohmann::json::parse(print({"team/app", "2026-11-26T09:00:00Z", true}));
  ASSERT_EQ(app.size(), 1u);
  EXPECT_EQ(app[0]["time"], "2026-11-26T10:00:00Z");

  EXPECT_EQ(nlohmann::json::parse(print({"nobody/here", std::nullopt, true})), nlohmann::json::array());
}

TEST_F(PrintAuditEventsTest, PrintsOneLinePerEvent) {
  std::string text = print({"team/app", std::nullopt, false});
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 2);
  EXPECT_EQ(text.find("team/other"), std::string::npos);
}

TEST_F(PrintAuditEventsTest, RefusesAnInvalidSince) { EXPECT_EQ(print({std::nullopt, "soon", false}, 2), ""); }

}  // namespace
}  // namespace berth::app

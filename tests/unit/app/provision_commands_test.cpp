#include "app/provision_commands.hpp"

#include <gtest/gtest.h>

#include <sstream>

#include "metadata/sqlite_metadata_store.hpp"
#include "provision/provision_test_support.hpp"
#include "storage/scoped_temp_dir.hpp"

namespace berth::app {
namespace {

namespace fakes = provision::test;

TEST(ProvisionSettings, NeedsAPublicUrl) {
  Settings settings;
  auto provisioning = provision_settings(settings);
  ASSERT_FALSE(provisioning.ok());
  EXPECT_EQ(provisioning.error().code, ErrorCode::invalid_argument);
  EXPECT_NE(provisioning.error().message.find("public_url"), std::string::npos);
}

TEST(ProvisionSettings, TakesTheIdentityAndTheCiProvidersFromTheServerSettings) {
  Settings settings;
  settings.public_url = "https://registry.example.com";
  settings.account_id = "123456789012";
  settings.region = "eu-west-2";
  settings.oidc_providers.push_back(
      OidcProviderSettings{"github", "https://ghe.example.com/_services/token", {"berth"}, "acme", "", false});
  settings.oidc_providers.push_back(
      OidcProviderSettings{"circleci", "https://oidc.circleci.com/org/org-1", {"org-1"}, "", "org-1", false});
  auto provisioning = provision_settings(settings);
  ASSERT_TRUE(provisioning.ok()) << provisioning.error().message;
  EXPECT_EQ(provisioning->account_id, "123456789012");
  EXPECT_EQ(provisioning->region, "eu-west-2");
  EXPECT_EQ(provisioning->public_url, "https://registry.example.com");
  EXPECT_EQ(provisioning->github_owner, "acme");
  EXPECT_EQ(provisioning->github_issuer, "https://ghe.example.com/_services/token");
  EXPECT_EQ(provisioning->github_audience, "berth");
  EXPECT_EQ(provisioning->circleci_organization_id, "org-1");
  EXPECT_EQ(provisioning->circleci_issuer, "https://oidc.circleci.com/org/org-1");

  settings.oidc_providers.clear();
  provisioning = provision_settings(settings);
  ASSERT_TRUE(provisioning.ok());
  EXPECT_EQ(provisioning->github_owner, "");
  EXPECT_EQ(provisioning->github_audience, "sts.amazonaws.com");
}

class Converge : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = metadata::SqliteMetadataStore::open(dir_.path() / "berth.db");
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    store_ = std::move(opened).value();
  }

  int run(const provision::DesiredState& desired, ConvergeOptions options, std::string answer = "",
          bool terminal = false) {
    in_.str(answer + "\n");
    in_.clear();
    out_.str("");
    err_.str("");
    Console console{in_, out_, err_, terminal, false};
    PublisherSource source = [&](const provision::Plan&) -> Result<provision::Publishers> {
      ++sources_made_;
      return provision::Publishers{&github_, &kubernetes_};
    };
    return converge(desired, *store_, source, options, console);
  }

  ConvergeOptions approved() {
    ConvergeOptions options;
    options.auto_approve = true;
    return options;
  }

  berth::test::ScopedTempDir dir_;
  std::unique_ptr<metadata::SqliteMetadataStore> store_;
  fakes::RecordingGithub github_;
  fakes::RecordingKubernetes kubernetes_;
  int sources_made_ = 0;
  std::istringstream in_;
  std::ostringstream out_;
  std::ostringstream err_;
};

TEST_F(Converge, AppliesWhenApprovedThenSaysNoChanges) {
  auto desired = fakes::desired({});
  EXPECT_EQ(run(desired, approved()), 0);
  EXPECT_NE(out_.str().find("Plan: 8 to create, 0 to update, 0 to delete."), std::string::npos);
  EXPECT_NE(out_.str().find("Apply complete: 8 done, 0 failed, 0 skipped."), std::string::npos);
  EXPECT_EQ(github_.calls.size(), 4u);

  EXPECT_EQ(run(desired, approved()), 0);
  EXPECT_EQ(out_.str(), "No changes. Berth's state matches the declarations.\n");
  EXPECT_EQ(sources_made_, 1);
  EXPECT_EQ(github_.calls.size(), 4u);
}

TEST_F(Converge, RefusesWithoutATerminalToAsk) {
  EXPECT_EQ(run(fakes::desired({}), {}, "yes", /*terminal=*/false), 1);
  EXPECT_NE(err_.str().find("--auto-approve"), std::string::npos);
  EXPECT_EQ(sources_made_, 0);
  EXPECT_TRUE(store_->list_provisioned_repositories()->empty());
}

TEST_F(Converge, AsksOnATerminalAndAcceptsOnlyYes) {
  EXPECT_EQ(run(fakes::desired({}), {}, "y", /*terminal=*/true), 1);
  EXPECT_NE(out_.str().find("Apply these changes? Only 'yes' is accepted:"), std::string::npos);
  EXPECT_NE(err_.str().find("cancelled"), std::string::npos);
  EXPECT_TRUE(store_->list_provisioned_repositories()->empty());

  EXPECT_EQ(run(fakes::desired({}), {}, "yes", /*terminal=*/true), 0);
  EXPECT_EQ(store_->list_provisioned_repositories()->size(), 1u);
}

TEST_F(Converge, AnIncompleteApplyExitsNonZero) {
  auto desired = fakes::desired({});
  github_.fail.insert("put_variable acme/example-repo/ECR_REGION=eu-west-2");
  EXPECT_EQ(run(desired, approved()), 1);
  EXPECT_NE(out_.str().find("Apply incomplete: 7 done, 1 failed"), std::string::npos);
  github_.fail.clear();
  EXPECT_EQ(run(desired, approved()), 0);
  EXPECT_NE(out_.str().find("Plan: 1 to create, 0 to update, 0 to delete."), std::string::npos);
}

TEST_F(Converge, OutputDirectoryGetsTheConfigMapsInsteadOfKubernetes) {
  auto desired = fakes::desired({});
  auto options = approved();
  options.output_dir = dir_.path() / "configmaps";
  EXPECT_EQ(run(desired, options), 0);
  EXPECT_TRUE(kubernetes_.calls.empty());
  EXPECT_NE(out_.str().find("Plan: 7 to create"), std::string::npos);
  EXPECT_TRUE(std::filesystem::exists(dir_.path() / "configmaps" / "example-ns-example-repo-circleci.yaml"));
  EXPECT_NE(out_.str().find("wrote ConfigMap example-ns/example-repo-circleci"), std::string::npos);
}

}  // namespace
}  // namespace berth::app

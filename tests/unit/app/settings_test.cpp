#include "app/settings.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace berth::app {
namespace {

class SettingsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (std::filesystem::temp_directory_path() / "berth-settings-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // Writes `text` as the config file and loads it.
  Result<Settings> load(std::string_view text, Settings base = {}) {
    std::ofstream(path()) << text;
    return load_settings(path(), std::move(base));
  }

  std::string failure(std::string_view text) {
    auto settings = load(text);
    EXPECT_FALSE(settings.ok()) << text;
    if (settings.ok()) return {};
    EXPECT_EQ(settings.error().code, ErrorCode::invalid_argument);
    const std::string prefix = path() + ":";
    EXPECT_TRUE(settings.error().message.starts_with(prefix)) << settings.error().message;
    return settings.error().message.substr(prefix.size());
  }

  std::string path() const { return (dir_ / "berth.hcl").string(); }

  std::filesystem::path dir_;
};

TEST_F(SettingsTest, ReadsTheDocumentedExample) {
  auto settings = load(R"(
listen     = "127.0.0.1:5000"
data_dir   = "/var/lib/berth"
anonymous  = false
public_url = "https://registry.example.com"
threads    = 2
log { format = "json"  level = "info" }
tls { certificate = "/etc/berth/cert.pem"  key = "/etc/berth/key.pem" }
limits {
  max_header_bytes       = 16384
  max_manifest_bytes     = 4194304
  max_images_per_repository = 500
  header_timeout_seconds = 10
  idle_timeout_seconds   = 60
  shutdown_grace_seconds = 30
}
)");
  ASSERT_TRUE(settings.ok()) << settings.error().message;
  EXPECT_EQ(settings->listen, "127.0.0.1:5000");
  EXPECT_EQ(settings->data_dir, "/var/lib/berth");
  EXPECT_FALSE(settings->anonymous);
  EXPECT_EQ(settings->public_url, "https://registry.example.com");
  EXPECT_EQ(settings->threads, 2u);
  EXPECT_EQ(settings->log_format, log::Format::json);
  EXPECT_EQ(settings->log_level, log::Level::info);
  ASSERT_TRUE(settings->tls.has_value());
  EXPECT_EQ(settings->tls->certificate_file, "/etc/berth/cert.pem");
  EXPECT_EQ(settings->tls->key_file, "/etc/berth/key.pem");
  EXPECT_EQ(settings->max_header_bytes, 16384u);
  EXPECT_EQ(settings->max_manifest_bytes, 4194304u);
  EXPECT_EQ(settings->max_images_per_repository, 500u);
  EXPECT_EQ(settings->header_timeout, std::chrono::seconds(10));
  EXPECT_EQ(settings->idle_timeout, std::chrono::seconds(60));
  EXPECT_EQ(settings->shutdown_grace, std::chrono::seconds(30));
}

TEST_F(SettingsTest, LifecycleScheduleIsOnDailyUnlessTheFileSaysOtherwise) {
  const Settings defaults;
  EXPECT_TRUE(defaults.lifecycle_enabled);
  EXPECT_EQ(defaults.lifecycle_interval, std::chrono::hours(24));
  auto settings = load("lifecycle {\n  enabled = false\n  interval_seconds = 3600\n}\n");
  ASSERT_TRUE(settings.ok()) << settings.error().message;
  EXPECT_FALSE(settings->lifecycle_enabled);
  EXPECT_EQ(settings->lifecycle_interval, std::chrono::hours(1));
  EXPECT_EQ(failure("lifecycle { interval_seconds = 0 }\n"), "1:13: interval_seconds must be greater than zero");
  EXPECT_EQ(failure("lifecycle { every = 5 }\n"), "1:13: unknown attribute \"every\" in block \"lifecycle\" (expected one of: enabled, interval_seconds)");
}

TEST_F(SettingsTest, OverridesOnlyWhatTheFileSets) {
  Settings base;
  base.data_dir = "/from/base";
  base.max_header_bytes = 111;
  auto settings = load("anonymous = true\nlimits { idle_timeout_seconds = 5 }\nlog { level = \"debug\" }\n", base);
  ASSERT_TRUE(settings.ok()) << settings.error().message;
  EXPECT_TRUE(settings->anonymous);
  EXPECT_EQ(settings->data_dir, "/from/base");
  EXPECT_EQ(settings->max_header_bytes, 111u);
  EXPECT_EQ(settings->idle_timeout, std::chrono::seconds(5));
  EXPECT_EQ(settings->header_timeout, std::chrono::seconds(10));
  EXPECT_EQ(settings->log_level, log::Level::debug);
  EXPECT_EQ(settings->log_format, log::Format::text);
  EXPECT_FALSE(settings->tls.has_value());
  EXPECT_EQ(settings->listen, "127.0.0.1:5000");
}

TEST_F(SettingsTest, EmptyFileKeepsDefaults) {
  auto settings = load("# nothing here\n");
  ASSERT_TRUE(settings.ok()) << settings.error().message;
  EXPECT_EQ(settings->listen, Settings{}.listen);
  EXPECT_EQ(settings->data_dir, Settings{}.data_dir);
}

TEST_F(SettingsTest, VariablesAndLocals) {
  auto settings = load(R"(
variable "root" { default = "/srv/berth" }
locals {
  host = "registry.example.com"
}
data_dir   = "${var.root}/data"
public_url = "https://${local.host}/"
tls {
  certificate = "${var.root}/tls/${local.host}.pem"
  key         = <<-EOF
    ${var.root}/tls/key.pem
    EOF
}
)");
  ASSERT_TRUE(settings.ok()) << settings.error().message;
  EXPECT_EQ(settings->data_dir, "/srv/berth/data");
  EXPECT_EQ(settings->public_url, "https://registry.example.com");
  ASSERT_TRUE(settings->tls.has_value());
  EXPECT_EQ(settings->tls->certificate_file, "/srv/berth/tls/registry.example.com.pem");
  EXPECT_EQ(settings->tls->key_file, "/srv/berth/tls/key.pem\n");
}

TEST_F(SettingsTest, ErrorsPointAtTheOffendingLine) {
  EXPECT_EQ(failure("listen = \"127.0.0.1:5000\"\nlisten_port = 5000\n"),
            "2:1: unknown attribute \"listen_port\" in the config file (expected one of: listen, data_dir, anonymous, "
            "public_url, threads, account_id, region)");
  EXPECT_EQ(failure("oidc {}\n"), "1:1: unknown block \"oidc\" (expected one of: log, tls, limits, credentials, lifecycle, "
                                   "gc, oidc_provider, variable, locals)");
  EXPECT_EQ(failure("log {\n  colour = true\n}\n"),
            "2:3: unknown attribute \"colour\" in block \"log\" (expected one of: format, level)");
  EXPECT_EQ(failure("log \"x\" {}\n"), "1:1: block \"log\" takes no labels");
  EXPECT_EQ(failure("limits {\n  nested {}\n}\n"), "2:3: unknown block \"nested\" in block \"limits\"");
  EXPECT_EQ(failure("log {}\nlog {}\n"), "2:1: block \"log\" is already defined at line 1");
  EXPECT_EQ(failure("anonymous = \"yes\"\n"), "1:1: anonymous must be true or false");
  EXPECT_EQ(failure("threads = -1\n"), "1:1: threads must be between 0 (one per core) and 1024");
  EXPECT_EQ(failure("threads = 1.5\n"), "1:1: threads must be a whole number");
  EXPECT_EQ(failure("data_dir = \"\"\n"), "1:1: data_dir must be a non-empty string");
  EXPECT_EQ(failure("data_dir = 7\n"), "1:1: data_dir must be a non-empty string");
  EXPECT_EQ(failure("listen = \"localhost\"\n"),
            "1:1: listen address must be HOST:PORT or [IPV6]:PORT, got 'localhost'");
  EXPECT_EQ(failure("public_url = \"registry.example.com\"\n"), "1:1: public_url must start with https:// or http://");
  EXPECT_EQ(failure("limits {\n  max_header_bytes = 0\n}\n"), "2:3: max_header_bytes must be greater than zero");
  EXPECT_EQ(failure("limits { idle_timeout_seconds = -5 }\n"), "1:10: idle_timeout_seconds must be greater than zero");
  EXPECT_EQ(failure("limits { shutdown_grace_seconds = \"30\" }\n"),
            "1:10: shutdown_grace_seconds must be a whole number");
  EXPECT_EQ(failure("tls { certificate = \"/c.pem\" }\n"), "1:1: tls needs both certificate and key");
  EXPECT_EQ(failure("tls {\n  key = \"/k.pem\"\n}\n"), "1:1: tls needs both certificate and key");
  EXPECT_EQ(failure("log { format = \"xml\" }\n"), "1:7: format must be one of \"text\", \"json\"");
  EXPECT_EQ(failure("log { level = \"verbose\" }\n"),
            "1:7: level must be one of \"debug\", \"info\", \"warn\", \"error\"");
  EXPECT_EQ(failure("data_dir = var.root\n"),
            "1:12: unknown variable \"root\" (declare it with variable \"root\" { default = ... })");
  EXPECT_EQ(failure("data_dir = abspath(\"x\")\n"),
            "1:12: function calls are not supported (berth evaluates only literals, var.* and local.*)");
  EXPECT_EQ(failure("listen = \"unterminated\n"), "1:10: unterminated string: missing '\"'");
}

TEST_F(SettingsTest, IdentityProvidersWithTheirDefaults) {
  auto settings = load(R"(
account_id = "123456789012"
region     = "eu-west-2"
oidc_provider "github" {
  owner = "ministryofjustice"
}
oidc_provider "circleci" {
  organization_id = "org-1"
}
oidc_provider "gitlab" {
  issuer    = "https://gitlab.example.com/"
  audiences = ["berth", "sts.amazonaws.com"]
}
oidc_provider "local" {
  issuer    = "http://127.0.0.1:8080/issuer"
  audiences = ["test"]
  insecure  = true
}
credentials {
  session_duration_seconds           = 900
  registry_password_lifetime_seconds = 3600
  clock_skew_seconds                 = 60
  keys                               = ["a2V5"]
}
)");
  ASSERT_TRUE(settings.ok()) << settings.error().message;
  EXPECT_EQ(settings->account_id, "123456789012");
  EXPECT_EQ(settings->region, "eu-west-2");
  ASSERT_EQ(settings->oidc_providers.size(), 4u);
  const auto& github = settings->oidc_providers[0];
  EXPECT_EQ(github.issuer, "https://token.actions.githubusercontent.com");
  EXPECT_EQ(github.audiences, std::vector<std::string>{"sts.amazonaws.com"});
  EXPECT_EQ(github.github_owner, "ministryofjustice");
  const auto& circleci = settings->oidc_providers[1];
  EXPECT_EQ(circleci.issuer, "https://oidc.circleci.com/org/org-1");
  EXPECT_EQ(circleci.audiences, std::vector<std::string>{"org-1"});
  EXPECT_EQ(settings->oidc_providers[2].issuer, "https://gitlab.example.com");
  EXPECT_TRUE(settings->oidc_providers[3].insecure);
  EXPECT_EQ(settings->default_session_duration, std::chrono::seconds(900));
  EXPECT_EQ(settings->registry_password_lifetime, std::chrono::seconds(3600));
  EXPECT_EQ(settings->clock_skew, std::chrono::seconds(60));
  EXPECT_EQ(settings->keys, std::vector<std::string>{"a2V5"});
}

TEST_F(SettingsTest, IdentityProviderMistakes) {
  EXPECT_EQ(failure("account_id = \"12345\"\n"), "1:1: account_id must be 12 digits");
  EXPECT_EQ(failure("region = \"EU West\"\n"), "1:1: region must be a region name such as \"eu-west-2\"");
  EXPECT_EQ(failure("oidc_provider {}\n"),
            "1:1: block \"oidc_provider\" takes one label: its name (\"github\", \"circleci\", ...)");
  EXPECT_EQ(failure("oidc_provider \"circleci\" {}\n"), "1:1: oidc_provider \"circleci\" needs organization_id");
  EXPECT_EQ(failure("oidc_provider \"gitlab\" { issuer = \"https://gitlab.example.com\" }\n"),
            "1:1: oidc_provider \"gitlab\" needs issuer and audiences");
  EXPECT_EQ(failure("oidc_provider \"x\" {\n  issuer = \"http://idp\"\n  audiences = [\"a\"]\n}\n"),
            "1:1: issuer of oidc_provider \"x\" must start with https:// (http:// needs insecure = true)");
  EXPECT_EQ(failure("oidc_provider \"github\" {}\noidc_provider \"github\" {}\n"),
            "2:1: oidc_provider \"github\" repeats the name or issuer of \"github\"");
  EXPECT_EQ(failure("oidc_provider \"github\" { organization_id = \"o\" }\n"),
            "1:1: organization_id is a setting of oidc_provider \"circleci\" only");
  EXPECT_EQ(failure("oidc_provider \"github\" { audiences = [] }\n"),
            "1:26: audiences must be a non-empty list of strings");
  EXPECT_EQ(failure("oidc_provider \"github\" { scope = \"x\" }\n"),
            "1:26: unknown attribute \"scope\" in block \"oidc_provider\" (expected one of: issuer, audiences, owner, "
            "organization_id, insecure)");
  EXPECT_EQ(failure("credentials { session_duration_seconds = 600 }\n"),
            "1:1: session_duration_seconds must be between 900 and 43200");
}

TEST_F(SettingsTest, MissingFile) {
  auto settings = load_settings((dir_ / "absent.hcl").string());
  ASSERT_FALSE(settings.ok());
  EXPECT_EQ(settings.error().code, ErrorCode::not_found);
}

TEST(ParseSettings, ReadsTextAsTheFileWouldBeRead) {
  auto settings = parse_settings("listen = \"127.0.0.1:6000\"\nregion = \"eu-west-2\"\n", "inline.hcl");
  ASSERT_TRUE(settings.ok()) << settings.error().message;
  EXPECT_EQ(settings->listen, "127.0.0.1:6000");
  EXPECT_EQ(settings->region, "eu-west-2");

  auto refused = parse_settings("\nthreads = \"two\"\n", "inline.hcl");
  ASSERT_FALSE(refused.ok());
  EXPECT_TRUE(refused.error().message.starts_with("inline.hcl:2:")) << refused.error().message;
}

}  // namespace
}  // namespace berth::app

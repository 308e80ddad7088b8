#include "provision/config_map_yaml.hpp"

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace berth::provision {
namespace {

namespace fs = std::filesystem;

ConfigMap config_map() {
  return ConfigMap{
      .namespace_name = "team-ns",
      .name = "my-app-circleci",
      .data = {{"ecr_role_to_assume", "arn:aws:iam::123456789012:role/berth-ecr-0123456789abcdef-circleci"},
               {"ecr_region", "eu-west-2"},
               {"ecr_repository", "team/my_app"},
               {"ecr_registry_id", "123456789012"}},
      .repository = "team/my_app"};
}

TEST(ConfigMapYaml, ReadableManifest) {
  EXPECT_EQ(config_map_yaml(config_map()),
            "apiVersion: v1\n"
            "kind: ConfigMap\n"
            "metadata:\n"
            "  name: my-app-circleci\n"
            "  namespace: team-ns\n"
            "data:\n"
            "  ecr_region: \"eu-west-2\"\n"
            "  ecr_registry_id: \"123456789012\"\n"
            "  ecr_repository: \"team/my_app\"\n"
            "  ecr_role_to_assume: \"arn:aws:iam::123456789012:role/berth-ecr-0123456789abcdef-circleci\"\n");
}

TEST(ConfigMapYaml, AwkwardValuesReadBackAsTheSameStrings) {
  ConfigMap awkward = config_map();
  awkward.data = {{"a", "true"},
                  {"b", "null"},
                  {"c", "0x1F"},
                  {"d", "key: value # not a comment"},
                  {"e", "line\nbreak"},
                  {"f", "\"quoted\" and \\ backslash"},
                  {"g", ""},
                  {"h", "- dash"}};
  const YAML::Node parsed = YAML::Load(config_map_yaml(awkward));
  ASSERT_TRUE(parsed["data"].IsMap());
  for (const auto& [key, value] : awkward.data) {
    ASSERT_TRUE(parsed["data"][key].IsScalar()) << key;
    EXPECT_EQ(parsed["data"][key].Tag(), "!") << key;  // quoted: never resolved to bool, null or int
    EXPECT_EQ(parsed["data"][key].as<std::string>(), value) << key;
  }
  EXPECT_EQ(parsed["metadata"]["namespace"].as<std::string>(), "team-ns");
}

TEST(ConfigMapYaml, WritesNamespaceAndNameFileAtomically) {
  std::string pattern = (fs::temp_directory_path() / "berth-configmaps-XXXXXX").string();
  ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
  const fs::path directory = pattern;
  ASSERT_TRUE(write_config_map_yaml(config_map(), directory).ok());
  ConfigMap changed = config_map();
  changed.data["ecr_region"] = "eu-west-1";
  ASSERT_TRUE(write_config_map_yaml(changed, directory).ok());

  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(directory)) names.push_back(entry.path().filename().string());
  std::ostringstream text;
  text << std::ifstream(directory / "team-ns-my-app-circleci.yaml").rdbuf();
  fs::remove_all(directory);

  EXPECT_EQ(names, std::vector<std::string>{"team-ns-my-app-circleci.yaml"});
  EXPECT_EQ(text.str(), config_map_yaml(changed));
}

TEST(ConfigMapYaml, MissingDirectoryIsAnError) {
  Status status = write_config_map_yaml(config_map(), "/nonexistent-berth-directory/out");
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, ErrorCode::internal);
  EXPECT_NE(status.error().message.find("/nonexistent-berth-directory/out"), std::string::npos);
}

}  // namespace
}  // namespace berth::provision

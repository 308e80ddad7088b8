// DescribeRepositories: named and listed, each repository authorised on its own.
#include "aws/ecr_repositories.hpp"

#include <gtest/gtest.h>

#include "aws/ecr_test_support.hpp"

namespace berth::aws::test {
namespace {

using namespace std::chrono_literals;

// May describe every repository of example-team, and nothing else.
constexpr std::string_view kDescribeTeamPolicy = R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow",
    "Action":"ecr:DescribeRepositories","Resource":"arn:aws:ecr:eu-west-2:000000000000:repository/example-team/*"}]})";

class EcrRepositoriesTest : public EcrTest {
 protected:
  EcrRepositoriesTest() {
    put_role("describer", {kDescribeTeamPolicy});
    for (const char* name :
         {"example-team/a", "example-team/b", "other-team/c", "example-team/d", "example-team/e", "zzz/hidden"}) {
      EXPECT_TRUE(metadata_->create_repository(name).ok());
    }
  }

  http::Response describe(std::string body) {
    const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
    return call("DescribeRepositories", std::move(body), session_of("describer", now - 1min));
  }

  static std::vector<std::string> names(const nlohmann::json& body) {
    std::vector<std::string> out;
    for (const auto& repository : body.at("repositories")) out.push_back(repository.at("repositoryName"));
    return out;
  }
};

TEST_F(EcrRepositoriesTest, DescribesARepositoryAsEcrDoes) {
  http::Response response = describe(R"({"repositoryNames":["example-team/example-repository"]})");
  ASSERT_EQ(response.status, 200) << body_text(response);
  nlohmann::json described = json_of(response);
  EXPECT_TRUE(described["repositories"][0]["createdAt"].is_number_integer());
  described["repositories"][0].erase("createdAt");
  EXPECT_EQ(described, nlohmann::json::parse(R"({"repositories":[{
      "repositoryArn":"arn:aws:ecr:eu-west-2:000000000000:repository/example-team/example-repository",
      "registryId":"000000000000",
      "repositoryName":"example-team/example-repository",
      "repositoryUri":"registry.example.test:5000/example-team/example-repository",
      "imageTagMutability":"MUTABLE",
      "imageScanningConfiguration":{"scanOnPush":false},
      "encryptionConfiguration":{"encryptionType":"AES256"}}]})"));
}

TEST_F(EcrRepositoriesTest, ListsOnlyWhatTheCallerMayDescribe) {
  http::Response response = describe("{}");
  ASSERT_EQ(response.status, 200) << body_text(response);
  nlohmann::json body = json_of(response);
  EXPECT_EQ(names(body), (std::vector<std::string>{"example-team/a", "example-team/b", "example-team/d",
                                                   "example-team/e", "example-team/example-repository"}));
  EXPECT_FALSE(body.contains("nextToken"));
}

TEST_F(EcrRepositoriesTest, TheMojPolicyDescribesNothing) {
  http::Response response = call("DescribeRepositories", "{}");
  ASSERT_EQ(response.status, 200) << body_text(response);
  EXPECT_TRUE(json_of(response).at("repositories").empty());
}

TEST_F(EcrRepositoriesTest, PagesThroughTheVisibleRepositories) {
  std::vector<std::string> seen;
  std::string token;
  int pages = 0;
  do {
    nlohmann::json request{{"maxResults", 2}};
    if (!token.empty()) request["nextToken"] = token;
    http::Response response = describe(request.dump());
    ASSERT_EQ(response.status, 200) << body_text(response);
    nlohmann::json body = json_of(response);
    for (const std::string& name : names(body)) seen.push_back(name);
    EXPECT_LE(body["repositories"].size(), 2u);
    token = body.value("nextToken", "");
    ++pages;
  } while (!token.empty() && pages < 10);
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(seen, (std::vector<std::string>{"example-team/a", "example-team/b", "example-team/d", "example-team/e",
                                            "example-team/example-repository"}));
}

TEST_F(EcrRepositoriesTest, AFullLastPageHasNoNextToken) {
  http::Response response = describe(R"({"maxResults":5})");
  ASSERT_EQ(response.status, 200);
  nlohmann::json body = json_of(response);
  EXPECT_EQ(body["repositories"].size(), 5u);
  EXPECT_FALSE(body.contains("nextToken"));
}

TEST_F(EcrRepositoriesTest, ANamedRepositoryTheCallerMayNotDescribeIsDenied) {
  http::Response response = describe(R"({"repositoryNames":["example-team/a","other-team/c"]})");
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(error_type(response), "AccessDeniedException");
  EXPECT_EQ(error_message(response),
            "User: arn:aws:sts::000000000000:assumed-role/describer/GitHubActions is not authorized to perform: "
            "ecr:DescribeRepositories on resource: arn:aws:ecr:eu-west-2:000000000000:repository/other-team/c "
            "because no identity-based policy allows the ecr:DescribeRepositories action");
}

TEST_F(EcrRepositoriesTest, ANamedRepositoryThatDoesNotExistIsNotFound) {
  http::Response response = describe(R"({"repositoryNames":["example-team/a","example-team/missing"]})");
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(error_type(response), "RepositoryNotFoundException");
  EXPECT_EQ(error_message(response),
            "The repository with name 'example-team/missing' does not exist in the registry with id '000000000000'");
}

TEST_F(EcrRepositoriesTest, RefusesInvalidParameters) {
  for (std::string body : {R"({"repositoryNames":["example-team/a"],"maxResults":1})",
                           R"({"repositoryNames":["example-team/a"],"nextToken":"x"})", R"({"repositoryNames":[]})",
                           R"({"repositoryNames":["a"]})", R"({"maxResults":0})", R"({"maxResults":1001})",
                           R"({"maxResults":"10"})", R"({"nextToken":"not base64!"})", R"({"nextToken":""})",
                           R"({"registryId":"123456789012"})", R"({"repositoryName":"example-team/a"})"}) {
    http::Response response = describe(body);
    EXPECT_EQ(response.status, 400) << body;
    EXPECT_EQ(error_type(response), "InvalidParameterException") << body;
  }
}

TEST_F(EcrRepositoriesTest, RefusesATokenFromAnotherListing) {
  for (int i = 0; i < 3; ++i) push_image(kRepository, "image " + std::to_string(i), 10, std::nullopt);
  http::Response images = call("ListImages", R"({"repositoryName":"example-team/example-repository","maxResults":1})");
  ASSERT_EQ(images.status, 200) << body_text(images);
  nlohmann::json request{{"nextToken", json_of(images).at("nextToken")}};
  EXPECT_EQ(error_type(describe(request.dump())), "InvalidParameterException");
}

TEST(RegistryHost, DropsTheScheme) {
  EXPECT_EQ(registry_host("https://registry.example.test"), "registry.example.test");
  EXPECT_EQ(registry_host("http://127.0.0.1:5000"), "127.0.0.1:5000");
  EXPECT_EQ(registry_host("registry.example.test"), "registry.example.test");
}

}  // namespace
}  // namespace berth::aws::test

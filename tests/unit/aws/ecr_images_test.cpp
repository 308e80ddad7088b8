// DescribeImages and ListImages over images stored as a registry push stores them.
#include "aws/ecr_images.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "aws/ecr_test_support.hpp"

namespace berth::aws::test {
namespace {

using namespace std::chrono_literals;

// May list and describe every repository.
constexpr std::string_view kReadAllPolicy = R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow",
    "Action":["ecr:DescribeImages","ecr:ListImages"],"Resource":"*"}]})";

class EcrImagesTest : public EcrTest {
 protected:
  static nlohmann::json in_repository(nlohmann::json request) {
    request["repositoryName"] = kRepository;
    return request;
  }

  nlohmann::json ok(std::string_view operation, const nlohmann::json& request) {
    http::Response response = call(operation, request.dump());
    EXPECT_EQ(response.status, 200) << body_text(response);
    return json_of(response);
  }

  // Every page of a listing, `page_size` at a time; `member` holds the items.
  std::vector<nlohmann::json> all_pages(std::string_view operation, std::string_view member, int page_size,
                                        nlohmann::json request = nlohmann::json::object()) {
    std::vector<nlohmann::json> items;
    request = in_repository(std::move(request));
    request["maxResults"] = page_size;
    for (int page = 0; page < 100; ++page) {
      nlohmann::json body = ok(operation, request);
      EXPECT_LE(body.at(member).size(), static_cast<std::size_t>(page_size));
      for (const auto& item : body.at(member)) items.push_back(item);
      if (!body.contains("nextToken")) return items;
      request["nextToken"] = body["nextToken"];
    }
    ADD_FAILURE() << "paging did not end";
    return items;
  }
};

TEST_F(EcrImagesTest, DescribesAnImage) {
  Digest digest = push_image(kRepository, "app", 5000, "v1");
  ASSERT_EQ(push_image(kRepository, "app", 5000, "latest"), digest);
  nlohmann::json body = ok("DescribeImages", in_repository({}));
  ASSERT_EQ(body.at("imageDetails").size(), 1u);
  EXPECT_EQ(body["imageDetails"][0], nlohmann::json({{"registryId", "000000000000"},
                                                     {"repositoryName", kRepository},
                                                     {"imageDigest", digest.str()},
                                                     {"imageTags", {"latest", "v1"}},
                                                     {"imageSizeInBytes", 5100},
                                                     {"imagePushedAt", 1767225600},
                                                     {"imageManifestMediaType", kOciManifest}}));
  EXPECT_FALSE(body.contains("nextToken"));
}

TEST_F(EcrImagesTest, AnIndexWeighsAsItsLargestManifest) {
  Digest amd64 = push_image(kRepository, "amd64", 7000, std::nullopt);
  Digest arm64 = push_image(kRepository, "arm64", 9000, std::nullopt);
  Digest index = push(kRepository, "index", kOciIndex,
                      {{amd64, metadata::ReferenceKind::manifest}, {arm64, metadata::ReferenceKind::manifest}}, "v2");
  nlohmann::json body = ok("DescribeImages", in_repository({{"imageIds", {{{"imageTag", "v2"}}}}}));
  ASSERT_EQ(body.at("imageDetails").size(), 1u);
  EXPECT_EQ(body["imageDetails"][0]["imageDigest"], index.str());
  EXPECT_EQ(body["imageDetails"][0]["imageSizeInBytes"], 9100);
  EXPECT_EQ(body["imageDetails"][0]["imageManifestMediaType"], kOciIndex);
}

TEST_F(EcrImagesTest, DescribesNamedImagesByTagOrDigestOnce) {
  Digest one = push_image(kRepository, "one", 10, "v1");
  push_image(kRepository, "two", 10, "v2");
  nlohmann::json body = ok(
      "DescribeImages",
      in_repository(
          {{"imageIds",
            {{{"imageTag", "v1"}}, {{"imageDigest", one.str()}}, {{"imageDigest", one.str()}, {"imageTag", "v1"}}}}}));
  ASSERT_EQ(body.at("imageDetails").size(), 1u);
  EXPECT_EQ(body["imageDetails"][0]["imageDigest"], one.str());
}

TEST_F(EcrImagesTest, AnUnknownImageIdIsNotFound) {
  push_image(kRepository, "one", 10, "v1");
  http::Response response = call("DescribeImages", in_repository({{"imageIds", {{{"imageTag", "v9"}}}}}).dump());
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(error_type(response), "ImageNotFoundException");
  EXPECT_EQ(error_message(response),
            "The image with imageId {imageDigest:'null', imageTag:'v9'} does not exist within the repository with "
            "name 'example-team/example-repository' in the registry with id '000000000000'");
  const std::string missing = Hasher::of("missing").str();
  response = call("DescribeImages", in_repository({{"imageIds", {{{"imageDigest", missing}}}}}).dump());
  EXPECT_EQ(error_type(response), "ImageNotFoundException");
  response = call("DescribeImages", in_repository({{"imageIds", {{{"imageDigest", "sha256:nothex"}}}}}).dump());
  EXPECT_EQ(error_type(response), "InvalidParameterException");
  response = call("DescribeImages", in_repository({{"imageIds", {nlohmann::json::object()}}}).dump());
  EXPECT_EQ(error_type(response), "InvalidParameterException");
}

TEST_F(EcrImagesTest, FiltersByTagStatus) {
  Digest tagged = push_image(kRepository, "tagged", 10, "v1");
  Digest untagged = push_image(kRepository, "untagged", 10, std::nullopt);
  auto digests = [&](const nlohmann::json& filter) {
    std::set<std::string> out;
    const nlohmann::json body = ok("DescribeImages", in_repository({{"filter", filter}}));
    for (const auto& detail : body.at("imageDetails")) {
      out.insert(detail["imageDigest"].get<std::string>());
    }
    return out;
  };
  EXPECT_EQ(digests({{"tagStatus", "TAGGED"}}), std::set<std::string>{tagged.str()});
  EXPECT_EQ(digests({{"tagStatus", "UNTAGGED"}}), std::set<std::string>{untagged.str()});
  EXPECT_EQ(digests({{"tagStatus", "ANY"}}), (std::set<std::string>{tagged.str(), untagged.str()}));
  EXPECT_EQ(digests({{"imageStatus", "ARCHIVED"}}), std::set<std::string>{});
  EXPECT_EQ(error_type(call("DescribeImages", in_repository({{"filter", {{"tagStatus", "tagged"}}}}).dump())),
            "InvalidParameterException");
  EXPECT_EQ(error_type(call("DescribeImages", in_repository({{"filter", {{"other", "x"}}}}).dump())),
            "InvalidParameterException");
}

TEST_F(EcrImagesTest, PagesThroughImagesInDigestOrder) {
  std::vector<std::string> expected;
  for (int i = 0; i < 7; ++i) expected.push_back(push_image(kRepository, "image " + std::to_string(i), 10, {}).str());
  std::sort(expected.begin(), expected.end());
  std::vector<std::string> seen;
  for (const auto& detail : all_pages("DescribeImages", "imageDetails", 3)) seen.push_back(detail["imageDigest"]);
  EXPECT_EQ(seen, expected);
}

TEST_F(EcrImagesTest, ListsOneEntryPerTagAndOnePerUntaggedImage) {
  Digest tagged = push_image(kRepository, "tagged", 10, "v1");
  ASSERT_EQ(push_image(kRepository, "tagged", 10, "latest"), tagged);
  Digest untagged = push_image(kRepository, "untagged", 10, std::nullopt);
  nlohmann::json body = ok("ListImages", in_repository({}));
  std::multiset<std::string> entries;
  for (const auto& entry : body.at("imageIds")) entries.insert(entry.dump());
  EXPECT_EQ(entries,
            (std::multiset<std::string>{nlohmann::json({{"imageDigest", tagged.str()}, {"imageTag", "latest"}}).dump(),
                                        nlohmann::json({{"imageDigest", tagged.str()}, {"imageTag", "v1"}}).dump(),
                                        nlohmann::json({{"imageDigest", untagged.str()}}).dump()}));

  nlohmann::json only_tagged = ok("ListImages", in_repository({{"filter", {{"tagStatus", "TAGGED"}}}}));
  EXPECT_EQ(only_tagged["imageIds"].size(), 2u);
  nlohmann::json only_untagged = ok("ListImages", in_repository({{"filter", {{"tagStatus", "UNTAGGED"}}}}));
  EXPECT_EQ(only_untagged["imageIds"], nlohmann::json::parse("[{\"imageDigest\":\"" + untagged.str() + "\"}]"));
}

TEST_F(EcrImagesTest, ListingPagesByEntryEvenWithinOneImage) {
  std::multiset<std::string> expected;
  for (int i = 0; i < 4; ++i) {
    const std::string name = "image " + std::to_string(i);
    Digest digest = push_image(kRepository, name, 10, std::nullopt);
    for (int t = 0; t < i; ++t) {
      const std::string tag = "t" + std::to_string(i) + std::to_string(t);
      push_image(kRepository, name, 10, tag);
      expected.insert(nlohmann::json({{"imageDigest", digest.str()}, {"imageTag", tag}}).dump());
    }
    if (i == 0) expected.insert(nlohmann::json({{"imageDigest", digest.str()}}).dump());
  }
  for (int page_size : {1, 2, 4, 7, 100}) {
    std::multiset<std::string> seen;
    for (const auto& entry : all_pages("ListImages", "imageIds", page_size)) seen.insert(entry.dump());
    EXPECT_EQ(seen, expected) << "page size " << page_size;
  }
}

TEST_F(EcrImagesTest, ATamperedTokenIsRefused) {
  for (int i = 0; i < 3; ++i) push_image(kRepository, "image " + std::to_string(i), 10, "v" + std::to_string(i));
  nlohmann::json first = ok("ListImages", in_repository({{"maxResults", 1}}));
  std::string token = first.at("nextToken");
  token[token.size() / 2] = token[token.size() / 2] == 'A' ? 'B' : 'A';
  EXPECT_EQ(error_type(call("ListImages", in_repository({{"nextToken", token}}).dump())), "InvalidParameterException");
  EXPECT_EQ(error_type(call("DescribeImages", in_repository({{"nextToken", first["nextToken"]}}).dump())),
            "InvalidParameterException");
  EXPECT_EQ(error_type(call("ListImages", in_repository({{"nextToken", "@@@"}}).dump())), "InvalidParameterException");
}

TEST_F(EcrImagesTest, EachRepositoryIsAuthorisedOnItsOwn) {
  ASSERT_TRUE(metadata_->create_repository("other-team/app").ok());
  for (std::string_view operation : {"DescribeImages", "ListImages"}) {
    http::Response response = call(operation, R"({"repositoryName":"other-team/app"})");
    EXPECT_EQ(response.status, 400);
    EXPECT_EQ(error_type(response), "AccessDeniedException");
    EXPECT_EQ(error_message(response),
              "User: arn:aws:sts::000000000000:assumed-role/" + std::string(kPushRole) +
                  "/GitHubActions is not authorized to perform: ecr:" + std::string(operation) +
                  " on resource: arn:aws:ecr:eu-west-2:000000000000:repository/other-team/app"
                  " because no identity-based policy allows the ecr:" +
                  std::string(operation) + " action");
  }
  // Denied before existence is checked, as IAM answers first.
  EXPECT_EQ(error_type(call("ListImages", R"({"repositoryName":"other-team/missing"})")), "AccessDeniedException");
}

TEST_F(EcrImagesTest, AMissingRepositoryIsNotFound) {
  put_role("reader", {kReadAllPolicy});
  const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  for (std::string_view operation : {"DescribeImages", "ListImages"}) {
    http::Response response =
        call(operation, R"({"repositoryName":"other-team/missing"})", session_of("reader", now - 1min));
    EXPECT_EQ(error_type(response), "RepositoryNotFoundException") << operation;
  }
}

TEST_F(EcrImagesTest, RefusesInvalidParameters) {
  for (std::string body :
       {R"({})", R"({"repositoryName":"a"})", R"({"repositoryName":"example-team/example-repository","maxResults":0})",
        R"({"repositoryName":"example-team/example-repository","imageIds":[]})",
        R"({"repositoryName":"example-team/example-repository","imageIds":[{"imageTag":"v1"}],
                               "maxResults":5})",
        R"({"repositoryName":"example-team/example-repository","filter":"TAGGED"})",
        R"({"repositoryName":"example-team/example-repository","registryId":"111111111111"})"}) {
    EXPECT_EQ(error_type(call("DescribeImages", body)), "InvalidParameterException") << body;
  }
  EXPECT_EQ(error_type(call("ListImages", R"({"repositoryName":"example-team/example-repository","imageIds":[]})")),
            "InvalidParameterException");
}

}  // namespace
}  // namespace berth::aws::test

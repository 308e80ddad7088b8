// ListingHandlers (tags list, catalog, referrers) through Registry::handle on the real stores.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "registry/manifest_parser.hpp"
#include "registry/registry_test_support.hpp"

namespace berth::registry {
namespace {

using http::Method;
using nlohmann::json;
using test::body_text;
using test::error_code;
using test::header;

class ListingHandlersTest : public test::RegistryTest {
 protected:
  // Pushes a small OCI manifest (config media type `config_type`, optional extra fields) to
  // `reference`; returns its digest.
  std::string push(const std::string& repository, const std::string& reference,
                   const std::string& config_type = "application/vnd.oci.image.config.v1+json",
                   const std::string& extra = "") {
    const Digest config = put_blob(repository, "{}");
    const std::string manifest = R"({"schemaVersion":2,"mediaType":")" + std::string(kOciManifestType) +
                                 R"(","config":{"mediaType":")" + config_type + R"(","digest":")" + config.str() +
                                 R"(","size":2},"layers":[])" + extra + "}";
    http::Response response = call(Method::put, "/v2/" + repository + "/manifests/" + reference,
                                   {{"Content-Type", std::string(kOciManifestType)}}, manifest);
    EXPECT_EQ(response.status, 201) << body_text(response);
    return Hasher::of(manifest).str();
  }

  json get_json(const std::string& target, int expected_status = 200) {
    http::Response response = call(Method::get, target);
    EXPECT_EQ(response.status, expected_status) << target << " " << body_text(response);
    return json::parse(body_text(response), nullptr, false);
  }
};

TEST_F(ListingHandlersTest, TagsOfAnEmptyRepositoryIsAnEmptyList) {
  put_blob("team/app", "x");
  http::Response response = call(Method::get, "/v2/team/app/tags/list");
  ASSERT_EQ(response.status, 200);
  EXPECT_EQ(body_text(response), R"({"name":"team/app","tags":[]})");
  EXPECT_EQ(header(response, "Content-Type"), "application/json");
  EXPECT_EQ(header(response, "Link"), "<absent>");
}

TEST_F(ListingHandlersTest, TagsComeInByteOrderAndPaginateWithLink) {
  for (const char* tag : {"c", "a", "B", "b", "a.1"}) push("team/app", tag);
  EXPECT_EQ(get_json("/v2/team/app/tags/list")["tags"], json({"B", "a", "a.1", "b", "c"}));

  http::Response first = call(Method::get, "/v2/team/app/tags/list?n=2");
  ASSERT_EQ(first.status, 200);
  EXPECT_EQ(json::parse(body_text(first))["tags"], json({"B", "a"}));
  EXPECT_EQ(header(first, "Link"), "</v2/team/app/tags/list?n=2&last=a>; rel=\"next\"");

  http::Response second = call(Method::get, "/v2/team/app/tags/list?n=2&last=a");
  EXPECT_EQ(json::parse(body_text(second))["tags"], json({"a.1", "b"}));
  EXPECT_EQ(header(second, "Link"), "</v2/team/app/tags/list?n=2&last=b>; rel=\"next\"");

  http::Response last = call(Method::get, "/v2/team/app/tags/list?n=2&last=b");
  EXPECT_EQ(json::parse(body_text(last))["tags"], json({"c"}));
  EXPECT_EQ(header(last, "Link"), "<absent>");

  EXPECT_EQ(get_json("/v2/team/app/tags/list?last=b")["tags"], json({"c"}));

  http::Response none = call(Method::get, "/v2/team/app/tags/list?n=0");
  EXPECT_EQ(json::parse(body_text(none))["tags"], json::array());
  EXPECT_EQ(header(none, "Link"), "<absent>");
}

TEST_F(ListingHandlersTest, PageSizeIsCappedByTheOptions) {
  RegistryOptions options;
  options.default_page_size = 2;
  options.max_page_size = 3;
  use_options(options);
  for (const char* tag : {"a", "b", "c", "d"}) push("team/app", tag);
  http::Response by_default = call(Method::get, "/v2/team/app/tags/list");
  EXPECT_EQ(json::parse(body_text(by_default))["tags"], json({"a", "b"}));
  EXPECT_EQ(header(by_default, "Link"), "</v2/team/app/tags/list?n=2&last=b>; rel=\"next\"");
  http::Response capped = call(Method::get, "/v2/team/app/tags/list?n=100");
  EXPECT_EQ(json::parse(body_text(capped))["tags"], json({"a", "b", "c"}));
  EXPECT_EQ(header(capped, "Link"), "</v2/team/app/tags/list?n=3&last=c>; rel=\"next\"");
}

TEST_F(ListingHandlersTest, InvalidPageNumberIsRefused) {
  put_blob("team/app", "x");
  for (const char* query : {"n=-1", "n=abc", "n="}) {
    http::Response response = call(Method::get, std::string("/v2/team/app/tags/list?") + query);
    EXPECT_EQ(response.status, 400) << query;
    EXPECT_EQ(error_code(response), "PAGINATION_NUMBER_INVALID") << query;
  }
  EXPECT_EQ(error_code(call(Method::get, "/v2/_catalog?n=x")), "PAGINATION_NUMBER_INVALID");
}

TEST_F(ListingHandlersTest, CatalogListsOnlyWhatTheCallerMayPull) {
  for (const char* repository : {"b/two", "a/one", "c/three", "d/four"}) put_blob(repository, "x");
  access_.hidden = {"b/two"};
  EXPECT_EQ(get_json("/v2/_catalog"), json({{"repositories", {"a/one", "c/three", "d/four"}}}));

  http::Response first = call(Method::get, "/v2/_catalog?n=2");
  EXPECT_EQ(json::parse(body_text(first))["repositories"], json({"a/one", "c/three"}));
  EXPECT_EQ(header(first, "Link"), "</v2/_catalog?n=2&last=c%2Fthree>; rel=\"next\"");
  http::Response second = call(Method::get, "/v2/_catalog?n=2&last=c%2Fthree");
  EXPECT_EQ(json::parse(body_text(second))["repositories"], json({"d/four"}));
  EXPECT_EQ(header(second, "Link"), "<absent>");

  // A page boundary falling on a hidden repository still yields a full page.
  http::Response after_a = call(Method::get, "/v2/_catalog?n=1&last=a%2Fone");
  EXPECT_EQ(json::parse(body_text(after_a))["repositories"], json({"c/three"}));
}

TEST_F(ListingHandlersTest, ReferrersListManifestsWhoseSubjectMatches) {
  const std::string subject = push("team/app", "v1");
  const std::string subject_field =
      R"(,"subject":{"mediaType":")" + std::string(kOciManifestType) + R"(","digest":")" + subject + R"(","size":1})";
  const std::string sbom =
      push("team/app", "sbom", "application/vnd.oci.empty.v1+json",
           R"(,"artifactType":"application/spdx+json","annotations":{"org.example.kind":"sbom"})" + subject_field);
  const std::string signature = push("team/app", "sig", "application/vnd.example.signature", subject_field);
  push("team/app", "unrelated", "application/vnd.example.signature");

  http::Response response = call(Method::get, "/v2/team/app/referrers/" + subject);
  ASSERT_EQ(response.status, 200) << body_text(response);
  EXPECT_EQ(header(response, "Content-Type"), kOciIndexType);
  EXPECT_EQ(header(response, "OCI-Filters-Applied"), "<absent>");
  json index = json::parse(body_text(response));
  EXPECT_EQ(index["schemaVersion"], 2);
  EXPECT_EQ(index["mediaType"], kOciIndexType);
  ASSERT_EQ(index["manifests"].size(), 2u);
  std::map<std::string, json> by_digest;
  for (const auto& entry : index["manifests"]) by_digest[entry["digest"].get<std::string>()] = entry;
  ASSERT_TRUE(by_digest.contains(sbom));
  ASSERT_TRUE(by_digest.contains(signature));
  EXPECT_EQ(by_digest[sbom]["mediaType"], kOciManifestType);
  EXPECT_EQ(by_digest[sbom]["artifactType"], "application/spdx+json");
  EXPECT_EQ(by_digest[sbom]["annotations"], json({{"org.example.kind", "sbom"}}));
  EXPECT_GT(by_digest[sbom]["size"].get<std::uint64_t>(), 0u);
  EXPECT_EQ(by_digest[signature]["artifactType"], "application/vnd.example.signature");
  EXPECT_FALSE(by_digest[signature].contains("annotations"));

  http::Response filtered =
      call(Method::get, "/v2/team/app/referrers/" + subject + "?artifactType=application%2Fspdx%2Bjson");
  ASSERT_EQ(filtered.status, 200);
  EXPECT_EQ(header(filtered, "OCI-Filters-Applied"), "artifactType");
  json filtered_index = json::parse(body_text(filtered));
  ASSERT_EQ(filtered_index["manifests"].size(), 1u);
  EXPECT_EQ(filtered_index["manifests"][0]["digest"], sbom);
}

TEST_F(ListingHandlersTest, ReferrersOfAnUnknownSubjectIsAnEmptyIndex) {
  put_blob("team/app", "x");
  json index = get_json("/v2/team/app/referrers/" + Hasher::of("nothing").str());
  EXPECT_EQ(index,
            json::parse(R"({"schemaVersion":2,"mediaType":")" + std::string(kOciIndexType) + R"(","manifests":[]})"));
}

TEST_F(ListingHandlersTest, ReferrersNeedAValidDigest) {
  put_blob("team/app", "x");
  http::Response response = call(Method::get, "/v2/team/app/referrers/v1");
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(error_code(response), "DIGEST_INVALID");
}

}  // namespace
}  // namespace berth::registry

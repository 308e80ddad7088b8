#include "registry/route.hpp"

#include <gtest/gtest.h>

namespace berth::registry {
namespace {

Route route_of(std::string_view path) {
  auto route = parse_route(path);
  EXPECT_TRUE(route.ok()) << path;
  return route.ok() ? *route : Route{};
}

TEST(ParseRoute, RecognisesEveryEndpoint) {
  EXPECT_EQ(route_of("/v2/").endpoint, Endpoint::base);
  EXPECT_EQ(route_of("/v2/_catalog").endpoint, Endpoint::catalog);

  Route tags = route_of("/v2/team/app/tags/list");
  EXPECT_EQ(tags.endpoint, Endpoint::tags_list);
  EXPECT_EQ(tags.repository, "team/app");

  Route manifest = route_of("/v2/team/app/manifests/latest");
  EXPECT_EQ(manifest.endpoint, Endpoint::manifest);
  EXPECT_EQ(manifest.reference, "latest");

  Route blob = route_of("/v2/a/b/c/blobs/sha256:abc");
  EXPECT_EQ(blob.endpoint, Endpoint::blob);
  EXPECT_EQ(blob.repository, "a/b/c");
  EXPECT_EQ(blob.reference, "sha256:abc");

  EXPECT_EQ(route_of("/v2/team/app/blobs/uploads/").endpoint, Endpoint::upload_start);
  EXPECT_EQ(route_of("/v2/team/app/blobs/uploads").endpoint, Endpoint::upload_start);
  Route upload = route_of("/v2/team/app/blobs/uploads/0b2c");
  EXPECT_EQ(upload.endpoint, Endpoint::upload);
  EXPECT_EQ(upload.reference, "0b2c");

  Route referrers = route_of("/v2/team/app/referrers/sha256:abc");
  EXPECT_EQ(referrers.endpoint, Endpoint::referrers);
}

TEST(ParseRoute, RepositoriesMayBeNamedLikeEndpoints) {
  Route route = route_of("/v2/blobs/manifests/manifests/v1");
  EXPECT_EQ(route.endpoint, Endpoint::manifest);
  EXPECT_EQ(route.repository, "blobs/manifests");
  EXPECT_EQ(route_of("/v2/tags/blobs/sha256:abc").repository, "tags");
}

TEST(ParseRoute, RefusesBadNamesAndUnknownPaths) {
  EXPECT_EQ(parse_route("/v2/Team/app/tags/list").error().code, ErrorCode::name_invalid);
  EXPECT_EQ(parse_route("/v2/../etc/blobs/sha256:abc").error().code, ErrorCode::name_invalid);
  EXPECT_EQ(parse_route("/v2/a//b/manifests/x").error().code, ErrorCode::name_invalid);
  EXPECT_EQ(parse_route("/v2/team/app").error().code, ErrorCode::not_found);
  EXPECT_EQ(parse_route("/v2/team/app/manifests/").error().code, ErrorCode::not_found);
  EXPECT_EQ(parse_route("/v3/x").error().code, ErrorCode::not_found);
  EXPECT_EQ(parse_route("/v2/tags/list").error().code, ErrorCode::not_found);
}

// The name is matched as received: no spelling of it reaches storage or authorization but one.
TEST(ParseRoute, RefusesPercentEncodingInNames) {
  EXPECT_EQ(parse_route("/v2/team%2fapp/tags/list").error().code, ErrorCode::name_invalid);
  EXPECT_EQ(parse_route("/v2/team%2Fapp/manifests/x").error().code, ErrorCode::name_invalid);
  EXPECT_EQ(parse_route("/v2/te%61m/app/blobs/sha256:abc").error().code, ErrorCode::name_invalid);
  EXPECT_EQ(parse_route("/v2/team/app%2F/blobs/uploads/").error().code, ErrorCode::name_invalid);
}

TEST(ParseRoute, DecodesTheReferenceAfterTheSplit) {
  EXPECT_EQ(route_of("/v2/team/app/manifests/sha256%3Aabc").reference, "sha256:abc");
  EXPECT_EQ(route_of("/v2/team/app/manifests/a%2Fb").reference, "a%2Fb");
  EXPECT_EQ(parse_route("/v2/team/app/manifests/a%zz").error().code, ErrorCode::not_found);
}

}  // namespace
}  // namespace berth::registry

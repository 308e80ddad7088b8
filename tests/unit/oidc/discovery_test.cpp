#include "oidc/discovery.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace berth::oidc {
namespace {

constexpr std::string_view kIssuer = "https://token.actions.githubusercontent.com";

// The shape of GitHub's document (interfaces.md §2.2).
constexpr std::string_view kGitHubDocument = R"({
  "issuer": "https://token.actions.githubusercontent.com",
  "jwks_uri": "https://token.actions.githubusercontent.com/.well-known/jwks",
  "subject_types_supported": ["public", "pairwise"],
  "response_types_supported": ["id_token"],
  "claims_supported": ["sub", "aud", "exp", "iat", "iss", "jti", "nbf", "ref", "repository"],
  "id_token_signing_alg_values_supported": ["RS256"],
  "scopes_supported": ["openid"]
})";

TEST(ParseDiscovery, ReadsIssuerAndJwksUri) {
  auto document = parse_discovery(kGitHubDocument, kIssuer);
  ASSERT_TRUE(document.ok()) << document.error().message;
  EXPECT_EQ(document->issuer, kIssuer);
  EXPECT_EQ(document->jwks_uri, "https://token.actions.githubusercontent.com/.well-known/jwks");
}

TEST(ParseDiscovery, RefusesAnotherIssuer) {
  for (std::string_view expected : {"https://token.actions.githubusercontent.com/", "https://oidc.circleci.com/org/x",
                                    "HTTPS://token.actions.githubusercontent.com"}) {
    auto document = parse_discovery(kGitHubDocument, expected);
    ASSERT_FALSE(document.ok()) << expected;
    EXPECT_EQ(document.error().code, ErrorCode::aws_idp_communication_error);
  }
}

TEST(ParseDiscovery, RequiresHttpsJwksUriUnlessInsecureIsAllowed) {
  const std::string http_document = R"({"issuer": "http://127.0.0.1:8080", "jwks_uri": "http://127.0.0.1:8080/jwks"})";
  EXPECT_FALSE(parse_discovery(http_document, "http://127.0.0.1:8080").ok());
  auto allowed = parse_discovery(http_document, "http://127.0.0.1:8080", /*allow_insecure=*/true);
  ASSERT_TRUE(allowed.ok()) << allowed.error().message;
  EXPECT_EQ(allowed->jwks_uri, "http://127.0.0.1:8080/jwks");

  for (std::string_view uri : {"https://", "https:///jwks", "ftp://example.com/jwks", "//example.com/jwks",
                               "https://user@evil.example/jwks", "https://example.com/a b"}) {
    nlohmann::json document{{"issuer", kIssuer}, {"jwks_uri", uri}};
    EXPECT_FALSE(parse_discovery(document.dump(), kIssuer, /*allow_insecure=*/true).ok()) << uri;
  }
}

TEST(ParseDiscovery, RefusesMalformedDocuments) {
  for (std::string_view text :
       {"", "[]", R"({"issuer": "https://token.actions.githubusercontent.com"})",
        R"({"jwks_uri": "https://example.com/jwks"})", R"({"issuer": 1, "jwks_uri": "https://example.com/jwks"})",
        R"({"issuer": "https://token.actions.githubusercontent.com", "jwks_uri": 2})",
        R"({"issuer": "https://token.actions.githubusercontent.com", "jwks_uri": "https://a/j",
                                    "jwks_uri": "https://b/j"})"}) {
    auto document = parse_discovery(text, kIssuer);
    ASSERT_FALSE(document.ok()) << text;
    EXPECT_EQ(document.error().code, ErrorCode::aws_idp_communication_error);
  }
}

}  // namespace
}  // namespace berth::oidc

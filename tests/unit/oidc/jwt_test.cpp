#include "oidc/jwt.hpp"

#include <gtest/gtest.h>

#include <openssl/pem.h>

#include <optional>

#include "common/base64.hpp"
#include "oidc/test_signer.hpp"

namespace berth::oidc {
namespace {

using std::chrono::seconds;
using std::chrono::system_clock;
using testing::generate_ec_key;
using testing::generate_rsa_key;
using testing::public_jwk;
using testing::sign_jwt;
using testing::signing_input;

constexpr std::string_view kGitHubIssuer = "https://token.actions.githubusercontent.com";
constexpr std::string_view kRsaKid = "78167F727DEC5D801DD1C8784C704A1C880EC0E1";
constexpr std::string_view kCircleOrg = "bb5c2b51-6b8e-4e56-9c0d-2b3a0f1e7d2a";

// interfaces.md §2.4, the documented example token.
nlohmann::json github_claims() {
  return nlohmann::json::parse(R"({
    "jti": "example-id", "sub": "repo:octo-org/octo-repo:environment:prod", "environment": "prod",
    "aud": "https://github.com/octo-org", "ref": "refs/heads/main", "sha": "example-sha",
    "repository": "octo-org/octo-repo", "repository_owner": "octo-org", "actor_id": "12",
    "repository_visibility": "private", "repository_id": "74", "repository_owner_id": "65",
    "run_id": "example-run-id", "run_number": "10", "run_attempt": "2", "runner_environment": "github-hosted",
    "actor": "octocat", "workflow": "example-workflow", "head_ref": "", "base_ref": "",
    "event_name": "workflow_dispatch", "ref_type": "branch",
    "job_workflow_ref": "octo-org/octo-automation/.github/workflows/oidc.yml@refs/heads/main",
    "iss": "https://token.actions.githubusercontent.com",
    "nbf": 1632492967, "exp": 1632493867, "iat": 1632493567 })");
}

const system_clock::time_point kGitHubNow = system_clock::time_point(seconds(1632493600));

// interfaces.md §3: v2 subject, aud = organization id, exp = iat + 1 h.
nlohmann::json circleci_claims() {
  const std::string org(kCircleOrg);
  return {{"iss", "https://oidc.circleci.com/org/" + org},
          {"aud", org},
          {"sub", "org/" + org +
                      "/project/5e1f0c3a-7d0e-4a7e-9b61-2f4d8e0c9a11/user/0f9d6c1e-2b3a-4c5d-8e7f-a1b2c3d4e5f6"
                      "/vcs-origin/github.com/ministryofjustice/example-repository/vcs-ref/refs/heads/main"},
          {"iat", 1732000000},
          {"exp", 1732003600},
          {"oidc.circleci.com/project-id", "5e1f0c3a-7d0e-4a7e-9b61-2f4d8e0c9a11"},
          {"oidc.circleci.com/vcs-origin", "github.com/ministryofjustice/example-repository"},
          {"oidc.circleci.com/vcs-ref", "refs/heads/main"},
          {"oidc.circleci.com/context-ids", {"3a9b8c7d-1e2f-4a5b-8c9d-0e1f2a3b4c5d"}},
          {"oidc.circleci.com/ssh-rerun", false}};
}

class VerifyJwt : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    rsa_ = keep(generate_rsa_key(2048));
    other_rsa_ = keep(generate_rsa_key(2048));
    weak_rsa_ = keep(generate_rsa_key(1024));
    ec256_ = keep(generate_ec_key("P-256"));
    ec384_ = keep(generate_ec_key("P-384"));
    nlohmann::json jwks =
        nlohmann::json::array({public_jwk(rsa_, kRsaKid), public_jwk(weak_rsa_, "weak"), public_jwk(ec256_, "ec256"),
                               public_jwk(ec384_, "ec384"), public_jwk(rsa_, "rs256-only", "RS256")});
    auto parsed = Jwks::parse(testing::jwks_document(jwks));
    ASSERT_TRUE(parsed.ok());
    keys_ = std::move(parsed).value();
  }
  static void TearDownTestSuite() {
    keys_.reset();
    owned_keys_.clear();
  }

  static EVP_PKEY* keep(UniqueEvpPkey key) { return owned_keys_.emplace_back(std::move(key)).get(); }

  static VerifyOptions github_options() {
    return VerifyOptions{
        .issuer = std::string(kGitHubIssuer), .accepted_audiences = {"https://github.com/octo-org"}, .now = kGitHubNow};
  }

  static Result<VerifiedToken> verify(std::string_view token, const VerifyOptions& options = github_options()) {
    return verify_jwt(token, *keys_, options);
  }

  static std::string github_token(const nlohmann::json& claims = github_claims()) {
    return sign_jwt(rsa_, "RS256", kRsaKid, claims);
  }

  // A token whose header and payload are given as raw text, signed with the main RSA key.
  static std::string raw_token(std::string_view header_text, std::string_view payload_text) {
    std::string input = signing_input(header_text, payload_text);
    return input + "." + base64::encode_url(testing::jws_signature(rsa_, "RS256", input));
  }

  static void expect_invalid(const Result<VerifiedToken>& result, std::string_view message_part = {}) {
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().code, ErrorCode::aws_invalid_identity_token) << result.error().message;
    EXPECT_NE(result.error().message.find(message_part), std::string::npos) << result.error().message;
  }

  static inline std::vector<UniqueEvpPkey> owned_keys_;
  static inline EVP_PKEY* rsa_ = nullptr;
  static inline EVP_PKEY* other_rsa_ = nullptr;
  static inline EVP_PKEY* weak_rsa_ = nullptr;
  static inline EVP_PKEY* ec256_ = nullptr;
  static inline EVP_PKEY* ec384_ = nullptr;
  static inline std::optional<Jwks> keys_;
};

TEST_F(VerifyJwt, AcceptsTheGitHubExampleToken) {
  auto token = verify(github_token());
  ASSERT_TRUE(token.ok()) << token.error().message;
  EXPECT_EQ(token->issuer, kGitHubIssuer);
  EXPECT_EQ(token->subject, "repo:octo-org/octo-repo:environment:prod");
  EXPECT_EQ(token->audiences, std::vector<std::string>{"https://github.com/octo-org"});
  EXPECT_EQ(token->expires_at, system_clock::time_point(seconds(1632493867)));
  EXPECT_EQ(token->issued_at, system_clock::time_point(seconds(1632493567)));
  EXPECT_EQ(token->claims["job_workflow_ref"], "octo-org/octo-automation/.github/workflows/oidc.yml@refs/heads/main");
  EXPECT_EQ(token->header["kid"], kRsaKid);
  EXPECT_EQ(token->header["alg"], "RS256");
}

TEST_F(VerifyJwt, AcceptsEveryAlgorithmTheKeyAllows) {
  const struct {
    EVP_PKEY* key;
    std::string_view alg;
    std::string_view kid;
  } cases[] = {{rsa_, "RS256", kRsaKid}, {rsa_, "RS384", kRsaKid},   {rsa_, "RS512", kRsaKid},
               {rsa_, "PS256", kRsaKid}, {ec256_, "ES256", "ec256"}, {ec384_, "ES384", "ec384"}};
  for (const auto& c : cases) {
    auto token = verify(sign_jwt(c.key, c.alg, c.kid, github_claims()));
    ASSERT_TRUE(token.ok()) << c.alg << ": " << token.error().message;
    EXPECT_EQ(token->header["alg"], c.alg);
    EXPECT_EQ(token->subject, "repo:octo-org/octo-repo:environment:prod");
  }
}

TEST_F(VerifyJwt, AcceptsACircleCiToken) {
  const std::string org(kCircleOrg);
  VerifyOptions options{.issuer = "https://oidc.circleci.com/org/" + org,
                        .accepted_audiences = {org},
                        .now = system_clock::time_point(seconds(1732000000 + 1800))};
  auto token = verify(sign_jwt(rsa_, "RS256", kRsaKid, circleci_claims()), options);
  ASSERT_TRUE(token.ok()) << token.error().message;
  EXPECT_NE(token->subject.find("/vcs-origin/github.com/ministryofjustice/example-repository/"), std::string::npos);
  EXPECT_EQ(token->audiences, std::vector<std::string>{org});
  EXPECT_EQ(token->claims["oidc.circleci.com/ssh-rerun"], false);
}

TEST_F(VerifyJwt, AcceptsAnAudienceArrayWithOneAcceptedValue) {
  auto claims = github_claims();
  claims["aud"] = {"https://example.com", "sts.amazonaws.com"};
  auto options = github_options();
  options.accepted_audiences = {"sts.amazonaws.com"};
  auto token = verify(github_token(claims), options);
  ASSERT_TRUE(token.ok()) << token.error().message;
  EXPECT_EQ(token->audiences.size(), 2u);
}

TEST_F(VerifyJwt, RefusesMissingOrEmptySubject) {
  auto claims = github_claims();
  claims.erase("sub");
  expect_invalid(verify(github_token(claims)), "sub");
  claims["sub"] = "";
  expect_invalid(verify(github_token(claims)), "sub");
  claims["sub"] = 42;
  expect_invalid(verify(github_token(claims)), "sub");
}

TEST_F(VerifyJwt, RefusesWrongAudience) {
  auto options = github_options();
  options.accepted_audiences = {"sts.amazonaws.com"};
  expect_invalid(verify(github_token(), options), "Incorrect token audience");
  auto claims = github_claims();
  claims["aud"] = {"https://example.com", 7};
  expect_invalid(verify(github_token(claims)), "Incorrect token audience");
  claims["aud"] = nlohmann::json::array();
  expect_invalid(verify(github_token(claims)), "Incorrect token audience");
  claims.erase("aud");
  expect_invalid(verify(github_token(claims)), "Incorrect token audience");
}

TEST_F(VerifyJwt, RefusesWrongIssuer) {
  auto claims = github_claims();
  claims["iss"] = "https://token.actions.githubusercontent.com/";
  expect_invalid(verify(github_token(claims)), "No OpenIDConnect provider found in your account for");
  claims.erase("iss");
  expect_invalid(verify(github_token(claims)), "iss");
}

TEST_F(VerifyJwt, RefusesExpiredTokenAsExpiredTokenException) {
  auto options = github_options();
  options.now = system_clock::time_point(seconds(1632493867 + 60));  // exactly exp + leeway
  auto token = verify(github_token(), options);
  ASSERT_FALSE(token.ok());
  EXPECT_EQ(token.error().code, ErrorCode::aws_expired_identity_token);
  EXPECT_EQ(token.error().message,
            "Token expired: current date/time 1632493927 must be before the expiration date/time 1632493867");

  options.now -= seconds(1);  // inside the leeway
  EXPECT_TRUE(verify(github_token(), options).ok());
}

TEST_F(VerifyJwt, RefusesMissingOrNonNumericDates) {
  auto claims = github_claims();
  claims["exp"] = "1632493867";
  expect_invalid(verify(github_token(claims)), "exp is not a number");
  claims.erase("exp");
  expect_invalid(verify(github_token(claims)), "no exp");
  claims = github_claims();
  claims["nbf"] = true;
  expect_invalid(verify(github_token(claims)), "nbf is not a number");
  claims = github_claims();
  claims["iat"] = nullptr;
  expect_invalid(verify(github_token(claims)), "iat is not a number");
  claims = github_claims();
  claims["exp"] = 1e300;
  expect_invalid(verify(github_token(claims)), "out of range");
  claims["exp"] = 1.6e10;  // year 2477: the clock's nanoseconds would overflow (found by fuzz/jwt_fuzzer)
  expect_invalid(verify(github_token(claims)), "out of range");
}

TEST_F(VerifyJwt, RefusesTokenNotYetValid) {
  auto options = github_options();
  options.now = system_clock::time_point(seconds(1632492967 - 61));
  expect_invalid(verify(github_token(), options), "not yet valid");
  options.now += seconds(1);  // inside the leeway; iat (10 min after nbf) is left out to test nbf alone
  auto claims = github_claims();
  claims.erase("iat");
  EXPECT_TRUE(verify(github_token(claims), options).ok());
}

TEST_F(VerifyJwt, RefusesIssueDateInTheFuture) {
  auto claims = github_claims();
  claims["iat"] = 1632493600 + 61;
  expect_invalid(verify(github_token(claims)), "in the future");
  claims["iat"] = 1632493600 + 60;
  EXPECT_TRUE(verify(github_token(claims)).ok());
}

TEST_F(VerifyJwt, ReportsUnknownKidDistinctly) {
  auto token = verify(sign_jwt(rsa_, "RS256", "rotated-key", github_claims()));
  ASSERT_FALSE(token.ok());
  EXPECT_EQ(token.error().code, ErrorCode::not_found);
}

TEST_F(VerifyJwt, RefusesMissingKid) {
  nlohmann::json header{{"alg", "RS256"}, {"typ", "JWT"}};
  expect_invalid(verify(raw_token(header.dump(), github_claims().dump())), "no kid");
}

TEST_F(VerifyJwt, RefusesSignatureByAnotherKey) {
  expect_invalid(verify(sign_jwt(other_rsa_, "RS256", kRsaKid, github_claims())), "signature is invalid");
}

TEST_F(VerifyJwt, RefusesAlgNone) {
  nlohmann::json header{{"alg", "none"}, {"kid", kRsaKid}, {"typ", "JWT"}};
  std::string unsigned_token = signing_input(header.dump(), github_claims().dump()) + ".";
  expect_invalid(verify(unsigned_token), "unsupported algorithm none");
}

TEST_F(VerifyJwt, RefusesHs256SignedWithThePublicKeyAsSecret) {
  nlohmann::json header{{"alg", "HS256"}, {"kid", kRsaKid}, {"typ", "JWT"}};
  std::string input = signing_input(header.dump(), github_claims().dump());
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
  ASSERT_EQ(PEM_write_bio_PUBKEY(bio.get(), rsa_), 1);
  char* pem = nullptr;
  long pem_size = BIO_get_mem_data(bio.get(), &pem);
  const std::string secrets[] = {std::string(pem, static_cast<std::size_t>(pem_size)),
                                 public_jwk(rsa_, kRsaKid).dump()};
  for (const auto& secret : secrets) {
    expect_invalid(verify(input + "." + base64::encode_url(testing::hmac_sha256(secret, input))),
                   "unsupported algorithm HS256");
  }
}

TEST_F(VerifyJwt, RefusesAnAlgorithmTheKeyDoesNotAllow) {
  // RS256 header naming an EC key; ES384 with a P-256 key; ES256 with an RSA key; PS256 with a JWK
  // pinned to RS256.
  expect_invalid(verify(sign_jwt(rsa_, "RS256", "ec256", github_claims())), "not allowed for its key");
  expect_invalid(verify(sign_jwt(ec256_, "ES384", "ec256", github_claims())), "not allowed for its key");
  expect_invalid(verify(sign_jwt(ec256_, "ES256", kRsaKid, github_claims())), "not allowed for its key");
  expect_invalid(verify(sign_jwt(rsa_, "PS256", "rs256-only", github_claims())), "not allowed for its key");
  EXPECT_TRUE(verify(sign_jwt(rsa_, "RS256", "rs256-only", github_claims())).ok());
}

TEST_F(VerifyJwt, RefusesTamperedPayload) {
  std::string token = github_token();
  auto claims = github_claims();
  claims["sub"] = "repo:octo-org/other-repo:environment:prod";
  std::string forged = github_token(claims);
  const std::size_t first = token.find('.');
  const std::size_t second = token.find('.', first + 1);
  const std::size_t forged_second = forged.find('.', first + 1);
  std::string tampered =
      token.substr(0, first + 1) + forged.substr(first + 1, forged_second - first - 1) + token.substr(second);
  expect_invalid(verify(tampered), "signature is invalid");
}

TEST_F(VerifyJwt, RefusesTamperedHeader) {
  std::string token = github_token();
  nlohmann::json header{{"alg", "RS256"}, {"kid", kRsaKid}, {"typ", "JWT"}, {"x5t", "example-thumbprint"}};
  std::string tampered = base64::encode_url(header.dump()) + token.substr(token.find('.'));
  expect_invalid(verify(tampered), "signature is invalid");
}

TEST_F(VerifyJwt, RefusesFlippedSignatureBit) {
  std::string token = github_token();
  auto signature = *base64::decode_url(token.substr(token.rfind('.') + 1));
  signature[10] = static_cast<char>(signature[10] ^ 1);
  expect_invalid(verify(token.substr(0, token.rfind('.') + 1) + base64::encode_url(signature)), "signature is invalid");
  expect_invalid(verify(token.substr(0, token.size() - 4)), "signature");
}

TEST_F(VerifyJwt, RefusesBadBase64url) {
  std::string token = github_token();
  expect_invalid(verify("+" + token.substr(1)), "header is not base64url");
  expect_invalid(verify(token + "="), "signature is not base64url");
  const std::size_t second = token.find('.', token.find('.') + 1);
  std::string padded_payload = token.substr(0, second) + "=" + token.substr(second);
  expect_invalid(verify(padded_payload));
}

TEST_F(VerifyJwt, RefusesTooLargeToken) {
  auto claims = github_claims();
  claims["padding"] = std::string(16 * 1024, 'x');
  expect_invalid(verify(github_token(claims)), "larger than 16384 bytes");
  auto options = github_options();
  options.max_token_bytes = 100;
  expect_invalid(verify(github_token(), options), "larger than 100 bytes");
}

TEST_F(VerifyJwt, RefusesWrongNumberOfParts) {
  std::string token = github_token();
  expect_invalid(verify(token.substr(0, token.rfind('.'))), "three dot-separated parts");
  expect_invalid(verify(token + ".AAAA"), "three dot-separated parts");
  expect_invalid(verify(""), "three dot-separated parts");
}

TEST_F(VerifyJwt, RefusesNonObjectJson) {
  nlohmann::json header{{"alg", "RS256"}, {"kid", kRsaKid}};
  expect_invalid(verify(raw_token("[\"RS256\"]", github_claims().dump())), "header");
  expect_invalid(verify(raw_token(header.dump(), "\"repo:octo-org/octo-repo\"")), "not an object");
  expect_invalid(verify(raw_token(header.dump(), "{\"sub\":")), "malformed JSON");
}

TEST_F(VerifyJwt, RefusesDuplicateMemberNames) {
  nlohmann::json header{{"alg", "RS256"}, {"kid", kRsaKid}};
  std::string payload = github_claims().dump();
  payload.insert(1, R"("sub":"repo:octo-org/other-repo:ref:refs/heads/main",)");
  expect_invalid(verify(raw_token(header.dump(), payload)), "duplicate member name");
  expect_invalid(
      verify(raw_token(R"({"alg":"RS256","kid":"x","kid":")" + std::string(kRsaKid) + "\"}", github_claims().dump())),
      "duplicate member name");
}

TEST_F(VerifyJwt, RefusesCriticalHeaderExtensions) {
  nlohmann::json header{{"alg", "RS256"}, {"kid", kRsaKid}, {"crit", {"exp"}}, {"exp", 1}};
  expect_invalid(verify(raw_token(header.dump(), github_claims().dump())), "critical");
}

TEST_F(VerifyJwt, RefusesTokenFromA1024BitRsaKey) {
  EXPECT_EQ(keys_->find("weak"), nullptr);
  auto token = verify(sign_jwt(weak_rsa_, "RS256", "weak", github_claims()));
  ASSERT_FALSE(token.ok());
  EXPECT_EQ(token.error().code, ErrorCode::not_found);
}

TEST_F(VerifyJwt, RefusesToRunWithoutNowIssuerOrAudiences) {
  auto options = github_options();
  options.now = {};
  EXPECT_EQ(verify(github_token(), options).error().code, ErrorCode::internal);
  options = github_options();
  options.accepted_audiences.clear();
  EXPECT_EQ(verify(github_token(), options).error().code, ErrorCode::internal);
}

}  // namespace
}  // namespace berth::oidc

#include "oidc/jwks.hpp"

#include <gtest/gtest.h>

#include <openssl/evp.h>

#include "common/base64.hpp"
#include "oidc/test_signer.hpp"

namespace berth::oidc {
namespace {

using testing::generate_ec_key;
using testing::generate_rsa_key;
using testing::jwks_document;
using testing::public_jwk;

class JwksParse : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    rsa_ = keep(generate_rsa_key(2048));
    ec256_ = keep(generate_ec_key("P-256"));
    ec384_ = keep(generate_ec_key("P-384"));
  }
  static void TearDownTestSuite() { owned_keys_.clear(); }

  static EVP_PKEY* keep(UniqueEvpPkey key) { return owned_keys_.emplace_back(std::move(key)).get(); }

  static Jwks parse_ok(const nlohmann::json& keys) {
    auto jwks = Jwks::parse(jwks_document(keys));
    EXPECT_TRUE(jwks.ok()) << jwks.error().message;
    return std::move(jwks).value();
  }

  static inline std::vector<UniqueEvpPkey> owned_keys_;
  static inline EVP_PKEY* rsa_ = nullptr;
  static inline EVP_PKEY* ec256_ = nullptr;
  static inline EVP_PKEY* ec384_ = nullptr;
};

TEST_F(JwksParse, ReadsAGitHubStyleRsaKey) {
  // GitHub's entries carry x5c/x5t besides n/e (interfaces.md §2.2); they are ignored.
  auto jwk = public_jwk(rsa_, "78167F727DEC5D801DD1C8784C704A1C880EC0E1", "RS256");
  jwk["x5t"] = "eBZ_cn3sXYAd0ch4THBKHIgOwOE";
  jwk["x5c"] = {"MIIDrDCCApSgAwIBAgIQ"};
  Jwks jwks = parse_ok(nlohmann::json::array({jwk}));
  ASSERT_EQ(jwks.keys().size(), 1u);
  const Jwk* key = jwks.find("78167F727DEC5D801DD1C8784C704A1C880EC0E1");
  ASSERT_NE(key, nullptr);
  EXPECT_EQ(key->kty(), KeyType::rsa);
  EXPECT_EQ(key->alg(), JwsAlgorithm::rs256);
  EXPECT_EQ(key->use(), "sig");
  EXPECT_NE(key->public_key(), nullptr);
  EXPECT_EQ(EVP_PKEY_get_bits(key->public_key()), 2048);
  EXPECT_EQ(jwks.find("unknown"), nullptr);
}

TEST_F(JwksParse, TheKeyDecidesTheAlgorithm) {
  Jwks jwks = parse_ok({public_jwk(rsa_, "rsa"), public_jwk(rsa_, "rsa-pinned", "PS256"), public_jwk(ec256_, "p256"),
                        public_jwk(ec384_, "p384")});
  const Jwk& rsa = *jwks.find("rsa");
  for (auto alg : {JwsAlgorithm::rs256, JwsAlgorithm::rs384, JwsAlgorithm::rs512, JwsAlgorithm::ps256}) {
    EXPECT_TRUE(rsa.allows(alg));
  }
  EXPECT_FALSE(rsa.allows(JwsAlgorithm::es256));
  EXPECT_TRUE(jwks.find("rsa-pinned")->allows(JwsAlgorithm::ps256));
  EXPECT_FALSE(jwks.find("rsa-pinned")->allows(JwsAlgorithm::rs256));
  const Jwk& p256 = *jwks.find("p256");
  EXPECT_EQ(p256.crv(), "P-256");
  EXPECT_TRUE(p256.allows(JwsAlgorithm::es256));
  EXPECT_FALSE(p256.allows(JwsAlgorithm::es384));
  EXPECT_FALSE(p256.allows(JwsAlgorithm::rs256));
  EXPECT_TRUE(jwks.find("p384")->allows(JwsAlgorithm::es384));
  EXPECT_FALSE(jwks.find("p384")->allows(JwsAlgorithm::es256));
}

TEST_F(JwksParse, SkipsKeysItCannotUse) {
  auto encryption = public_jwk(rsa_, "enc");
  encryption["use"] = "enc";
  auto hmac = nlohmann::json{{"kty", "oct"}, {"kid", "oct"}, {"k", "c2VjcmV0"}};
  auto p521 = public_jwk(ec256_, "p521");
  p521["crv"] = "P-521";
  auto no_kid = public_jwk(rsa_, "x");
  no_kid.erase("kid");
  auto bad_n = public_jwk(rsa_, "bad-n");
  bad_n["n"] = "not+base64url";
  auto short_x = public_jwk(ec256_, "short-x");
  short_x["x"] = base64::encode_url(std::string(31, '\x01'));
  auto off_curve = public_jwk(ec256_, "off-curve");
  off_curve["y"] = base64::encode_url(std::string(32, '\x01'));
  auto wrong_alg = public_jwk(ec256_, "ec-rs256", "RS256");
  auto hs_alg = public_jwk(rsa_, "rsa-hs256", "HS256");
  auto weak = public_jwk(generate_rsa_key(1024).get(), "weak");
  auto duplicate = public_jwk(ec256_, "good");

  Jwks jwks = parse_ok({public_jwk(rsa_, "good"), encryption, hmac, p521, no_kid, bad_n, short_x, off_curve, wrong_alg,
                        hs_alg, weak, duplicate});
  ASSERT_EQ(jwks.keys().size(), 1u);
  EXPECT_EQ(jwks.find("good")->kty(), KeyType::rsa);  // the first of a repeated kid wins
  EXPECT_EQ(jwks.skipped().size(), 11u);
  for (std::string_view kid :
       {"enc", "oct", "p521", "bad-n", "short-x", "off-curve", "ec-rs256", "rsa-hs256", "weak"}) {
    EXPECT_EQ(jwks.find(kid), nullptr) << kid;
  }
  bool weak_reported = false;
  for (const auto& skipped : jwks.skipped()) {
    if (skipped.kid == "weak") weak_reported = skipped.reason.find("1024 bits") != std::string::npos;
  }
  EXPECT_TRUE(weak_reported);
}

TEST_F(JwksParse, RefusesMalformedDocuments) {
  for (std::string_view text :
       {"", "{", "[]", "{}", R"({"keys": {}})", R"({"keys": [1]})", R"({"keys": [], "keys": []})"}) {
    auto jwks = Jwks::parse(text);
    ASSERT_FALSE(jwks.ok()) << text;
    EXPECT_EQ(jwks.error().code, ErrorCode::aws_idp_communication_error) << text;
  }
}

TEST_F(JwksParse, AcceptsAnEmptyKeySet) {
  Jwks jwks = parse_ok(nlohmann::json::array());
  EXPECT_TRUE(jwks.keys().empty());
}

}  // namespace
}  // namespace berth::oidc

// The ECR front door's protocol: authentication before anything else, operation dispatch on
// X-Amz-Target, AWS JSON error bodies and headers.
#include "aws/ecr_front_door.hpp"

#include <gtest/gtest.h>

#include "aws/ecr_test_support.hpp"

namespace berth::aws::test {
namespace {

using namespace std::chrono_literals;

class EcrFrontDoorTest : public EcrTest {};

TEST_F(EcrFrontDoorTest, AnswersJson11WithARequestId) {
  http::Response response = call("ListImages", R"({"repositoryName":"example-team/example-repository"})");
  EXPECT_EQ(response.status, 200) << body_text(response);
  EXPECT_EQ(response.headers.get("Content-Type").value_or(""), "application/x-amz-json-1.1");
  EXPECT_EQ(response.headers.get("x-amzn-RequestId").value_or("").size(), 36u);
  EXPECT_TRUE(response.headers.has("Date"));
  EXPECT_EQ(response.route, "ecr_list_images");
  EXPECT_EQ(json_of(response), nlohmann::json::parse(R"({"imageIds":[]})"));
}

TEST_F(EcrFrontDoorTest, UnknownOperationsAreRefused) {
  http::Response response = call("PutRegistryPolicy", R"({"repositoryName":"example-team/new"})");
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(error_type(response), "UnknownOperationException");
  EXPECT_EQ(response.route, "ecr_unknown");
  EXPECT_FALSE(*metadata_->repository_exists("example-team/new"));
}

TEST_F(EcrFrontDoorTest, AMissingOrForeignTargetIsAnUnknownOperation) {
  for (std::string target :
       {"", "AWSSecurityTokenServiceV20110615.GetCallerIdentity", "AmazonEC2ContainerRegistry_V20150921."}) {
    TestRequest other = make_request(http::Method::post, "/", "{}", {{"Content-Type", "application/x-amz-json-1.1"}},
                                     "api.ecr.eu-west-2.amazonaws.com");
    if (!target.empty()) other.request.headers.add("X-Amz-Target", target);
    auth::SessionClaims session = fresh_session();
    sign(other, {session.access_key_id, session.secret_access_key, *auth::seal_session(keys_, session)}, kRegion, "ecr",
         std::chrono::system_clock::now());
    http::Response response = send(other);
    EXPECT_EQ(error_type(response), "UnknownOperationException") << target;
  }
}

TEST_F(EcrFrontDoorTest, UnsignedRequestsAreRefusedBeforeDispatch) {
  TestRequest request = make_request(http::Method::post, "/", "{}",
                                     {{"X-Amz-Target", "AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken"}},
                                     "api.ecr.eu-west-2.amazonaws.com");
  http::Response response = send(request);
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(error_type(response), "MissingAuthenticationTokenException");
  EXPECT_TRUE(response.headers.has("x-amzn-RequestId"));
  EXPECT_EQ(response.route, "ecr_get_authorization_token");
}

TEST_F(EcrFrontDoorTest, ATamperedBodyFailsTheSignature) {
  TestRequest request =
      signed_request("DescribeImages", R"({"repositoryName":"example-team/example-repository"})", fresh_session());
  request.body = std::make_unique<StringBody>(R"({"repositoryName":"example-team/other-repository"})");
  request.request.body = request.body.get();
  http::Response response = send(request);
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(error_type(response), "InvalidSignatureException");
}

TEST_F(EcrFrontDoorTest, ATamperedSignatureIsRefused) {
  TestRequest request = signed_request("GetAuthorizationToken", "{}", fresh_session());
  std::string authorization(*request.request.headers.get("Authorization"));
  authorization.back() = authorization.back() == '0' ? '1' : '0';
  request.request.headers.set("Authorization", authorization);
  EXPECT_EQ(error_type(send(request)), "InvalidSignatureException");
}

TEST_F(EcrFrontDoorTest, AnExpiredSessionIsRefused) {
  const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  http::Response response = call("GetAuthorizationToken", "{}", session_of(kPushRole, now - 2h));
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(error_type(response), "ExpiredTokenException");
}

TEST_F(EcrFrontDoorTest, ASessionSealedUnderAnotherKeyIsRefused) {
  auth::KeyRing other(*auth::RingKey::from_bytes(std::string(auth::kKeySize, 'o')));
  auth::SessionClaims session = fresh_session();
  TestRequest request = make_request(http::Method::post, "/", "{}",
                                     {{"X-Amz-Target", "AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken"}},
                                     "api.ecr.eu-west-2.amazonaws.com");
  sign(request, {session.access_key_id, session.secret_access_key, *auth::seal_session(other, session)}, kRegion, "ecr",
       std::chrono::system_clock::now());
  EXPECT_EQ(error_type(send(request)), "UnrecognizedClientException");
}

TEST_F(EcrFrontDoorTest, ABodyAboveTheLimitIsRefused) {
  std::string body = R"({"repositoryName":")" + std::string(options_.max_request_bytes, 'a') + "\"}";
  http::Response response = call("ListImages", body);
  EXPECT_EQ(response.status, 413);
  EXPECT_TRUE(response.headers.has("x-amzn-RequestId"));
}

TEST_F(EcrFrontDoorTest, MalformedInputIsAnInvalidParameter) {
  for (std::string body :
       {"[]", "{", R"({"repositoryName":"example-team/example-repository","repositoryName":"x"})",
        R"({"repositoryName":42})", R"({"repositoryName":"example-team/example-repository","x":1})"}) {
    http::Response response = call("ListImages", body);
    EXPECT_EQ(response.status, 400) << body;
    EXPECT_EQ(error_type(response), "InvalidParameterException") << body;
  }
}

TEST_F(EcrFrontDoorTest, TheRoleIsReadOnEveryRequest) {
  ASSERT_EQ(call("GetAuthorizationToken").status, 200);
  ASSERT_TRUE(metadata_->delete_role(kPushRole).ok());
  http::Response response = call("GetAuthorizationToken");
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(error_type(response), "AccessDeniedException");
}

}  // namespace
}  // namespace berth::aws::test

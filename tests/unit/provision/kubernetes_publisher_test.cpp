#include "provision/kubernetes_publisher.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <utility>

#include "recording_http_server.hpp"

namespace berth::provision {
namespace {

using testing::RecordedRequest;
using testing::RecordingHttpServer;
using testing::ScriptedResponse;
using Json = nlohmann::ordered_json;

constexpr char kToken[] = "k8s-bearer-token";
constexpr char kPath[] = "/api/v1/namespaces/team-ns/configmaps/my-app-circleci";

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

std::string status_body(int code, const std::string& reason, const std::string& message) {
  return Json{{"kind", "Status"},    {"apiVersion", "v1"}, {"metadata", Json::object()},
              {"status", "Failure"}, {"message", message}, {"reason", reason},
              {"code", code}}
      .dump();
}

std::unique_ptr<KubernetesPublisher> publisher_for(const RecordingHttpServer& server) {
  return make_kubernetes_publisher_for(
      KubernetesCredentials{.server = server.base_url() + "/", .tls = {}, .token = kToken});
}

TEST(KubernetesPublisher, AppliesTheWholeObjectServerSide) {
  RecordingHttpServer server([](const RecordedRequest& request) { return ScriptedResponse{201, request.body}; });
  ASSERT_TRUE(publisher_for(server)->apply_config_map(config_map()).ok());

  const auto requests = server.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].method, "PATCH");
  EXPECT_EQ(requests[0].target, std::string(kPath) + "?fieldManager=berth&force=true");
  EXPECT_EQ(requests[0].header("content-type"), "application/apply-patch+yaml");
  EXPECT_EQ(requests[0].header("authorization"), std::string("Bearer ") + kToken);
  const Json expected = Json::parse(R"({"apiVersion": "v1", "kind": "ConfigMap",
      "metadata": {"name": "my-app-circleci", "namespace": "team-ns"},
      "data": {"ecr_region": "eu-west-2", "ecr_registry_id": "123456789012",
               "ecr_repository": "team/my_app",
               "ecr_role_to_assume": "arn:aws:iam::123456789012:role/berth-ecr-0123456789abcdef-circleci"}})");
  EXPECT_EQ(Json::parse(requests[0].body), expected);
}

TEST(KubernetesPublisher, ErrorsCarryTheStatusMessageButNoToken) {
  RecordingHttpServer server([](const RecordedRequest&) {
    return ScriptedResponse{
        403, status_body(403, "Forbidden", "configmaps \"my-app-circleci\" is forbidden: User \"ci\" cannot patch")};
  });
  Status status = publisher_for(server)->apply_config_map(config_map());
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, ErrorCode::denied);
  EXPECT_EQ(status.error().message, std::string("kubernetes: PATCH ") + kPath +
                                        ": 403 configmaps \"my-app-circleci\" is forbidden: User \"ci\" cannot patch");
  EXPECT_EQ(status.error().message.find(kToken), std::string::npos);
}

TEST(KubernetesPublisher, DeletingWhatIsAbsentSucceeds) {
  bool exists = true;
  RecordingHttpServer server([&](const RecordedRequest&) {
    if (std::exchange(exists, false)) return ScriptedResponse{200, status_body(200, "", "")};
    return ScriptedResponse{404, status_body(404, "NotFound", "configmaps \"my-app-circleci\" not found")};
  });
  auto publisher = publisher_for(server);
  EXPECT_TRUE(publisher->delete_config_map("team-ns", "my-app-circleci").ok());
  EXPECT_TRUE(publisher->delete_config_map("team-ns", "my-app-circleci").ok());
  const auto requests = server.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].method, "DELETE");
  EXPECT_EQ(requests[0].target, kPath);
}

TEST(KubernetesPublisher, DeleteFailureIsReported) {
  RecordingHttpServer server([](const RecordedRequest&) {
    return ScriptedResponse{500, status_body(500, "InternalError", "etcdserver: request timed out")};
  });
  Status status = publisher_for(server)->delete_config_map("team-ns", "my-app-circleci");
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, ErrorCode::unavailable);
  EXPECT_EQ(status.error().message, std::string("kubernetes: DELETE ") + kPath + ": 500 etcdserver: request timed out");
}

TEST(KubernetesPublisher, FactoryRefusesPlainHttpBeyondLoopback) {
  std::string directory = (std::filesystem::temp_directory_path() / "berth-kube-XXXXXX").string();
  ASSERT_NE(::mkdtemp(directory.data()), nullptr);
  const std::filesystem::path config = std::filesystem::path(directory) / "config";
  std::ofstream(config) << "current-context: x\n"
                           "clusters: [{name: c, cluster: {server: 'http://k8s.example.com'}}]\n"
                           "users: [{name: u, user: {token: t}}]\n"
                           "contexts: [{name: x, context: {cluster: c, user: u}}]\n";
  auto publisher = make_kubernetes_publisher(KubernetesOptions{.kubeconfig_path = config.string(), .context = ""});
  std::filesystem::remove_all(directory);
  ASSERT_FALSE(publisher.ok());
  EXPECT_EQ(publisher.error().code, ErrorCode::invalid_argument);
}

}  // namespace
}  // namespace berth::provision

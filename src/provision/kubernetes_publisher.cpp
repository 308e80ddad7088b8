#include "provision/kubernetes_publisher.hpp"

#include <algorithm>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <utility>

#include "provision/http_client.hpp"

namespace berth::provision {
namespace {

using Json = nlohmann::ordered_json;

std::string config_map_path(std::string_view namespace_name, std::string_view name) {
  return "/api/v1/namespaces/" + encode_path_segment(namespace_name) + "/configmaps/" + encode_path_segment(name);
}

class ApiKubernetesPublisher final : public KubernetesPublisher {
 public:
  explicit ApiKubernetesPublisher(KubernetesCredentials credentials)
      : server_(std::move(credentials.server)),
        token_(std::move(credentials.token)),
        client_(HttpClientOptions{.tls = std::move(credentials.tls)}) {
    while (server_.ends_with('/')) server_.pop_back();
  }

  Status apply_config_map(const ConfigMap& config_map) override {
    Json object{{"apiVersion", "v1"},
                {"kind", "ConfigMap"},
                {"metadata", {{"name", config_map.name}, {"namespace", config_map.namespace_name}}},
                {"data", Json::object()}};
    for (const auto& [key, value] : config_map.data) object["data"][key] = value;
    // JSON is YAML, so an apply patch may be sent as JSON (server-side-apply.md).
    return call("PATCH", config_map_path(config_map.namespace_name, config_map.name), "?fieldManager=berth&force=true",
                object.dump(), "application/apply-patch+yaml", {200, 201});
  }

  Status delete_config_map(std::string_view namespace_name, std::string_view name) override {
    return call("DELETE", config_map_path(namespace_name, name), "", "", "", {200, 202, 404});
  }

 private:
  Status call(const std::string& method, const std::string& path, const std::string& query, std::string body,
              const std::string& content_type, std::initializer_list<long> accepted) const {
    HttpRequest request{method, server_ + path + query, {"Accept: application/json"}, std::move(body)};
    if (!content_type.empty()) request.headers.push_back("Content-Type: " + content_type);
    if (!token_.empty()) request.headers.push_back("Authorization: Bearer " + token_);
    Result<HttpResponse> response = client_.send(request);
    if (!response) {
      return make_error(response.error().code, "kubernetes: " + method + " " + path + ": " + response.error().message);
    }
    if (std::find(accepted.begin(), accepted.end(), response->status) != accepted.end()) return {};
    return make_error(error_code_for_status(response->status), "kubernetes: " + method + " " + path + ": " +
                                                                   std::to_string(response->status) + " " +
                                                                   error_message(*response));
  }

  std::string server_;
  std::string token_;
  HttpClient client_;
};

}  // namespace

std::unique_ptr<KubernetesPublisher> make_kubernetes_publisher_for(KubernetesCredentials credentials) {
  return std::make_unique<ApiKubernetesPublisher>(std::move(credentials));
}

Result<std::unique_ptr<KubernetesPublisher>> make_kubernetes_publisher(const KubernetesOptions& options) {
  Result<KubernetesCredentials> credentials = resolve_kubernetes_credentials(options.kubeconfig_path, options.context);
  if (!credentials) return std::move(credentials).error();
  BERTH_TRY(check_base_url(credentials->server));
  return make_kubernetes_publisher_for(std::move(*credentials));
}

}  // namespace berth::provision

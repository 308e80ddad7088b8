#include "provision/kubeconfig.hpp"

#include <yaml-cpp/yaml.h>

#include <cctype>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "common/base64.hpp"

namespace berth::provision {
namespace {

namespace fs = std::filesystem;

Error invalid(std::string message) { return make_error(ErrorCode::invalid_argument, "kubeconfig: " + message); }

Result<std::string> read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(ErrorCode::not_found, "cannot read " + path.string());
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string trim_trailing_whitespace(std::string text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.pop_back();
  return text;
}

std::string string_field(const YAML::Node& node, const char* key) {
  const YAML::Node value = node[key];
  return value && value.IsScalar() ? value.as<std::string>() : std::string();
}

// The `section` entry (`cluster`, `user`, `context`) of the list item named `name`.
Result<YAML::Node> named_entry(const YAML::Node& root, const char* list, const char* section, const std::string& name) {
  const YAML::Node entries = root[list];
  if (entries && entries.IsSequence()) {
    for (const YAML::Node& entry : entries) {
      if (string_field(entry, "name") == name && entry[section] && entry[section].IsMap()) return entry[section];
    }
  }
  return invalid(std::string(section) + " \"" + name + "\" is not defined in " + list);
}

fs::path resolve(const fs::path& base_directory, const std::string& path) {
  const fs::path file(path);
  return file.is_absolute() ? file : base_directory / file;
}

// `*-data` is base64 of PEM; kubeconfigs written by hand sometimes wrap it.
Result<std::string> decode_data(const std::string& field, const std::string& text) {
  std::string compact;
  for (const char c : text) {
    if (!std::isspace(static_cast<unsigned char>(c))) compact += c;
  }
  Result<std::string> decoded = base64::decode(compact);
  if (!decoded) return invalid(field + " is not valid base64");
  return decoded;
}

// One credential that may come inline (`<field>-data`) or from a file (`<field>`).
Status read_credential(const YAML::Node& node, const std::string& field, const fs::path& base_directory,
                       std::string& pem, std::string& file) {
  if (const std::string data = string_field(node, (field + "-data").c_str()); !data.empty()) {
    Result<std::string> decoded = decode_data(field + "-data", data);
    if (!decoded) return std::move(decoded).error();
    pem = std::move(*decoded);
  } else if (const std::string path = string_field(node, field.c_str()); !path.empty()) {
    file = resolve(base_directory, path).string();
  }
  return {};
}

Result<KubernetesCredentials> parse(const YAML::Node& root, std::string_view requested_context,
                                    const fs::path& base_directory) {
  if (!root.IsMap()) return invalid("not a YAML mapping");
  const std::string context_name =
      requested_context.empty() ? string_field(root, "current-context") : std::string(requested_context);
  if (context_name.empty()) return invalid("no context given and no current-context set");
  Result<YAML::Node> context = named_entry(root, "contexts", "context", context_name);
  if (!context) return std::move(context).error();
  Result<YAML::Node> cluster = named_entry(root, "clusters", "cluster", string_field(*context, "cluster"));
  if (!cluster) return std::move(cluster).error();
  Result<YAML::Node> user = named_entry(root, "users", "user", string_field(*context, "user"));
  if (!user) return std::move(user).error();

  KubernetesCredentials credentials;
  credentials.server = string_field(*cluster, "server");
  if (credentials.server.empty()) return invalid("cluster of context \"" + context_name + "\" has no server");
  BERTH_TRY(read_credential(*cluster, "certificate-authority", base_directory, credentials.tls.ca_pem,
                            credentials.tls.ca_file));
  if (const YAML::Node skip = (*cluster)["insecure-skip-tls-verify"]; skip && skip.IsScalar()) {
    credentials.tls.insecure_skip_verify = skip.as<bool>();
  }

  credentials.token = string_field(*user, "token");
  if (const std::string token_file = string_field(*user, "tokenFile");
      credentials.token.empty() && !token_file.empty()) {
    Result<std::string> token = read_text(resolve(base_directory, token_file));
    if (!token) return invalid("tokenFile: " + token.error().message);
    credentials.token = trim_trailing_whitespace(*token);
  }
  BERTH_TRY(read_credential(*user, "client-certificate", base_directory, credentials.tls.client_cert_pem,
                            credentials.tls.client_cert_file));
  BERTH_TRY(read_credential(*user, "client-key", base_directory, credentials.tls.client_key_pem,
                            credentials.tls.client_key_file));
  const bool has_certificate = !credentials.tls.client_cert_pem.empty() || !credentials.tls.client_cert_file.empty();
  const bool has_key = !credentials.tls.client_key_pem.empty() || !credentials.tls.client_key_file.empty();
  if (has_certificate != has_key)
    return invalid("user of context \"" + context_name + "\" needs both client certificate and key");
  if (credentials.token.empty() && !has_certificate) {
    return invalid("user of context \"" + context_name +
                   "\" has neither a token nor a client certificate (exec plugins, auth-provider and basic "
                   "authentication are not supported)");
  }
  return credentials;
}

}  // namespace

Result<KubernetesCredentials> parse_kubeconfig(std::string_view yaml_text, std::string_view context,
                                               const fs::path& base_directory) {
  try {
    return parse(YAML::Load(std::string(yaml_text)), context, base_directory);
  } catch (const YAML::Exception& error) {
    return invalid(error.what());
  }
}

Result<KubernetesCredentials> load_kubeconfig(const fs::path& path, std::string_view context) {
  Result<std::string> text = read_text(path);
  if (!text) return std::move(text).error();
  Result<KubernetesCredentials> credentials = parse_kubeconfig(*text, context, path.parent_path());
  if (!credentials) return make_error(credentials.error().code, path.string() + ": " + credentials.error().message);
  return credentials;
}

Result<KubernetesCredentials> in_cluster_credentials(std::string_view host, std::string_view port,
                                                     const fs::path& service_account_directory) {
  if (host.empty() || port.empty()) {
    return make_error(ErrorCode::invalid_argument,
                      "no kubeconfig found and not in a cluster (KUBERNETES_SERVICE_HOST/PORT unset)");
  }
  Result<std::string> token = read_text(service_account_directory / "token");
  if (!token) return make_error(ErrorCode::invalid_argument, "in-cluster service account: " + token.error().message);
  KubernetesCredentials credentials;
  // An IPv6 service address needs brackets in a URL.
  const bool ipv6 = host.find(':') != std::string_view::npos;
  credentials.server =
      "https://" + (ipv6 ? "[" + std::string(host) + "]" : std::string(host)) + ":" + std::string(port);
  credentials.token = trim_trailing_whitespace(*token);
  credentials.tls.ca_file = (service_account_directory / "ca.crt").string();
  return credentials;
}

Result<KubernetesCredentials> resolve_kubernetes_credentials(const std::string& kubeconfig_path,
                                                             std::string_view context) {
  if (!kubeconfig_path.empty()) return load_kubeconfig(kubeconfig_path, context);
  if (const char* listed = std::getenv("KUBECONFIG"); listed != nullptr && *listed != '\0') {
    const std::string_view files(listed);
    return load_kubeconfig(std::string(files.substr(0, files.find(':'))), context);
  }
  if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0') {
    const fs::path default_path = fs::path(home) / ".kube" / "config";
    std::error_code ignored;
    if (fs::exists(default_path, ignored)) return load_kubeconfig(default_path, context);
  }
  const char* host = std::getenv("KUBERNETES_SERVICE_HOST");
  const char* port = std::getenv("KUBERNETES_SERVICE_PORT");
  return in_cluster_credentials(host != nullptr ? host : "", port != nullptr ? port : "",
                                "/var/run/secrets/kubernetes.io/serviceaccount");
}

}  // namespace berth::provision

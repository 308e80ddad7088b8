// Where the Kubernetes API is and how to authenticate to it (interfaces.md §10.3): a kubeconfig
// file (clusters, users, contexts, current-context) or the in-cluster service account. Inline
// `*-data` credentials stay in memory as PEM; file paths are resolved against the kubeconfig's
// directory, as kubectl does. Pure parsing plus file reads; thread-safe.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "common/result.hpp"
#include "provision/http_client.hpp"

namespace berth::provision {

struct KubernetesCredentials {
  std::string server;  // "https://host:port[/prefix]"
  TlsOptions tls;
  std::string token;  // bearer token; empty with client certificates
};

// `context` empty: current-context. invalid_argument for malformed YAML, a missing context,
// cluster or user, or authentication berth does not support (exec plugins, auth-provider, basic).
Result<KubernetesCredentials> parse_kubeconfig(std::string_view yaml_text, std::string_view context,
                                               const std::filesystem::path& base_directory);

Result<KubernetesCredentials> load_kubeconfig(const std::filesystem::path& path, std::string_view context);

// https://<host>:<port> with <service_account_directory>/token and ca.crt.
Result<KubernetesCredentials> in_cluster_credentials(std::string_view host, std::string_view port,
                                                     const std::filesystem::path& service_account_directory);

// The kubeconfig at `kubeconfig_path`; else the first file named in $KUBECONFIG (berth does not
// merge several); else ~/.kube/config when it exists; else the in-cluster service account
// (KUBERNETES_SERVICE_HOST/PORT, /var/run/secrets/kubernetes.io/serviceaccount).
Result<KubernetesCredentials> resolve_kubernetes_credentials(const std::string& kubeconfig_path,
                                                             std::string_view context);

}  // namespace berth::provision

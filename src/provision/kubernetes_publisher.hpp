// The Kubernetes API client behind KubernetesPublisher (interfaces.md §10): ConfigMaps by
// server-side apply (`fieldManager=berth`, `force=true`: berth owns the fields it declares) and
// DELETE. Blocking (libcurl); one publisher may be shared between threads. Bearer tokens and client
// keys never appear in errors or logs.
//
//   auto kubernetes = make_kubernetes_publisher({});  // $KUBECONFIG, ~/.kube/config, or in-cluster
//   if (kubernetes) BERTH_TRY((*kubernetes)->apply_config_map(config_map));
#pragma once

#include <memory>
#include <string>

#include "common/result.hpp"
#include "provision/kubeconfig.hpp"
#include "provision/publishers.hpp"

namespace berth::provision {

struct KubernetesOptions {
  std::string kubeconfig_path;  // empty: $KUBECONFIG, then ~/.kube/config, then in-cluster service account
  std::string context;          // empty: current-context
};

// Fails when no usable credentials are found (see resolve_kubernetes_credentials). Call errors read
// "kubernetes: PATCH /api/v1/namespaces/ns/configmaps/x: 403 <message of the Status object>", with
// code denied (401/403), conflict (409), invalid_argument (400/422), unavailable (5xx, 429, no answer).
Result<std::unique_ptr<KubernetesPublisher>> make_kubernetes_publisher(const KubernetesOptions& options);

// With credentials already resolved (tests, or a caller that found them itself).
std::unique_ptr<KubernetesPublisher> make_kubernetes_publisher_for(KubernetesCredentials credentials);

}  // namespace berth::provision

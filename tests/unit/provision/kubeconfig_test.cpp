#include "provision/kubeconfig.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "common/base64.hpp"

namespace berth::provision {
namespace {

namespace fs = std::filesystem;

constexpr char kCaPem[] = "-----BEGIN CERTIFICATE-----\nMIIBca\n-----END CERTIFICATE-----\n";
constexpr char kCertPem[] = "-----BEGIN CERTIFICATE-----\nMIIBcert\n-----END CERTIFICATE-----\n";
constexpr char kKeyPem[] = "-----BEGIN PRIVATE KEY-----\nMIIBkey\n-----END PRIVATE KEY-----\n";

class Kubeconfig : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "berth-kubeconfig-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    directory_ = pattern;
  }
  void TearDown() override { fs::remove_all(directory_); }

  void write(const std::string& name, const std::string& text) { std::ofstream(directory_ / name) << text; }

  fs::path directory_;
};

std::string two_contexts() {
  return "apiVersion: v1\n"
         "kind: Config\n"
         "current-context: dev\n"
         "clusters:\n"
         "- name: dev-cluster\n"
         "  cluster:\n"
         "    server: https://127.0.0.1:6443\n"
         "    certificate-authority-data: " +
         base64::encode(kCaPem) +
         "\n"
         "- name: prod-cluster\n"
         "  cluster:\n"
         "    server: https://prod.example.com:443/k8s/\n"
         "    certificate-authority: certs/ca.crt\n"
         "    insecure-skip-tls-verify: true\n"
         "users:\n"
         "- name: dev-user\n"
         "  user:\n"
         "    token: dev-token\n"
         "- name: prod-user\n"
         "  user:\n"
         "    client-certificate-data: " +
         base64::encode(kCertPem) +
         "\n"
         "    client-key-data: " +
         base64::encode(kKeyPem) +
         "\n"
         "- name: file-user\n"
         "  user:\n"
         "    client-certificate: /etc/berth/client.crt\n"
         "    client-key: keys/client.key\n"
         "contexts:\n"
         "- name: dev\n"
         "  context: {cluster: dev-cluster, user: dev-user, namespace: team}\n"
         "- name: prod\n"
         "  context: {cluster: prod-cluster, user: prod-user}\n"
         "- name: files\n"
         "  context: {cluster: prod-cluster, user: file-user}\n"
         "- name: broken\n"
         "  context: {cluster: missing-cluster, user: dev-user}\n";
}

TEST_F(Kubeconfig, CurrentContextWithTokenAndInlineCa) {
  Result<KubernetesCredentials> credentials = parse_kubeconfig(two_contexts(), "", "/home/u/.kube");
  ASSERT_TRUE(credentials.ok()) << credentials.error().message;
  EXPECT_EQ(credentials->server, "https://127.0.0.1:6443");
  EXPECT_EQ(credentials->token, "dev-token");
  EXPECT_EQ(credentials->tls.ca_pem, kCaPem);
  EXPECT_TRUE(credentials->tls.ca_file.empty());
  EXPECT_FALSE(credentials->tls.insecure_skip_verify);
  EXPECT_TRUE(credentials->tls.client_cert_pem.empty());
}

TEST_F(Kubeconfig, NamedContextWithInlineClientCertificate) {
  Result<KubernetesCredentials> credentials = parse_kubeconfig(two_contexts(), "prod", "/home/u/.kube");
  ASSERT_TRUE(credentials.ok()) << credentials.error().message;
  EXPECT_EQ(credentials->server, "https://prod.example.com:443/k8s/");
  EXPECT_TRUE(credentials->token.empty());
  EXPECT_EQ(credentials->tls.client_cert_pem, kCertPem);
  EXPECT_EQ(credentials->tls.client_key_pem, kKeyPem);
  EXPECT_EQ(credentials->tls.ca_file, "/home/u/.kube/certs/ca.crt");
  EXPECT_TRUE(credentials->tls.insecure_skip_verify);
}

TEST_F(Kubeconfig, CredentialFilesResolveAgainstTheKubeconfigDirectory) {
  Result<KubernetesCredentials> credentials = parse_kubeconfig(two_contexts(), "files", "/home/u/.kube");
  ASSERT_TRUE(credentials.ok()) << credentials.error().message;
  EXPECT_EQ(credentials->tls.client_cert_file, "/etc/berth/client.crt");
  EXPECT_EQ(credentials->tls.client_key_file, "/home/u/.kube/keys/client.key");
}

TEST_F(Kubeconfig, ErrorsNameWhatIsMissing) {
  Result<KubernetesCredentials> missing = parse_kubeconfig(two_contexts(), "staging", "/");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::invalid_argument);
  EXPECT_NE(missing.error().message.find("context \"staging\""), std::string::npos) << missing.error().message;

  Result<KubernetesCredentials> broken = parse_kubeconfig(two_contexts(), "broken", "/");
  ASSERT_FALSE(broken.ok());
  EXPECT_NE(broken.error().message.find("cluster \"missing-cluster\""), std::string::npos) << broken.error().message;

  EXPECT_FALSE(parse_kubeconfig("clusters: [", "", "/").ok());
  EXPECT_FALSE(parse_kubeconfig("- just a list", "", "/").ok());
  EXPECT_FALSE(parse_kubeconfig("kind: Config\n", "", "/").ok());
}

TEST_F(Kubeconfig, UnsupportedAuthenticationIsAnError) {
  const std::string exec_user =
      "current-context: eks\n"
      "clusters: [{name: c, cluster: {server: 'https://eks.example.com'}}]\n"
      "users: [{name: u, user: {exec: {command: aws, args: [eks, get-token]}}}]\n"
      "contexts: [{name: eks, context: {cluster: c, user: u}}]\n";
  Result<KubernetesCredentials> credentials = parse_kubeconfig(exec_user, "", "/");
  ASSERT_FALSE(credentials.ok());
  EXPECT_NE(credentials.error().message.find("not supported"), std::string::npos);
}

TEST_F(Kubeconfig, BadBase64IsAnError) {
  const std::string bad =
      "current-context: x\n"
      "clusters: [{name: c, cluster: {server: 'https://k', certificate-authority-data: '%%%'}}]\n"
      "users: [{name: u, user: {token: t}}]\n"
      "contexts: [{name: x, context: {cluster: c, user: u}}]\n";
  Result<KubernetesCredentials> credentials = parse_kubeconfig(bad, "", "/");
  ASSERT_FALSE(credentials.ok());
  EXPECT_NE(credentials.error().message.find("certificate-authority-data"), std::string::npos);
}

TEST_F(Kubeconfig, TokenFileIsRead) {
  write("token", "file-token\n");
  write("config",
        "current-context: x\n"
        "clusters: [{name: c, cluster: {server: 'https://k'}}]\n"
        "users: [{name: u, user: {tokenFile: token}}]\n"
        "contexts: [{name: x, context: {cluster: c, user: u}}]\n");
  Result<KubernetesCredentials> credentials = load_kubeconfig(directory_ / "config", "");
  ASSERT_TRUE(credentials.ok()) << credentials.error().message;
  EXPECT_EQ(credentials->token, "file-token");
}

TEST_F(Kubeconfig, ExplicitPathWinsAndMissingFileIsAnError) {
  write("config", two_contexts());
  Result<KubernetesCredentials> credentials = resolve_kubernetes_credentials((directory_ / "config").string(), "prod");
  ASSERT_TRUE(credentials.ok()) << credentials.error().message;
  EXPECT_EQ(credentials->tls.client_cert_pem, kCertPem);
  EXPECT_FALSE(load_kubeconfig(directory_ / "absent", "").ok());
}

TEST_F(Kubeconfig, InClusterServiceAccount) {
  write("token", "sa-token\n");
  Result<KubernetesCredentials> credentials = in_cluster_credentials("10.96.0.1", "443", directory_);
  ASSERT_TRUE(credentials.ok()) << credentials.error().message;
  EXPECT_EQ(credentials->server, "https://10.96.0.1:443");
  EXPECT_EQ(credentials->token, "sa-token");
  EXPECT_EQ(credentials->tls.ca_file, (directory_ / "ca.crt").string());

  Result<KubernetesCredentials> ipv6 = in_cluster_credentials("fd00::1", "6443", directory_);
  ASSERT_TRUE(ipv6.ok());
  EXPECT_EQ(ipv6->server, "https://[fd00::1]:6443");

  EXPECT_FALSE(in_cluster_credentials("", "", directory_).ok());
  EXPECT_FALSE(in_cluster_credentials("10.96.0.1", "443", directory_ / "absent").ok());
}

}  // namespace
}  // namespace berth::provision

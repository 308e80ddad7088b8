"""A berth data directory and config ready for `berth plan`/`berth apply`, with a fake GitHub REST
API and a fake Kubernetes API server to publish to, and the test OIDC issuer for the keyless chain
afterwards. Shared by the provisioning and CI-recipe tests."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

from conftest import BERTH_BINARY, run
from fake_github import FakeGithub
from fake_kubernetes import FakeKubernetes, TestPki
from keyless import KeylessSetup

OWNER = "ministryofjustice"
GITHUB_TOKEN = "ghs_provisioning-test-token"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


SEED_GITHUB = """
variable "namespace" {
  default = "example-namespace"
}

module "ecr" {
  source = "github.com/ministryofjustice/cloud-platform-terraform-ecr-credentials?ref=7.1.1"

  team_name = "example-team"
  repo_name = "example-repository"

  # REQUIRED: OIDC providers to configure, either "github", "circleci", or both
  oidc_providers = ["github", "circleci"]

  # REQUIRED: GitHub repositories that push to this container repository
  github_repositories = ["example-repository"]

  # This is the namespace to create a ConfigMap of credentials you need in CircleCI
  namespace = var.namespace

  business_unit          = "Platforms"
  application            = "Example"
  is_production          = "false"
  environment_name       = "development"
  infrastructure_support = "example-team (example-team@example.com)"
}
"""



class Provisioning:
    def __init__(self, tmp_path: Path, issuer, github: FakeGithub, kubernetes: FakeKubernetes):
        self.tmp = tmp_path
        self.issuer = issuer
        self.github = github
        self.kubernetes = kubernetes
        self.port = free_port()
        self.public_url = f"http://127.0.0.1:{self.port}"
        self.keyless = KeylessSetup(tmp_path, issuer)
        # The keyless set-up's config, with the address apply publishes fixed in advance.
        self.keyless.config.write_text(
            f'listen = "127.0.0.1:{self.port}"\npublic_url = "{self.public_url}"\n' + self.keyless.config.read_text())
        self.declarations = tmp_path / "environments"
        self.declarations.mkdir()
        self.kubeconfig = kubernetes.kubeconfig(tmp_path / "kubeconfig")
        self.env = dict(os.environ, GITHUB_TOKEN=GITHUB_TOKEN)

    def berth(self, *args, check=True):
        return run([BERTH_BINARY, *map(str, args), "--config", self.keyless.config, "--data", self.keyless.data_dir],
                   timeout=120, check=check, env=self.env)

    def plan(self, *args):
        return self.berth("plan", self.declarations, "--github-api-url", self.github.api_url, *args)

    def apply(self, *args, check=True):
        return self.berth("apply", self.declarations, "--auto-approve", "--github-api-url", self.github.api_url,
                          "--kubeconfig", self.kubeconfig, *args, check=check)

    def mutating_requests(self) -> list[tuple[str, str]]:
        return [(r.method, r.path) for server in (self.github, self.kubernetes) for r in server.mutating_requests()]


@pytest.fixture
def provisioning(tmp_path, issuer):
    with FakeGithub(token=GITHUB_TOKEN) as github, \
            FakeKubernetes(TestPki(tmp_path / "pki")) as kubernetes:
        yield Provisioning(tmp_path, issuer, github, kubernetes)

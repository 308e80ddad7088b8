"""Declarative provisioning end to end (issue 4): the seed's `module "ecr"` declarations applied with
`berth apply` against a fake GitHub REST API and a fake Kubernetes API server (both follow the
published contracts; see test_publishers_fakes.py), then the keyless chain with the roles apply
created: a token of an allowed repository pushes, a token of another repository is refused."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from conftest import OCI_MANIFEST, RegistryClient
from keyless import ACCOUNT, REGION, basic, issuer  # noqa: F401 (issuer is a fixture)
from provisioning import GITHUB_TOKEN, OWNER, SEED_GITHUB, provisioning  # noqa: F401 (provisioning is a fixture)

ENVIRONMENTS = """
module "ecr_production" {
  source = "github.com/ministryofjustice/cloud-platform-terraform-ecr-credentials?ref=7.1.1"

  team_name             = "example-team"
  repo_name             = "example_api"
  oidc_providers        = ["github"]
  github_repositories   = ["example-api"]
  github_environments   = ["production"]
  github_actions_prefix = "production"

  business_unit          = "Platforms"
  application            = "Example API"
  is_production          = "true"
  namespace              = "example-namespace"
  environment_name       = "production"
  infrastructure_support = "example-team (example-team@example.com)"
}

module "irsa" {
  source    = "github.com/ministryofjustice/cloud-platform-terraform-irsa?ref=2.0.0"
  namespace = "example-namespace"
}
"""


def role_name_of(arn: str) -> str:
    return arn.rsplit("/", 1)[1]


def test_seed_example_applies_publishes_and_converges(provisioning, berth_factory):
    p = provisioning
    (p.declarations / "ecr.tf").write_text(SEED_GITHUB)

    plan = json.loads(p.plan("--json").stdout)
    addresses = {c["address"] for c in plan["changes"] if c["action"] == "create"}
    assert "repository.example-team/example-repository" in addresses
    assert plan["summary"]["delete"] == 0

    applied = p.apply()
    assert b"example-team/example-repository" in applied.stdout

    # GitHub: repository-level values (no environments), secrets sealed with the repository's key.
    role_arn = p.github.open_secret(OWNER, "example-repository", "ECR_ROLE_TO_ASSUME")
    assert role_arn.startswith(f"arn:aws:iam::{ACCOUNT}:role/berth-ecr-") and role_arn.endswith("-github")
    assert p.github.variables(OWNER, "example-repository") == {"ECR_REGION": REGION,
                                                               "ECR_REPOSITORY": "example-team/example-repository"}
    assert p.github.open_secret(OWNER, "example-repository", "ECR_REGISTRY_URL") == f"127.0.0.1:{p.port}"
    for request in p.github.requests:
        assert request.header("authorization") == f"Bearer {GITHUB_TOKEN}"
        assert request.header("x-github-api-version") == "2022-11-28"

    # Kubernetes: the CircleCI ConfigMap by server-side apply.
    config_map = p.kubernetes.config_map("example-namespace", "example-repository-circleci")
    circleci_role = config_map["data"]["ecr_role_to_assume"]
    assert config_map["data"] == {"ecr_role_to_assume": circleci_role, "ecr_region": REGION,
                                  "ecr_repository": "example-team/example-repository", "ecr_registry_id": ACCOUNT}
    assert circleci_role.endswith("-circleci")
    assert set(p.kubernetes.field_managers) == {"berth"}

    # A second apply changes nothing and says so.
    before = len(p.mutating_requests())
    again = p.apply()
    assert b"No changes" in again.stdout
    assert len(p.mutating_requests()) == before

    # The roles work: an allowed repository's token pushes, another repository's token is refused.
    p.keyless.start(berth_factory, listen=None)
    credentials = p.keyless.github_credentials(role=role_name_of(role_arn))
    client = RegistryClient(p.keyless.url)
    client.session.headers["Authorization"] = basic(p.keyless.registry_password(credentials))
    client.push_image("example-team/example-repository", "provisioned")
    with pytest.raises(ClientError) as refused:
        p.keyless.github_credentials(role=role_name_of(role_arn), repository=f"{OWNER}/another-repository")
    assert refused.value.response["Error"]["Code"] == "AccessDenied"

    circleci_token = p.issuer.circleci_token(vcs_origin=f"github.com/{OWNER}/example-repository")
    circleci = p.keyless.assume_role(role_name_of(circleci_role), circleci_token, session="circleci")
    assert p.keyless.login_password(circleci)
    foreign = p.issuer.circleci_token(vcs_origin=f"github.com/{OWNER}/another-repository")
    with pytest.raises(ClientError) as refused:
        p.keyless.sts_client().assume_role_with_web_identity(
            RoleArn=circleci_role, RoleSessionName="circleci", WebIdentityToken=foreign)
    assert refused.value.response["Error"]["Code"] == "AccessDenied"

    # Removing the declaration removes its roles and published values; the repository holds an
    # image and deletion protection is on, so it stays.
    (p.declarations / "ecr.tf").unlink()
    (p.declarations / "other.tf").write_text('variable "unused" {\n  default = "x"\n}\n')
    p.apply()
    assert p.github.variables(OWNER, "example-repository") == {}
    assert p.github.secret_names(OWNER, "example-repository") == set()
    assert p.kubernetes.config_map("example-namespace", "example-repository-circleci") is None
    roles = p.berth("role", "list").stdout.decode()
    assert "berth-ecr-" not in roles
    assert b"example-team/example-repository" in p.berth("repository", "list").stdout


def test_declared_tag_mutability_is_enforced_on_push_and_changed_by_apply(provisioning, berth_factory):
    p = provisioning
    repository = "example-team/example-repository"
    declaration = p.declarations / "ecr.tf"
    immutable = SEED_GITHUB.replace("  namespace = var.namespace\n",
                                    '  namespace = var.namespace\n  image_tag_mutability = "IMMUTABLE"\n')
    declaration.write_text(immutable)
    p.apply()

    p.keyless.start(berth_factory, listen=None)
    role_arn = p.github.open_secret(OWNER, "example-repository", "ECR_ROLE_TO_ASSUME")
    credentials = p.keyless.github_credentials(role=role_name_of(role_arn))
    client = RegistryClient(p.keyless.url)
    client.session.headers["Authorization"] = basic(p.keyless.registry_password(credentials))
    first = client.push_image(repository, "v1")
    other = client.push_image(repository, "other")

    def move_v1():
        return client.session.put(f"{p.keyless.url}/v2/{repository}/manifests/v1", data=other.manifest,
                                  headers={"Content-Type": OCI_MANIFEST})

    refused = move_v1()
    assert refused.status_code == 400, refused.text
    assert refused.json()["errors"][0]["code"] == "TAG_INVALID"
    assert client.session.get(f"{p.keyless.url}/v2/{repository}/manifests/v1",
                              headers={"Accept": OCI_MANIFEST}).headers["Docker-Content-Digest"] == first.digest

    # Declared MUTABLE (the default), the plan shows the one changed field and apply lets the tag move.
    declaration.write_text(immutable.replace('"IMMUTABLE"', '"MUTABLE"'))
    plan = json.loads(p.plan("--json").stdout)
    assert plan["changes"] == [{"action": "update", "address": f"repository.{repository}", "detail": "tag mutability"}]
    p.apply()
    moved = move_v1()
    assert moved.status_code == 201, moved.text
    assert moved.headers["Docker-Content-Digest"] == other.digest


def test_environments_prefix_and_skipped_modules(provisioning, tmp_path):
    p = provisioning
    (p.declarations / "api.tf").write_text(ENVIRONMENTS)
    plan = p.plan()
    assert b"irsa" in plan.stdout + plan.stderr  # the other module is listed as skipped

    p.apply("--output", tmp_path / "configmaps")
    # Environment-level values, prefixed; no ECR_REGISTRY_URL when environments are used.
    assert p.github.variables(OWNER, "example-api", "production") == {
        "PRODUCTION_ECR_REGION": REGION, "PRODUCTION_ECR_REPOSITORY": "example-team/example_api"}
    assert p.github.secret_names(OWNER, "example-api", "production") == {"PRODUCTION_ECR_ROLE_TO_ASSUME"}
    assert p.github.variables(OWNER, "example-api") == {}
    assert p.github.secret_names(OWNER, "example-api") == set()
    assert ("PUT", f"/repos/{OWNER}/example-api/environments/production") in p.mutating_requests()


def test_invalid_declarations_change_nothing(provisioning):
    p = provisioning
    (p.declarations / "bad.tf").write_text(SEED_GITHUB.replace('github_repositories = ["example-repository"]',
                                                               'github_repositories = ["github.com/example-repository"]'))
    refused = p.apply(check=False)
    assert refused.returncode == 2
    assert b"bad.tf:" in refused.stderr
    assert p.mutating_requests() == []
    assert b"example-team" not in p.berth("repository", "list").stdout

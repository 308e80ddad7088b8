"""The CI recipes of docs/recipes/ run as written: their shell steps are taken from the YAML files
and executed with bash against a running berth, with the values `berth apply` published (read back
from the fake GitHub and the fake Kubernetes API server), the real AWS CLI and docker with dockerd.
What only a CI platform can do (the GitHub actions themselves, CircleCI's token issuance) is
replaced by the same calls: the test OIDC issuer mints the token, the AWS CLI logs in."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import yaml

from conftest import REPO_ROOT, run
from keyless import issuer  # noqa: F401 (fixture)
from provisioning import OWNER, SEED_GITHUB, provisioning  # noqa: F401 (fixture)

pytestmark = [pytest.mark.clients, pytest.mark.slow]

RECIPES = REPO_ROOT / "docs" / "recipes"
REPOSITORY = "example-team/example-repository"


def step_script(recipe: Path, name: str) -> str:
    """The shell of the step called `name` (GitHub `run:`, CircleCI `run.command`)."""
    document = yaml.safe_load(recipe.read_text())
    for job in document["jobs"].values():
        for step in job["steps"]:
            if isinstance(step, dict) and step.get("name") == name:
                return step["run"]
            if isinstance(step, dict) and isinstance(step.get("run"), dict) and step["run"].get("name") == name:
                return step["run"]["command"]
    raise AssertionError(f"{recipe.name} has no step {name!r}")


def docker_context(tmp_path: Path) -> Path:
    context = tmp_path / "checkout"
    context.mkdir()
    (context / "app.bin").write_bytes(os.urandom(50_000))
    (context / "Dockerfile").write_text("FROM scratch\nCOPY app.bin /app.bin\n")
    return context


def run_script(script: str, env: dict, cwd: Path):
    return run(["bash", "-euo", "pipefail", "-c", script], env=env, cwd=cwd, timeout=300)


@pytest.fixture
def applied(provisioning, berth_factory):
    (provisioning.declarations / "ecr.tf").write_text(SEED_GITHUB)
    provisioning.apply()
    provisioning.keyless.start(berth_factory, listen=None)
    return provisioning


def test_github_actions_recipe(applied, dockerd, tmp_path):
    p = applied
    recipe = yaml.safe_load((RECIPES / "github-actions.yml").read_text())
    assert recipe["permissions"]["id-token"] == "write"
    # The names the workflow reads are the ones apply published.
    role_arn = p.github.open_secret(OWNER, "example-repository", "ECR_ROLE_TO_ASSUME")
    variables = p.github.variables(OWNER, "example-repository")
    registry = p.github.open_secret(OWNER, "example-repository", "ECR_REGISTRY_URL")
    assert {"ECR_REGION", "ECR_REPOSITORY"} <= set(variables)

    # configure-aws-credentials + amazon-ecr-login: AssumeRoleWithWebIdentity, GetAuthorizationToken,
    # docker login to the proxy endpoint.
    credentials = p.keyless.assume_role(role_arn.rsplit("/", 1)[1], p.issuer.github_token())
    password = p.keyless.login_password(credentials)
    dockerd.docker("login", "--username", "AWS", "--password-stdin", p.public_url,
                   input_bytes=password.encode() + b"\n")

    sha = os.urandom(20).hex()
    env = dict(dockerd.env, PATH="/usr/bin:/bin", REGISTRY=registry, REPOSITORY=variables["ECR_REPOSITORY"],
               IMAGE_TAG=sha)
    try:
        run_script(step_script(RECIPES / "github-actions.yml", "Build and push"), env, docker_context(tmp_path))
        tags = p.keyless.ecr_client(credentials).list_images(repositoryName=REPOSITORY)["imageIds"]
        assert sha in {image.get("imageTag") for image in tags}
    finally:
        dockerd.docker("rmi", "--force", f"{registry}/{REPOSITORY}:{sha}", check=False)
        dockerd.docker("logout", p.public_url, check=False)


def test_circleci_recipe(applied, dockerd, tmp_path):
    p = applied
    data = p.kubernetes.config_map("example-namespace", "example-repository-circleci")["data"]
    sha = os.urandom(20).hex()
    env = {**p.keyless.aws_env, **dockerd.env}
    env.update(PATH="/usr/bin:/bin", BERTH_URL=p.public_url,
               ECR_REGION=data["ecr_region"], ECR_ROLE_TO_ASSUME=data["ecr_role_to_assume"],
               ECR_REPOSITORY=data["ecr_repository"], CIRCLE_SHA1=sha, CIRCLE_BUILD_NUM="42",
               CIRCLE_OIDC_TOKEN_V2=p.issuer.circleci_token(
                   vcs_origin=f"github.com/{OWNER}/example-repository"))
    registry = p.public_url.split("://", 1)[1]
    try:
        run_script(step_script(RECIPES / "circleci.yml", "Push to berth"), env, docker_context(tmp_path))
    finally:
        dockerd.docker("rmi", "--force", f"{registry}/{REPOSITORY}:{sha}", check=False)
        dockerd.docker("logout", registry, check=False)
    events = json.loads(p.keyless.berth("audit", "--json", "--repository", REPOSITORY).stdout)
    pushes = [e for e in events if e["action"] == "registry:PutManifest" and e["reference"] == sha]
    assert pushes and pushes[0]["role_arn"] == data["ecr_role_to_assume"]
    assert pushes[0]["claims"]["oidc.circleci.com/vcs-origin"] == f"github.com/{OWNER}/example-repository"

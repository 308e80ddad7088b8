"""Keyless CI push end to end (issue 3), with the real AWS CLI, boto3, skopeo and docker: an OIDC
token from a (test) CI issuer -> STS AssumeRoleWithWebIdentity -> SigV4-signed ECR
GetAuthorizationToken -> Basic AWS:<password> on the registry -> push and pull of exactly what the
role grants. Every refusal is its own test in test_keyless_refusals.py."""

from __future__ import annotations

import json
import os
import re

import pytest

from conftest import OciLayout, RegistryClient, curl
from keyless import (ACCOUNT, MISSING_REPOSITORY, OTHER_REPOSITORY, REGION, REPOSITORY, KeylessSetup, basic,
                     role_arn)
from keyless import issuer, keyless  # noqa: F401 (fixtures)


def audit_events(setup: KeylessSetup, *args) -> list[dict]:
    return json.loads(setup.berth("audit", "--json", *args).stdout)


def test_registry_requires_credentials(keyless):
    response = curl(keyless.url, "GET", "/v2/")
    assert response.status == 401
    assert response.headers["WWW-Authenticate"].startswith('Basic realm="')
    assert response.error_codes() == ["UNAUTHORIZED"]


def test_aws_cli_assume_role_login_and_skopeo_push_pull(keyless, issuer, skopeo, tmp_path):
    token = issuer.github_token(repository="ministryofjustice/example-repository", ref="refs/heads/main")
    credentials = keyless.assume_role("example-github", token)
    assert re.fullmatch(r"ASIA[A-Z2-7]{16}", credentials.access_key_id)

    identity = json.loads(keyless.aws("sts", "get-caller-identity", credentials=credentials).stdout)
    assert identity["Account"] == ACCOUNT
    assert identity["Arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/example-github/GitHubActions"
    assert identity["UserId"].endswith(":GitHubActions")

    password = keyless.login_password(credentials)
    assert ":" not in password

    layout = OciLayout(tmp_path / "layout")
    layout.tag(layout.make_image([4096, 70_000]), "v1")
    sha = os.urandom(20).hex()
    destination = f"docker://{keyless.server.host}/{REPOSITORY}:{sha}"
    skopeo("copy", "--dest-tls-verify=false", "--dest-creds", f"AWS:{password}", f"oci:{layout.path}:v1",
           destination)
    skopeo("copy", "--src-tls-verify=false", "--src-creds", f"AWS:{password}", destination,
           f"oci:{tmp_path / 'pulled'}:v1")

    # What CI scripts ask right after a push.
    images = json.loads(keyless.aws("ecr", "describe-images", "--repository-name", REPOSITORY,
                                    credentials=credentials).stdout)["imageDetails"]
    assert [image["imageTags"] for image in images] == [[sha]]
    assert images[0]["registryId"] == ACCOUNT and images[0]["imageSizeInBytes"] > 74_000
    listed = json.loads(keyless.aws("ecr", "list-images", "--repository-name", REPOSITORY,
                                    credentials=credentials).stdout)["imageIds"]
    assert listed == [{"imageDigest": images[0]["imageDigest"], "imageTag": sha}]
    repositories = json.loads(keyless.aws("ecr", "describe-repositories", credentials=credentials).stdout)
    assert [r["repositoryName"] for r in repositories["repositories"]] == [REPOSITORY]
    assert repositories["repositories"][0]["repositoryArn"] == f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/{REPOSITORY}"

    # Who pushed, from the token's claims.
    pushes = [e for e in audit_events(keyless, "--repository", REPOSITORY) if e["action"] == "registry:PutManifest"]
    assert pushes and pushes[-1]["reference"] == sha
    assert pushes[-1]["role_arn"] == role_arn("example-github")
    claims = pushes[-1]["claims"]
    assert claims["repository"] == "ministryofjustice/example-repository" and claims["ref"] == "refs/heads/main"
    credential_events = [e["action"] for e in audit_events(keyless)]
    assert "sts:AssumeRoleWithWebIdentity" in credential_events and "ecr:GetAuthorizationToken" in credential_events
    # No secret reaches the log or the audit trail.
    everything = keyless.server.log + json.dumps(audit_events(keyless))
    for secret in (credentials.secret_access_key, credentials.session_token, password, token):
        assert secret not in everything


def test_boto3_chain_push_and_batch_get_image(keyless):
    credentials = keyless.github_credentials()
    password = keyless.registry_password(credentials)
    client = RegistryClient(keyless.url)
    client.session.headers["Authorization"] = basic(password)
    image = client.push_image(REPOSITORY, "boto3", layer_sizes=(2048,))

    ecr = keyless.ecr_client(credentials)
    got = ecr.batch_get_image(repositoryName=REPOSITORY, imageIds=[{"imageTag": "boto3"}, {"imageTag": "absent"}])
    assert [i["imageManifest"].encode() for i in got["images"]] == [image.manifest]
    assert [f["failureCode"] for f in got["failures"]] == ["ImageNotFound"]
    described = ecr.describe_images(repositoryName=REPOSITORY, imageIds=[{"imageDigest": image.digest}])
    assert described["imageDetails"][0]["imageTags"] == ["boto3"]
    caller = keyless.sts_client(credentials).get_caller_identity()
    assert caller["Arn"].endswith(":assumed-role/example-github/GitHubActions")


def test_role_grants_only_its_repositories(keyless):
    credentials = keyless.github_credentials()
    password = keyless.registry_password(credentials)
    headers = {"Authorization": basic(password)}

    # Another team's repository: refused before anything is read or written.
    denied = curl(keyless.url, "POST", f"/v2/{OTHER_REPOSITORY}/blobs/uploads/", headers=headers)
    assert denied.status == 403 and denied.error_codes() == ["DENIED"]
    assert curl(keyless.url, "GET", f"/v2/{OTHER_REPOSITORY}/tags/list", headers=headers).status == 403

    # Granted but never created: NAME_UNKNOWN, as ECR answers.
    unknown = curl(keyless.url, "POST", f"/v2/{MISSING_REPOSITORY}/blobs/uploads/", headers=headers)
    assert unknown.status == 404 and unknown.error_codes() == ["NAME_UNKNOWN"]

    catalog = curl(keyless.url, "GET", "/v2/_catalog", headers=headers)
    assert catalog.status == 200 and catalog.json()["repositories"] == [REPOSITORY]


def test_circleci_token_pushes_to_its_project_repository(keyless, issuer):
    token = issuer.circleci_token(vcs_origin="github.com/ministryofjustice/example-repository")
    credentials = keyless.assume_role("example-circleci", token, session="circleci")
    password = keyless.login_password(credentials)
    client = RegistryClient(keyless.url)
    client.session.headers["Authorization"] = basic(password)
    client.push_image(REPOSITORY, "circleci")
    pushes = [e for e in audit_events(keyless, "--repository", REPOSITORY) if e["action"] == "registry:PutManifest"]
    assert pushes[-1]["claims"]["oidc.circleci.com/vcs-origin"] == "github.com/ministryofjustice/example-repository"


@pytest.mark.clients
@pytest.mark.slow
def test_seed_commands_with_docker_login_build_push_pull(keyless, issuer, dockerd, tmp_path):
    """The seed's CI steps: get-login-password | docker login, docker build, push :$SHA, pull."""
    credentials = keyless.assume_role("example-github", issuer.github_token())
    host = keyless.server.host
    login = f"{keyless.login_password(credentials)}\n".encode()
    dockerd.docker("login", "--username", "AWS", "--password-stdin", host, input_bytes=login)
    context = tmp_path / "context"
    context.mkdir()
    (context / "app.bin").write_bytes(os.urandom(100_000))
    (context / "Dockerfile").write_text("FROM scratch\nCOPY app.bin /app.bin\n")
    sha = os.urandom(20).hex()
    image = f"{host}/{REPOSITORY}:{sha}"
    try:
        dockerd.docker("build", "-q", "-t", image, context, timeout=180)
        dockerd.docker("push", image)
        dockerd.docker("rmi", image)
        dockerd.docker("pull", image)
        other = f"{host}/{OTHER_REPOSITORY}:{sha}"
        dockerd.docker("tag", image, other)
        refused = dockerd.docker("push", other, check=False)
        assert refused.returncode != 0 and b"denied" in refused.stderr
    finally:
        dockerd.docker("rmi", "--force", image, f"{host}/{OTHER_REPOSITORY}:{sha}", check=False)
        dockerd.docker("logout", host, check=False)

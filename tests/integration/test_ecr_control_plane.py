"""The ECR control plane through the real AWS CLI v2 and boto3, on the same store as the registry API:
repositories created, described and deleted, tag immutability enforced on pushes by docker, skopeo and
a plain OCI client, lastRecordedPullTime, images deleted with batch-delete-image, and a role without
the grant refused."""

from __future__ import annotations

import json
import os
import subprocess
from datetime import datetime, timezone

import pytest
from botocore.exceptions import ClientError

from conftest import OCI_MANIFEST, OciLayout, RegistryClient
from keyless import ACCOUNT, REGION, basic, github_trust
from keyless import issuer, keyless  # noqa: F401 (fixtures)

ADMIN_POLICY = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "*"},
    {"Effect": "Allow", "Action": "ecr:*", "Resource": f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/platform/*"}]}


@pytest.fixture
def admin(keyless):
    keyless.put_role("platform-admin", github_trust(keyless.issuer, ["ministryofjustice/example-repository"]),
                     ADMIN_POLICY)
    return keyless.github_credentials(role="platform-admin")


def registry_client(keyless, credentials) -> RegistryClient:
    client = RegistryClient(keyless.url)
    client.session.headers["Authorization"] = basic(keyless.login_password(credentials))
    return client


def aws_error(keyless, credentials, *args) -> str:
    refused = keyless.aws(*args, credentials=credentials, check=False)
    assert refused.returncode != 0, refused.stdout
    return refused.stderr.decode()


def test_repositories_through_the_aws_cli(keyless, admin):
    created = json.loads(keyless.aws("ecr", "create-repository", "--repository-name", "platform/api",
                                     "--image-tag-mutability", "IMMUTABLE", credentials=admin).stdout)["repository"]
    assert created["repositoryName"] == "platform/api"
    assert created["repositoryArn"] == f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/platform/api"
    assert created["imageTagMutability"] == "IMMUTABLE"
    assert "RepositoryAlreadyExistsException" in aws_error(keyless, admin, "ecr", "create-repository",
                                                           "--repository-name", "platform/api")
    assert "InvalidParameterException" in aws_error(keyless, admin, "ecr", "create-repository",
                                                    "--repository-name", "platform/Bad_Name")
    described = json.loads(keyless.aws("ecr", "describe-repositories", "--repository-names", "platform/api",
                                       credentials=admin).stdout)["repositories"]
    assert [(r["repositoryName"], r["imageTagMutability"]) for r in described] == [("platform/api", "IMMUTABLE")]
    assert described[0]["createdAt"].startswith("20")  # the CLI prints the epoch seconds as ISO 8601

    changed = json.loads(keyless.aws("ecr", "put-image-tag-mutability", "--repository-name", "platform/api",
                                     "--image-tag-mutability", "MUTABLE", credentials=admin).stdout)
    assert changed["imageTagMutability"] == "MUTABLE"

    registry_client(keyless, admin).push_image("platform/api", "v1")
    assert "RepositoryNotEmptyException" in aws_error(keyless, admin, "ecr", "delete-repository",
                                                      "--repository-name", "platform/api")
    keyless.aws("ecr", "delete-repository", "--repository-name", "platform/api", "--force", credentials=admin)
    assert "RepositoryNotFoundException" in aws_error(keyless, admin, "ecr", "delete-repository",
                                                      "--repository-name", "platform/api")


def test_immutable_tags_refuse_an_oci_push_that_moves_them(keyless, admin):
    keyless.aws("ecr", "create-repository", "--repository-name", "platform/immutable", "--image-tag-mutability",
                "IMMUTABLE", credentials=admin)
    client = registry_client(keyless, admin)
    first = client.push_image("platform/immutable", "v1")
    assert client.push_manifest("platform/immutable", "v1", first.manifest, OCI_MANIFEST) == first.digest  # same digest
    second = client.push_image("platform/immutable", "other")
    moved = client.session.put(f"{keyless.url}/v2/platform/immutable/manifests/v1", data=second.manifest,
                               headers={"Content-Type": OCI_MANIFEST})
    assert moved.status_code == 400, moved.text
    error = moved.json()["errors"][0]
    assert error["code"] == "TAG_INVALID"
    assert "cannot be overwritten because the repository is immutable" in error["message"]
    assert client.session.get(f"{keyless.url}/v2/platform/immutable/manifests/v1",
                              headers={"Accept": OCI_MANIFEST}).headers["Docker-Content-Digest"] == first.digest


def test_docker_and_skopeo_cannot_move_an_immutable_tag(keyless, admin, dockerd, skopeo, tmp_path):
    keyless.aws("ecr", "create-repository", "--repository-name", "platform/frozen", "--image-tag-mutability",
                "IMMUTABLE", credentials=admin)
    host = keyless.server.host
    password = keyless.login_password(admin)
    dockerd.docker("login", "--username", "AWS", "--password-stdin", host, input_bytes=f"{password}\n".encode())
    images = []
    try:
        for name in ("first", "second"):
            context = tmp_path / name
            context.mkdir()
            (context / "app.bin").write_bytes(os.urandom(50_000))
            (context / "Dockerfile").write_text("FROM scratch\nCOPY app.bin /app.bin\n")
            image = f"{host}/platform/frozen:{name}-build"
            dockerd.docker("build", "-q", "-t", image, context, timeout=180)
            images.append(image)
        release = f"{host}/platform/frozen:v1"
        dockerd.docker("tag", images[0], release)
        dockerd.docker("push", release)
        dockerd.docker("tag", images[1], release)
        refused = dockerd.docker("push", release, check=False)
        assert refused.returncode != 0
        assert b"cannot be overwritten because the repository is immutable" in refused.stderr, refused.stderr
    finally:
        dockerd.docker("rmi", "--force", *images, f"{host}/platform/frozen:v1", check=False)
        dockerd.docker("logout", host, check=False)

    layouts = []
    for name in ("one", "two"):
        layout = OciLayout(tmp_path / f"layout-{name}")
        layout.tag(layout.make_image([20_000]), "v2")
        layouts.append(layout)

    def copy(layout) -> subprocess.CompletedProcess:
        return skopeo("copy", "--dest-tls-verify=false", "--dest-creds", f"AWS:{password}",
                      f"oci:{layout.path}:v2", f"docker://{host}/platform/frozen:v2", check=False)

    assert copy(layouts[0]).returncode == 0
    moved = copy(layouts[1])
    assert moved.returncode != 0
    assert b"cannot be overwritten because the repository is immutable" in moved.stderr, moved.stderr
    assert copy(layouts[0]).returncode == 0  # the same image again is not a move


def test_batch_delete_image_through_boto3_removes_it_from_the_registry(keyless, admin):
    ecr = keyless.ecr_client(admin)
    ecr.create_repository(repositoryName="platform/web")
    client = registry_client(keyless, admin)
    kept = client.push_image("platform/web", "kept")
    gone = client.push_image("platform/web", "gone")
    answer = ecr.batch_delete_image(repositoryName="platform/web",
                                    imageIds=[{"imageTag": "gone"}, {"imageTag": "missing"}])
    assert answer["imageIds"] == [{"imageDigest": gone.digest, "imageTag": "gone"}]
    assert [f["failureCode"] for f in answer["failures"]] == ["ImageNotFound"]
    assert client.session.get(f"{keyless.url}/v2/platform/web/manifests/{gone.digest}").status_code == 404
    assert client.session.get(f"{keyless.url}/v2/platform/web/manifests/kept",
                              headers={"Accept": OCI_MANIFEST}).status_code == 200
    answer = ecr.batch_delete_image(repositoryName="platform/web", imageIds=[{"imageDigest": kept.digest}])
    assert answer["imageIds"][0]["imageDigest"] == kept.digest
    assert client.session.get(f"{keyless.url}/v2/platform/web/tags/list").json().get("tags") in (None, [])


def test_describe_images_reports_the_last_recorded_pull(keyless, admin):
    ecr = keyless.ecr_client(admin)
    ecr.create_repository(repositoryName="platform/pulled")
    client = registry_client(keyless, admin)
    client.push_image("platform/pulled", "registry")
    by_api = client.push_image("platform/pulled", "api")

    def last_pulls() -> dict:
        details = ecr.describe_images(repositoryName="platform/pulled")["imageDetails"]
        return {detail["imageTags"][0]: detail.get("lastRecordedPullTime") for detail in details}

    assert last_pulls() == {"registry": None, "api": None}
    # A HEAD is not a pull; a GET is, and so is BatchGetImage.
    manifest_url = f"{keyless.url}/v2/platform/pulled/manifests/registry"
    assert client.session.head(manifest_url, headers={"Accept": OCI_MANIFEST}).status_code == 200
    assert last_pulls() == {"registry": None, "api": None}
    before = datetime.now(timezone.utc).replace(microsecond=0)
    assert client.session.get(manifest_url, headers={"Accept": OCI_MANIFEST}).status_code == 200
    pulled = last_pulls()
    assert pulled["api"] is None and before <= pulled["registry"] <= datetime.now(timezone.utc)
    got = ecr.batch_get_image(repositoryName="platform/pulled", imageIds=[{"imageDigest": by_api.digest}])
    assert len(got["images"]) == 1
    pulled = last_pulls()
    assert before <= pulled["api"] <= datetime.now(timezone.utc)


def test_a_role_without_the_grant_is_refused(keyless):
    pusher = keyless.github_credentials()
    with pytest.raises(ClientError) as refused:
        keyless.ecr_client(pusher).create_repository(repositoryName="platform/sneaky")
    assert refused.value.response["Error"]["Code"] == "AccessDeniedException"
    assert "AccessDeniedException" in aws_error(keyless, pusher, "ecr", "delete-repository", "--repository-name",
                                                "ministryofjustice/example-repository", "--force")

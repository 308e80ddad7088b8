"""Pushing through the ECR API with the real AWS CLI v2 and boto3: layers uploaded in parts with
initiate-layer-upload / upload-layer-part / complete-layer-upload, checked with
batch-check-layer-availability, an image put with put-image and pulled with skopeo; download URLs
fetched with curl and no credentials; every refusal ECR documents for these operations."""

from __future__ import annotations

import json
import os
from urllib.parse import urlsplit

import pytest
from botocore.exceptions import ClientError

from conftest import OciLayout, RegistryClient, curl, sha256_digest
from keyless import ACCOUNT, REGION, basic, github_trust
from keyless import issuer, keyless  # noqa: F401 (fixtures)

ADMIN_POLICY = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "*"},
    {"Effect": "Allow", "Action": "ecr:*", "Resource": f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/platform/*"}]}
PULL_POLICY = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
     "Resource": f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/platform/*"}]}


@pytest.fixture
def admin(keyless):
    keyless.put_role("platform-admin", github_trust(keyless.issuer, ["ministryofjustice/example-repository"]),
                     ADMIN_POLICY)
    return keyless.github_credentials(role="platform-admin")


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def error_code(call, **kwargs) -> str:
    with pytest.raises(ClientError) as refused:
        call(**kwargs)
    return refused.value.response["Error"]["Code"]


def cli_upload(keyless, credentials, repository: str, data: bytes, tmp_path, part_size: int) -> str:
    """Uploads `data` with the AWS CLI in parts of `part_size` bytes; its digest."""
    started = json.loads(keyless.aws("ecr", "initiate-layer-upload", "--repository-name", repository,
                                     credentials=credentials).stdout)
    upload_id = started["uploadId"]
    for first in range(0, len(data), part_size):
        part = tmp_path / f"part-{first}"
        part.write_bytes(data[first:first + part_size])
        last = min(first + part_size, len(data)) - 1
        answer = json.loads(keyless.aws("ecr", "upload-layer-part", "--repository-name", repository, "--upload-id",
                                        upload_id, "--part-first-byte", first, "--part-last-byte", last,
                                        "--layer-part-blob", f"fileb://{part}", credentials=credentials).stdout)
        assert answer["lastByteReceived"] == last
    digest = sha256_digest(data)
    completed = json.loads(keyless.aws("ecr", "complete-layer-upload", "--repository-name", repository,
                                       "--upload-id", upload_id, "--layer-digests", digest,
                                       credentials=credentials).stdout)
    assert completed["layerDigest"] == digest
    return digest


def test_an_image_put_with_the_aws_cli_pulls_with_skopeo(keyless, admin, skopeo, tmp_path):
    repository = "platform/cli"
    keyless.aws("ecr", "create-repository", "--repository-name", repository, credentials=admin)
    layout = OciLayout(tmp_path / "layout")
    descriptor = layout.make_image([300_000])
    manifest = layout.blob(descriptor["digest"])
    described = json.loads(manifest)
    for blob in [described["config"], *described["layers"]]:
        assert cli_upload(keyless, admin, repository, layout.blob(blob["digest"]), tmp_path,
                          part_size=100_000) == blob["digest"]

    availability = json.loads(keyless.aws("ecr", "batch-check-layer-availability", "--repository-name", repository,
                                          "--layer-digests", described["layers"][0]["digest"],
                                          sha256_digest(b"absent"), credentials=admin).stdout)
    assert [(layer["layerDigest"], layer["layerAvailability"]) for layer in availability["layers"]] == [
        (described["layers"][0]["digest"], "AVAILABLE")]
    assert [failure["failureCode"] for failure in availability["failures"]] == ["MissingLayerDigest"]

    (tmp_path / "manifest.json").write_bytes(manifest)
    image = json.loads(keyless.aws("ecr", "put-image", "--repository-name", repository, "--image-tag", "v1",
                                   "--image-manifest", f"file://{tmp_path / 'manifest.json'}",
                                   credentials=admin).stdout)["image"]
    assert image["imageId"] == {"imageDigest": descriptor["digest"], "imageTag": "v1"}

    password = keyless.login_password(admin)
    skopeo("copy", "--src-tls-verify=false", "--src-creds", f"AWS:{password}",
           f"docker://{keyless.server.host}/{repository}:v1", f"oci:{tmp_path / 'pulled'}:v1")
    pulled = OciLayout(tmp_path / "pulled")
    assert pulled.blob(descriptor["digest"]) == manifest
    assert pulled.blob(described["layers"][0]["digest"]) == layout.blob(described["layers"][0]["digest"])

    refused = keyless.aws("ecr", "put-image", "--repository-name", repository, "--image-tag", "v1",
                          "--image-manifest", f"file://{tmp_path / 'manifest.json'}", credentials=admin, check=False)
    assert refused.returncode != 0 and b"ImageAlreadyExistsException" in refused.stderr


def test_boto3_pushes_layers_and_images_and_gets_download_urls(keyless, admin):
    ecr = keyless.ecr_client(admin)
    repository = "platform/boto"
    ecr.create_repository(repositoryName=repository, imageTagMutability="IMMUTABLE")
    config = json.dumps({"architecture": "amd64", "os": "linux"}).encode()
    layer = os.urandom(50_000)
    digests = []
    for data in (config, layer):
        upload_id = ecr.initiate_layer_upload(repositoryName=repository)["uploadId"]
        ecr.upload_layer_part(repositoryName=repository, uploadId=upload_id, partFirstByte=0,
                              partLastByte=len(data) - 1, layerPartBlob=data)
        digests.append(ecr.complete_layer_upload(repositoryName=repository, uploadId=upload_id,
                                                 layerDigests=[sha256_digest(data)])["layerDigest"])
    manifest = json.dumps({
        "schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": digests[0], "size": len(config)},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": digests[1], "size": len(layer)}],
    })
    put = ecr.put_image(repositoryName=repository, imageManifest=manifest, imageTag="release")
    assert put["image"]["imageId"]["imageDigest"] == sha256_digest(manifest.encode())

    # A download URL needs no other credential, opens that layer alone, and only while it lasts.
    url = ecr.get_download_url_for_layer(repositoryName=repository, layerDigest=digests[1])["downloadUrl"]
    path = path_of(url)
    fetched = curl(keyless.url, "GET", path)
    assert fetched.status == 200 and fetched.body == layer
    assert curl(keyless.url, "GET", path.replace(digests[1], digests[0])).status == 401
    assert curl(keyless.url, "GET", path[:-4] + "AAAA").status == 401
    assert curl(keyless.url, "GET", path.replace(repository, "platform/other")).status == 401

    # What ECR refuses, as boto3 reports it.
    assert error_code(ecr.put_image, repositoryName=repository, imageManifest=manifest,
                      imageTag="release") == "ImageAlreadyExistsException"
    other = json.dumps({**json.loads(manifest), "annotations": {"x": "y"}})
    assert error_code(ecr.put_image, repositoryName=repository, imageManifest=other,
                      imageTag="release") == "ImageTagAlreadyExistsException"
    assert error_code(ecr.put_image, repositoryName=repository, imageManifest=other,
                      imageDigest=sha256_digest(b"x")) == "ImageDigestDoesNotMatchException"
    missing = manifest.replace(digests[1], sha256_digest(b"absent"))
    assert error_code(ecr.put_image, repositoryName=repository, imageManifest=missing) == "LayersNotFoundException"
    upload_id = ecr.initiate_layer_upload(repositoryName=repository)["uploadId"]
    assert error_code(ecr.upload_layer_part, repositoryName=repository, uploadId=upload_id, partFirstByte=5,
                      partLastByte=9, layerPartBlob=b"abcde") == "InvalidLayerPartException"
    assert error_code(ecr.complete_layer_upload, repositoryName=repository, uploadId=upload_id,
                      layerDigests=[sha256_digest(b"")]) == "EmptyUploadException"
    assert error_code(ecr.complete_layer_upload, repositoryName=repository, uploadId="0" * 36,
                      layerDigests=[digests[1]]) == "UploadNotFoundException"
    assert error_code(ecr.get_download_url_for_layer, repositoryName=repository,
                      layerDigest=sha256_digest(b"absent")) == "LayersNotFoundException"
    assert error_code(ecr.initiate_layer_upload, repositoryName="platform/missing") == "RepositoryNotFoundException"


def test_a_layer_pushed_with_the_registry_api_is_seen_by_the_ecr_api(keyless, admin):
    ecr = keyless.ecr_client(admin)
    ecr.create_repository(repositoryName="platform/mixed")
    client = RegistryClient(keyless.url)
    client.session.headers["Authorization"] = basic(keyless.login_password(admin))
    pushed = client.push_image("platform/mixed", "v1", layer_sizes=(2048,))
    layers = ecr.batch_check_layer_availability(repositoryName="platform/mixed",
                                                layerDigests=pushed.layer_digests)["layers"]
    assert [(layer["layerAvailability"], layer["layerSize"]) for layer in layers] == [("AVAILABLE", 2048)]
    url = ecr.get_download_url_for_layer(repositoryName="platform/mixed",
                                         layerDigest=pushed.layer_digests[0])["downloadUrl"]
    assert curl(keyless.url, "GET", path_of(url)).body == pushed.layers[0]


def test_a_role_without_the_push_grant_is_refused(keyless, admin):
    keyless.aws("ecr", "create-repository", "--repository-name", "platform/guarded", credentials=admin)
    keyless.put_role("platform-puller", github_trust(keyless.issuer, ["ministryofjustice/example-repository"]),
                     PULL_POLICY)
    puller = keyless.ecr_client(keyless.github_credentials(role="platform-puller"))
    assert error_code(puller.initiate_layer_upload, repositoryName="platform/guarded") == "AccessDeniedException"
    assert error_code(puller.put_image, repositoryName="platform/guarded",
                      imageManifest="{}") == "AccessDeniedException"
    assert error_code(puller.batch_check_layer_availability, repositoryName="platform/guarded",
                      layerDigests=[sha256_digest(b"x")]) == "AccessDeniedException"


def test_a_repository_at_its_image_quota_refuses_new_images(keyless, admin, berth_factory, skopeo, tmp_path):
    keyless.server.stop()
    keyless.config.write_text(keyless.config.read_text() + "limits { max_images_per_repository = 2 }\n")
    keyless.start(berth_factory)
    repository = "platform/quota"
    ecr = keyless.ecr_client(admin)
    ecr.create_repository(repositoryName=repository)
    client = RegistryClient(keyless.url)
    client.session.headers["Authorization"] = basic(keyless.login_password(admin))
    first = client.push_image(repository, "v1")
    second = client.push_image(repository, "v2")

    layout = OciLayout(tmp_path / "layout")
    layout.tag(layout.make_image([10_000]), "v3")
    refused = skopeo("copy", "--dest-tls-verify=false", "--dest-creds", f"AWS:{keyless.login_password(admin)}",
                     f"oci:{layout.path}:v3", f"docker://{keyless.server.host}/{repository}:v3", check=False)
    assert refused.returncode != 0
    assert b"already holds 2 images" in refused.stderr, refused.stderr
    # A new manifest over blobs the repository holds: only the quota refuses it.
    annotated = json.dumps({**json.loads(first.manifest), "annotations": {"variant": "new"}})
    assert error_code(ecr.put_image, repositoryName=repository, imageTag="v3", imageManifest=annotated) == \
        "LimitExceededException"
    cli = keyless.aws("ecr", "put-image", "--repository-name", repository, "--image-tag", "v3",
                      "--image-manifest", annotated, credentials=admin, check=False)
    assert cli.returncode != 0 and b"LimitExceededException" in cli.stderr, cli.stderr

    # A stored image takes more tags; deleting one makes room.
    ecr.put_image(repositoryName=repository, imageTag="latest", imageManifest=first.manifest.decode())
    ecr.batch_delete_image(repositoryName=repository, imageIds=[{"imageDigest": second.digest}])
    skopeo("copy", "--dest-tls-verify=false", "--dest-creds", f"AWS:{keyless.login_password(admin)}",
           f"oci:{layout.path}:v3", f"docker://{keyless.server.host}/{repository}:v3")
    tags = sorted(tag for image in ecr.describe_images(repositoryName=repository)["imageDetails"]
                  for tag in image.get("imageTags", []))
    assert tags == ["latest", "v1", "v3"]

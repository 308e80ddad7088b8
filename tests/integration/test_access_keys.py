"""Long-lived access keys for operators (`berth access-key create|list|delete`): the unchanged AWS
CLI and boto3 sign with an AKIA key and no session token, act as the key's role (its grants and
nothing more), log in to the registry; the key's last use is recorded, and deleting it revokes it
for the next request."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from conftest import RegistryClient
from keyless import ACCOUNT, REGION, Credentials, basic, github_trust
from keyless import issuer, keyless  # noqa: F401 (fixtures)

ADMIN_POLICY = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "*"},
    {"Effect": "Allow", "Action": "ecr:*", "Resource": f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/platform/*"}]}


@pytest.fixture
def operator(keyless) -> Credentials:
    keyless.put_role("platform-operator", github_trust(keyless.issuer, ["ministryofjustice/example-repository"]),
                     ADMIN_POLICY)
    return keyless.access_key("platform-operator")


def test_an_access_key_drives_the_aws_cli_boto3_and_the_registry(keyless, operator):
    created = json.loads(keyless.aws("ecr", "create-repository", "--repository-name", "platform/tools",
                                     credentials=operator).stdout)["repository"]
    assert created["repositoryName"] == "platform/tools"
    identity = json.loads(keyless.aws("sts", "get-caller-identity", credentials=operator).stdout)
    assert identity["Arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/platform-operator/{operator.access_key_id}"

    password = keyless.login_password(operator)
    client = RegistryClient(keyless.url)
    client.session.headers["Authorization"] = basic(password)
    pushed = client.push_image("platform/tools", "v1")
    images = keyless.ecr_client(operator).describe_images(repositoryName="platform/tools")["imageDetails"]
    assert [image["imageDigest"] for image in images] == [pushed.digest]

    listed = keyless.berth("access-key", "list").stdout.decode()
    line = next(line for line in listed.splitlines() if line.startswith(operator.access_key_id))
    assert "role=platform-operator" in line and "last-used=never" not in line
    # The secret is shown once and never again.
    assert operator.secret_access_key not in listed


def test_an_access_key_has_its_roles_grants_and_no_more(keyless, operator):
    refused = keyless.aws("ecr", "create-repository", "--repository-name", "team/elsewhere", credentials=operator,
                          check=False)
    assert refused.returncode != 0 and b"AccessDeniedException" in refused.stderr
    wrong_secret = Credentials(operator.access_key_id, "x" * 40, "", operator.expiration)
    refused = keyless.aws("ecr", "describe-repositories", credentials=wrong_secret, check=False)
    assert refused.returncode != 0 and b"InvalidSignatureException" in refused.stderr


def test_deleting_an_access_key_revokes_it_at_once(keyless, operator):
    ecr = keyless.ecr_client(operator)
    ecr.create_repository(repositoryName="platform/revoked")
    keyless.berth("access-key", "delete", operator.access_key_id)
    with pytest.raises(ClientError) as refused:
        ecr.describe_repositories(repositoryNames=["platform/revoked"])
    assert refused.value.response["Error"]["Code"] == "UnrecognizedClientException"
    assert keyless.berth("access-key", "delete", operator.access_key_id, check=False).returncode == 1
    assert operator.access_key_id not in keyless.berth("access-key", "list").stdout.decode()


def test_a_deleted_role_takes_its_keys(keyless, operator):
    keyless.berth("role", "delete", "platform-operator")
    assert keyless.berth("access-key", "list", "--role", "platform-operator").stdout.decode() == ""
    refused = keyless.aws("ecr", "describe-repositories", credentials=operator, check=False)
    assert refused.returncode != 0 and b"UnrecognizedClientException" in refused.stderr


def test_refuses_keys_it_cannot_bind(keyless):
    missing = keyless.berth("access-key", "create", "no-such-role", check=False)
    assert missing.returncode == 1 and b"no role named no-such-role" in missing.stderr
    invalid = keyless.berth("access-key", "create", "bad role", check=False)
    assert invalid.returncode == 2
    keyless.put_role("short-lived", github_trust(keyless.issuer, ["ministryofjustice/example-repository"]),
                     ADMIN_POLICY)
    assert keyless.berth("access-key", "create", "short-lived", "--expires-in-days", "0",
                         check=False).returncode == 2

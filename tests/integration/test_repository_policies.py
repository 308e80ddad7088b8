"""Repository policies (ECR SetRepositoryPolicy / GetRepositoryPolicy / DeleteRepositoryPolicy),
enforced: a statement grants another role pull, or denies a role push, and skopeo through the
registry and boto3 and the AWS CLI through the ECR API all honour it, with IAM's evaluation rules;
a policy that would lock its setter out needs `force`; every refusal ECR documents."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from conftest import OciLayout
from keyless import ACCOUNT, REGION, github_trust, role_arn
from keyless import issuer, keyless  # noqa: F401 (fixtures)

REPOSITORY = "platform/shared"
ADMIN_POLICY = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "*"},
    {"Effect": "Allow", "Action": "ecr:*", "Resource": f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/platform/*"}]}
LOGIN_ONLY_POLICY = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "*"}]}
PULL_ACTIONS = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"]


@pytest.fixture
def roles(keyless):
    """Access keys of an operator granted platform/* by its own policy, and of a consumer granted
    nothing but login; the repository, created by the operator."""
    trust = github_trust(keyless.issuer, ["ministryofjustice/example-repository"])
    keyless.put_role("platform-operator", trust, ADMIN_POLICY)
    keyless.put_role("consumer", trust, LOGIN_ONLY_POLICY)
    operator, consumer = keyless.access_key("platform-operator"), keyless.access_key("consumer")
    keyless.ecr_client(operator).create_repository(repositoryName=REPOSITORY)
    return operator, consumer


def policy_text(*statements) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def error_code(call, **kwargs) -> str:
    with pytest.raises(ClientError) as refused:
        call(**kwargs)
    return refused.value.response["Error"]["Code"]


class Images:
    """skopeo pushing and pulling REPOSITORY as whoever's registry password it is given."""

    def __init__(self, keyless, skopeo, tmp_path):
        self.keyless, self.skopeo, self.tmp = keyless, skopeo, tmp_path
        self.layout = OciLayout(tmp_path / "layout")
        self.descriptor = self.layout.make_image([50_000])
        self.layout.tag(self.descriptor, "v1")

    def push(self, credentials, tag: str) -> bool:
        password = self.keyless.login_password(credentials)
        done = self.skopeo("copy", "--dest-tls-verify=false", "--dest-creds", f"AWS:{password}",
                           f"oci:{self.layout.path}:v1", f"docker://{self.keyless.server.host}/{REPOSITORY}:{tag}",
                           check=False)
        return done.returncode == 0

    def pull(self, credentials, tag: str, into: str) -> bool:
        password = self.keyless.login_password(credentials)
        done = self.skopeo("copy", "--src-tls-verify=false", "--src-creds", f"AWS:{password}",
                           f"docker://{self.keyless.server.host}/{REPOSITORY}:{tag}", f"oci:{self.tmp / into}:{tag}",
                           check=False)
        return done.returncode == 0


def test_a_policy_grants_another_role_pull_and_denies_a_role_push(keyless, roles, skopeo, tmp_path):
    operator, consumer = roles
    images = Images(keyless, skopeo, tmp_path)
    assert images.push(operator, "v1")
    assert not images.pull(consumer, "v1", "before")
    operator_ecr, consumer_ecr = keyless.ecr_client(operator), keyless.ecr_client(consumer)
    assert error_code(operator_ecr.get_repository_policy, repositoryName=REPOSITORY) == \
        "RepositoryPolicyNotFoundException"

    text = policy_text(
        {"Sid": "ConsumerPulls", "Effect": "Allow", "Principal": {"AWS": role_arn("consumer")}, "Action": PULL_ACTIONS},
        {"Sid": "FrozenForTheOperator", "Effect": "Deny", "Principal": {"AWS": role_arn("platform-operator")},
         "Action": "ecr:PutImage"})
    (tmp_path / "policy.json").write_text(text)
    answer = json.loads(keyless.aws("ecr", "set-repository-policy", "--repository-name", REPOSITORY,
                                    "--policy-text", f"file://{tmp_path / 'policy.json'}", credentials=operator).stdout)
    assert answer == {"registryId": ACCOUNT, "repositoryName": REPOSITORY, "policyText": text}
    assert operator_ecr.get_repository_policy(repositoryName=REPOSITORY)["policyText"] == text

    # The consumer pulls through the registry and the ECR API, and nothing more.
    assert images.pull(consumer, "v1", "after")
    pulled = OciLayout(tmp_path / "after")
    assert pulled.blob(images.descriptor["digest"]) == images.layout.blob(images.descriptor["digest"])
    got = consumer_ecr.batch_get_image(repositoryName=REPOSITORY, imageIds=[{"imageTag": "v1"}])
    assert [image["imageId"]["imageDigest"] for image in got["images"]] == [images.descriptor["digest"]]
    assert error_code(consumer_ecr.describe_images, repositoryName=REPOSITORY) == "AccessDeniedException"
    assert not images.push(consumer, "v2")
    assert error_code(consumer_ecr.get_repository_policy, repositoryName=REPOSITORY) == "AccessDeniedException"

    # The operator's own Allow loses to the repository's Deny, on both front doors.
    assert not images.push(operator, "v2")
    manifest = images.layout.blob(images.descriptor["digest"]).decode()
    assert error_code(operator_ecr.put_image, repositoryName=REPOSITORY, imageManifest=manifest,
                      imageTag="v2") == "AccessDeniedException"
    assert [image["imageTags"] for image in operator_ecr.describe_images(repositoryName=REPOSITORY)["imageDetails"]] \
        == [["v1"]]

    deleted = json.loads(keyless.aws("ecr", "delete-repository-policy", "--repository-name", REPOSITORY,
                                     credentials=operator).stdout)
    assert deleted["policyText"] == text
    assert not images.pull(consumer, "v1", "revoked")
    assert images.push(operator, "v2")
    assert error_code(operator_ecr.delete_repository_policy, repositoryName=REPOSITORY) == \
        "RepositoryPolicyNotFoundException"

    audit = keyless.berth("audit").stdout.decode()
    for action in ("ecr:SetRepositoryPolicy", "ecr:DeleteRepositoryPolicy"):
        assert action in audit


def test_invalid_policies_and_lockouts_are_refused(keyless, roles):
    operator, consumer = roles
    ecr = keyless.ecr_client(operator)
    for text in ("{not json", policy_text({"Effect": "Allow", "Action": "ecr:*"}),
                 policy_text({"Effect": "Allow", "Principal": {"Federated": "*"}, "Action": "ecr:*"}),
                 policy_text({"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:role/*"},
                              "Action": "ecr:*"}),
                 "x" * 10241):
        assert error_code(ecr.set_repository_policy, repositoryName=REPOSITORY, policyText=text) == \
            "InvalidParameterException", text[:80]
    assert error_code(ecr.get_repository_policy, repositoryName=REPOSITORY) == "RepositoryPolicyNotFoundException"
    assert error_code(ecr.set_repository_policy, repositoryName="platform/absent",
                      policyText=policy_text({"Effect": "Allow", "Principal": "*", "Action": "ecr:ListImages"})) == \
        "RepositoryNotFoundException"
    assert error_code(keyless.ecr_client(consumer).set_repository_policy, repositoryName=REPOSITORY,
                      policyText=policy_text({"Effect": "Allow", "Principal": "*", "Action": "ecr:*"})) == \
        "AccessDeniedException"

    lockout = policy_text({"Effect": "Deny", "Principal": {"AWS": role_arn("platform-operator")},
                           "Action": "ecr:SetRepositoryPolicy"})
    assert error_code(ecr.set_repository_policy, repositoryName=REPOSITORY, policyText=lockout) == \
        "InvalidParameterException"
    assert error_code(ecr.get_repository_policy, repositoryName=REPOSITORY) == "RepositoryPolicyNotFoundException"
    ecr.set_repository_policy(repositoryName=REPOSITORY, policyText=lockout, force=True)
    assert error_code(ecr.set_repository_policy, repositoryName=REPOSITORY, policyText=lockout, force=True) == \
        "AccessDeniedException"
    # Deleting was not denied: the way back.
    ecr.delete_repository_policy(repositoryName=REPOSITORY)
    ecr.set_repository_policy(repositoryName=REPOSITORY,
                              policyText=policy_text({"Effect": "Allow", "Principal": "*", "Action": "ecr:ListImages"}))

"""The ECR lifecycle policy, resource tag and scanning configuration operations through the real AWS
CLI v2 and boto3: each operation and its documented errors, a role without the grant refused, and a
policy put through the API expiring images on `berth lifecycle run`, as the registry API then shows."""

from __future__ import annotations

import json
import time

import pytest
from botocore.exceptions import ClientError

from keyless import ACCOUNT, REGION, KeylessSetup, github_trust
from keyless import issuer, keyless  # noqa: F401 (fixtures)
from test_ecr_control_plane import ADMIN_POLICY, admin, aws_error, registry_client  # noqa: F401 (admin is a fixture)

# Keeps the newest image tagged v*.
POLICY = json.dumps({"rules": [
    {"rulePriority": 1, "description": "keep the newest release",
     "selection": {"tagStatus": "tagged", "tagPrefixList": ["v"], "countType": "imageCountMoreThan",
                   "countNumber": 1},
     "action": {"type": "expire"}}]}, separators=(",", ":"))
INVALID_POLICY = json.dumps({"rules": [
    {"rulePriority": 1, "description": "a tagged rule must name its tags........................",
     "selection": {"tagStatus": "tagged", "countType": "imageCountMoreThan", "countNumber": 1},
     "action": {"type": "expire"}}]})


def arn(name: str) -> str:
    return f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/{name}"


def push_releases(keyless, credentials, repository: str, count: int):
    client = registry_client(keyless, credentials)
    pushed = []
    for number in range(1, count + 1):
        pushed.append(client.push_image(repository, f"v{number}"))
        time.sleep(1.1)  # push times are whole seconds: each image its own
    return client, pushed


def test_a_policy_put_through_the_api_expires_images_on_lifecycle_run(keyless, admin):
    keyless.aws("ecr", "create-repository", "--repository-name", "platform/app", credentials=admin)
    client, pushed = push_releases(keyless, admin, "platform/app", 3)
    assert "LifecyclePolicyNotFoundException" in aws_error(keyless, admin, "ecr", "get-lifecycle-policy",
                                                           "--repository-name", "platform/app")
    put = json.loads(keyless.aws("ecr", "put-lifecycle-policy", "--repository-name", "platform/app",
                                 "--lifecycle-policy-text", POLICY, credentials=admin).stdout)
    assert put == {"registryId": ACCOUNT, "repositoryName": "platform/app", "lifecyclePolicyText": POLICY}
    got = json.loads(keyless.aws("ecr", "get-lifecycle-policy", "--repository-name", "platform/app",
                                 credentials=admin).stdout)
    assert got["lifecyclePolicyText"] == POLICY
    assert "lastEvaluatedAt" not in got

    ran = keyless.berth("lifecycle", "run").stdout.decode()
    assert ran.splitlines()[-1] == "platform/app: 2 of 3 images expired", ran
    for image in pushed[:2]:
        assert client.session.get(f"{keyless.url}/v2/platform/app/manifests/{image.digest}").status_code == 404
    assert client.session.get(f"{keyless.url}/v2/platform/app/tags/list").json()["tags"] == ["v3"]

    evaluated = json.loads(keyless.aws("ecr", "get-lifecycle-policy", "--repository-name", "platform/app",
                                       credentials=admin).stdout)
    assert evaluated["lastEvaluatedAt"].startswith("20")  # the CLI prints the epoch seconds as ISO 8601
    deleted = json.loads(keyless.aws("ecr", "delete-lifecycle-policy", "--repository-name", "platform/app",
                                     credentials=admin).stdout)
    assert deleted["lifecyclePolicyText"] == POLICY
    assert deleted["lastEvaluatedAt"] == evaluated["lastEvaluatedAt"]
    assert "LifecyclePolicyNotFoundException" in aws_error(keyless, admin, "ecr", "delete-lifecycle-policy",
                                                           "--repository-name", "platform/app")
    assert "platform/app" not in keyless.berth("lifecycle", "run").stdout.decode()


def test_serve_applies_a_policy_put_through_the_api_on_its_schedule(tmp_path, issuer, berth_factory):  # noqa: F811
    scheduled = KeylessSetup(tmp_path, issuer)
    scheduled.config.write_text(scheduled.config.read_text() + "lifecycle {\n  interval_seconds = 1\n}\n")
    scheduled.provision()
    scheduled.put_role("platform-admin", github_trust(issuer, ["ministryofjustice/example-repository"]), ADMIN_POLICY)
    scheduled.start(berth_factory)
    credentials = scheduled.github_credentials(role="platform-admin")
    ecr = scheduled.ecr_client(credentials)
    ecr.create_repository(repositoryName="platform/scheduled")
    client, pushed = push_releases(scheduled, credentials, "platform/scheduled", 2)
    ecr.put_lifecycle_policy(repositoryName="platform/scheduled", lifecyclePolicyText=POLICY)

    old = f"{scheduled.url}/v2/platform/scheduled/manifests/{pushed[0].digest}"
    deadline = time.monotonic() + 15
    while client.session.get(old).status_code == 200 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert client.session.get(old).status_code == 404
    assert client.session.get(f"{scheduled.url}/v2/platform/scheduled/tags/list").json()["tags"] == ["v2"]
    assert "lastEvaluatedAt" in ecr.get_lifecycle_policy(repositoryName="platform/scheduled")


def test_policy_errors(keyless, admin):
    ecr = keyless.ecr_client(admin)
    ecr.create_repository(repositoryName="platform/errors")
    assert "InvalidParameterException" in aws_error(keyless, admin, "ecr", "put-lifecycle-policy",
                                                    "--repository-name", "platform/errors",
                                                    "--lifecycle-policy-text", INVALID_POLICY)
    assert "ValidationException" in aws_error(keyless, admin, "ecr", "put-lifecycle-policy", "--repository-name",
                                              "platform/errors", "--lifecycle-policy-text", POLICY + " " * 30720)
    assert "RepositoryNotFoundException" in aws_error(keyless, admin, "ecr", "put-lifecycle-policy",
                                                      "--repository-name", "platform/missing",
                                                      "--lifecycle-policy-text", POLICY)
    for operation in ("get_lifecycle_policy", "delete_lifecycle_policy", "start_lifecycle_policy_preview"):
        with pytest.raises(ClientError) as refused:
            getattr(ecr, operation)(repositoryName="platform/errors")
        assert refused.value.response["Error"]["Code"] == "LifecyclePolicyNotFoundException", operation
    with pytest.raises(ClientError) as refused:
        ecr.get_lifecycle_policy_preview(repositoryName="platform/errors")
    assert refused.value.response["Error"]["Code"] == "LifecyclePolicyPreviewNotFoundException"


def test_a_preview_reports_what_would_expire_and_deletes_nothing(keyless, admin):
    ecr = keyless.ecr_client(admin)
    ecr.create_repository(repositoryName="platform/preview")
    client, pushed = push_releases(keyless, admin, "platform/preview", 3)
    ecr.put_lifecycle_policy(repositoryName="platform/preview", lifecyclePolicyText=POLICY)
    started = json.loads(keyless.aws("ecr", "start-lifecycle-policy-preview", "--repository-name",
                                     "platform/preview", credentials=admin).stdout)
    assert started["status"] == "COMPLETE"
    assert started["lifecyclePolicyText"] == POLICY

    preview = ecr.get_lifecycle_policy_preview(repositoryName="platform/preview")
    assert preview["status"] == "COMPLETE"
    assert preview["summary"]["expiringImageTotalCount"] == 2
    assert [(r["imageDigest"], r["imageTags"], r["action"]["type"], r["appliedRulePriority"])
            for r in preview["previewResults"]] == \
        [(pushed[0].digest, ["v1"], "EXPIRE", 1), (pushed[1].digest, ["v2"], "EXPIRE", 1)]
    pages = list(ecr.get_paginator("get_lifecycle_policy_preview").paginate(
        repositoryName="platform/preview", PaginationConfig={"PageSize": 1}))
    assert [[r["imageDigest"] for r in page["previewResults"]] for page in pages] == \
        [[pushed[0].digest], [pushed[1].digest]]
    named = ecr.get_lifecycle_policy_preview(repositoryName="platform/preview", imageIds=[{"imageTag": "v2"}])
    assert [r["imageDigest"] for r in named["previewResults"]] == [pushed[1].digest]
    untagged = ecr.get_lifecycle_policy_preview(repositoryName="platform/preview", filter={"tagStatus": "UNTAGGED"})
    assert untagged["previewResults"] == []
    for image in pushed:
        assert client.session.get(f"{keyless.url}/v2/platform/preview/manifests/{image.digest}").status_code == 200

    # A policy given to the preview is evaluated in place of the stored one.
    keep_all = POLICY.replace('"countNumber":1', '"countNumber":10')
    ecr.start_lifecycle_policy_preview(repositoryName="platform/preview", lifecyclePolicyText=keep_all)
    assert ecr.get_lifecycle_policy_preview(repositoryName="platform/preview")["previewResults"] == []
    assert ecr.get_lifecycle_policy(repositoryName="platform/preview")["lifecyclePolicyText"] == POLICY


def test_resource_tags_through_the_aws_cli(keyless, admin):
    keyless.aws("ecr", "create-repository", "--repository-name", "platform/tagged", "--tags",
                "Key=team,Value=platform", "Key=cost,Value=1", credentials=admin)
    keyless.aws("ecr", "tag-resource", "--resource-arn", arn("platform/tagged"), "--tags", "Key=cost,Value=2",
                "Key=env,Value=prod", credentials=admin)

    def listed():
        return json.loads(keyless.aws("ecr", "list-tags-for-resource", "--resource-arn", arn("platform/tagged"),
                                      credentials=admin).stdout)["tags"]

    assert listed() == [{"Key": "team", "Value": "platform"}, {"Key": "cost", "Value": "2"},
                        {"Key": "env", "Value": "prod"}]
    keyless.aws("ecr", "untag-resource", "--resource-arn", arn("platform/tagged"), "--tag-keys", "team",
                credentials=admin)
    assert listed() == [{"Key": "cost", "Value": "2"}, {"Key": "env", "Value": "prod"}]

    ecr = keyless.ecr_client(admin)
    refusals = [
        (f"arn:aws:ecr:eu-west-1:{ACCOUNT}:repository/platform/tagged", [{"Key": "a", "Value": "b"}],
         "InvalidParameterException"),
        (arn("platform/missing"), [{"Key": "a", "Value": "b"}], "RepositoryNotFoundException"),
        (arn("platform/tagged"), [{"Key": "k" * 129, "Value": "v"}], "InvalidTagParameterException"),
        (arn("platform/tagged"), [{"Key": "k", "Value": "v" * 257}], "InvalidTagParameterException"),
        (arn("platform/tagged"), [{"Key": f"k{n}", "Value": "v"} for n in range(49)], "TooManyTagsException"),
    ]
    for resource, tags, code in refusals:
        with pytest.raises(ClientError) as refused:
            ecr.tag_resource(resourceArn=resource, tags=tags)
        assert refused.value.response["Error"]["Code"] == code, (resource, code)
    assert len(listed()) == 2


def test_scan_on_push_is_set_and_described(keyless, admin):
    keyless.aws("ecr", "create-repository", "--repository-name", "platform/scanned", credentials=admin)
    answer = json.loads(keyless.aws("ecr", "put-image-scanning-configuration", "--repository-name", "platform/scanned",
                                    "--image-scanning-configuration", "scanOnPush=true", credentials=admin).stdout)
    assert answer == {"registryId": ACCOUNT, "repositoryName": "platform/scanned",
                      "imageScanningConfiguration": {"scanOnPush": True}}
    described = json.loads(keyless.aws("ecr", "describe-repositories", "--repository-names", "platform/scanned",
                                       credentials=admin).stdout)["repositories"][0]
    assert described["imageScanningConfiguration"] == {"scanOnPush": True}
    assert "RepositoryNotFoundException" in aws_error(keyless, admin, "ecr", "put-image-scanning-configuration",
                                                      "--repository-name", "platform/missing",
                                                      "--image-scanning-configuration", "scanOnPush=true")


def test_a_role_without_the_grant_is_refused_every_operation(keyless, admin):
    keyless.ecr_client(admin).create_repository(repositoryName="platform/guarded")
    ecr = keyless.ecr_client(keyless.github_credentials())
    name = {"repositoryName": "platform/guarded"}
    calls = [
        ("put_lifecycle_policy", {**name, "lifecyclePolicyText": POLICY}),
        ("get_lifecycle_policy", name),
        ("delete_lifecycle_policy", name),
        ("start_lifecycle_policy_preview", name),
        ("get_lifecycle_policy_preview", name),
        ("put_image_scanning_configuration", {**name, "imageScanningConfiguration": {"scanOnPush": True}}),
        ("tag_resource", {"resourceArn": arn("platform/guarded"), "tags": [{"Key": "a", "Value": "b"}]}),
        ("untag_resource", {"resourceArn": arn("platform/guarded"), "tagKeys": ["a"]}),
        ("list_tags_for_resource", {"resourceArn": arn("platform/guarded")}),
    ]
    for operation, arguments in calls:
        with pytest.raises(ClientError) as refused:
            getattr(ecr, operation)(**arguments)
        assert refused.value.response["Error"]["Code"] == "AccessDeniedException", operation

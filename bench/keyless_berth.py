"""berth with authentication on, as the benchmarks run it: the tests' OIDC issuer (tests/integration)
as a GitHub-like provider, and one role that CI jobs of one repository may assume."""

import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))

from oidc_issuer import GITHUB_AUDIENCE, OidcIssuer  # noqa: E402

ACCOUNT = "123456789012"
REGION = "eu-west-2"
ROLE = "bench-github"
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/{ROLE}"
PULL_PUSH = ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:CompleteLayerUpload",
             "ecr:GetDownloadUrlForLayer", "ecr:InitiateLayerUpload", "ecr:PutImage", "ecr:UploadLayerPart"]


def role_document(issuer: OidcIssuer, repositories=()) -> dict:
    """Trusts the issuer's tokens for ministryofjustice/example-repository; may log in, and pull and push
    `repositories`."""
    provider = OidcIssuer.provider_name(issuer.github_issuer)
    statements = [{"Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "*"}]
    if repositories:
        statements.append({"Effect": "Allow", "Action": PULL_PUSH,
                           "Resource": [f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/{r}" for r in repositories]})
    return {
        "RoleName": ROLE, "MaxSessionDuration": 3600,
        "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Action": "sts:AssumeRoleWithWebIdentity",
            "Principal": {"Federated": f"arn:aws:iam::{ACCOUNT}:oidc-provider/{provider}"},
            "Condition": {"StringEquals": {f"{provider}:aud": GITHUB_AUDIENCE},
                          "StringLike": {f"{provider}:sub": "repo:ministryofjustice/example-repository:*"}}}]},
        "Policies": [{"Version": "2012-10-17", "Statement": statements}],
    }


def prepare(binary: str, workdir: str, issuer: OidcIssuer, repositories=()) -> tuple[str, str]:
    """Writes the config and stores the role (and creates `repositories`) in a new data dir; returns
    (config path, data dir)."""
    data = os.path.join(workdir, "data")
    config = os.path.join(workdir, "berth.hcl")
    with open(config, "w") as f:
        f.write(f'account_id = "{ACCOUNT}"\nregion = "{REGION}"\n'
                f'oidc_provider "github" {{\n  issuer = "{issuer.github_issuer}"\n  insecure = true\n}}\n'
                'log { level = "warn" }\n')
    role = os.path.join(workdir, "role.json")
    with open(role, "w") as f:
        json.dump(role_document(issuer, repositories), f)
    subprocess.run([binary, "role", "put", role, "--data", data], check=True, capture_output=True, timeout=60)
    for repository in repositories:
        subprocess.run([binary, "repository", "create", repository, "--data", data], check=True,
                       capture_output=True, timeout=60)
    return config, data


def registry_password(base_url: str, issuer: OidcIssuer) -> str:
    """What `aws ecr get-login-password` prints after the CI job's token exchange, through boto3."""
    import boto3  # the benchmark's other measurements need only the standard library

    sts = boto3.client("sts", endpoint_url=base_url, region_name=REGION, aws_access_key_id="unused",
                       aws_secret_access_key="unused")
    credentials = sts.assume_role_with_web_identity(RoleArn=ROLE_ARN, RoleSessionName="bench",
                                                    WebIdentityToken=issuer.github_token())["Credentials"]
    ecr = boto3.client("ecr", endpoint_url=base_url, region_name=REGION,
                       aws_access_key_id=credentials["AccessKeyId"],
                       aws_secret_access_key=credentials["SecretAccessKey"],
                       aws_session_token=credentials["SessionToken"])
    token = ecr.get_authorization_token()["authorizationData"][0]["authorizationToken"]
    return token  # base64 of "AWS:<password>", exactly a Basic credential

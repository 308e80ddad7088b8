"""The keyless CI push set-up shared by the keyless tests: a test OIDC issuer, berth configured to
trust it as its `github` and `circleci` providers, two repositories and the CI roles the MoJ module
would create for them (interfaces.md §1.3, §1.4), and the AWS CLI run with nothing from the
machine's own AWS configuration.
"""

from __future__ import annotations

import base64
import json
import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import boto3
import pytest
import botocore
from botocore.config import Config

from conftest import BERTH_BINARY, BerthServer, run
from oidc_issuer import GITHUB_AUDIENCE, OidcIssuer

ACCOUNT = "123456789012"
REGION = "eu-west-2"
REPOSITORY = "example-team/example-repository"
OTHER_REPOSITORY = "other-team/other-repository"
# Granted to the example role but never created: pushing there is NAME_UNKNOWN, as in ECR.
MISSING_REPOSITORY = "example-team/not-created"
AWS_CLI = "/usr/bin/aws"

PUSH_PULL_ACTIONS = ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:CompleteLayerUpload",
                     "ecr:DescribeImages", "ecr:DescribeRepositories", "ecr:GetDownloadUrlForLayer",
                     "ecr:InitiateLayerUpload", "ecr:ListImages", "ecr:PutImage", "ecr:UploadLayerPart"]


def repository_arn(name: str) -> str:
    return f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/{name}"


def role_arn(name: str) -> str:
    return f"arn:aws:iam::{ACCOUNT}:role/{name}"


def push_pull_policy(*repositories: str) -> dict:
    """The MoJ module's policy: log in anywhere, push and pull the module's repository."""
    return {"Version": "2012-10-17", "Statement": [
        {"Sid": "AllowLogin", "Effect": "Allow", "Action": ["ecr:GetAuthorizationToken"], "Resource": "*"},
        {"Sid": "AllowPushPull", "Effect": "Allow", "Action": PUSH_PULL_ACTIONS,
         "Resource": [repository_arn(r) for r in repositories]}]}


def github_trust(issuer: OidcIssuer, repositories: list[str]) -> dict:
    provider = OidcIssuer.provider_name(issuer.github_issuer)
    return {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": "sts:AssumeRoleWithWebIdentity",
        "Principal": {"Federated": f"arn:aws:iam::{ACCOUNT}:oidc-provider/{provider}"},
        "Condition": {"StringEquals": {f"{provider}:aud": GITHUB_AUDIENCE},
                      "ForAnyValue:StringLike": {f"{provider}:sub": [f"repo:{r}:*" for r in repositories]}}}]}


def circleci_trust(issuer: OidcIssuer, repositories: list[str]) -> dict:
    provider = OidcIssuer.provider_name(issuer.circleci_issuer)
    return {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": "sts:AssumeRoleWithWebIdentity",
        "Principal": {"Federated": f"arn:aws:iam::{ACCOUNT}:oidc-provider/{provider}"},
        "Condition": {"StringEquals": {f"{provider}:aud": issuer.circleci_org},
                      "ForAnyValue:StringLike": {
                          f"{provider}:sub": [f"org/{issuer.circleci_org}/project/*/user/*/vcs-origin/github.com/{r}/*"
                                              for r in repositories]}}}]}


@dataclass
class Credentials:
    access_key_id: str
    secret_access_key: str
    session_token: str
    expiration: str

    def env(self, base: dict) -> dict:
        env = dict(base, AWS_ACCESS_KEY_ID=self.access_key_id, AWS_SECRET_ACCESS_KEY=self.secret_access_key)
        if self.session_token:  # a long-lived access key has none
            env["AWS_SESSION_TOKEN"] = self.session_token
        return env


class KeylessSetup:
    def __init__(self, tmp_path: Path, issuer: OidcIssuer):
        self.tmp = tmp_path
        self.issuer = issuer
        self.data_dir = tmp_path / "keyless-data"
        self.config = tmp_path / "keyless.hcl"
        self.config.write_text(
            f'account_id = "{ACCOUNT}"\n'
            f'region     = "{REGION}"\n'
            f'oidc_provider "github" {{\n  issuer = "{issuer.github_issuer}"\n  insecure = true\n'
            '  owner = "ministryofjustice"\n}\n'
            f'oidc_provider "circleci" {{\n  organization_id = "{issuer.circleci_org}"\n'
            f'  issuer = "{issuer.circleci_issuer}"\n  insecure = true\n}}\n')
        home = tmp_path / "aws-home"
        home.mkdir()
        # Nothing from the machine's AWS configuration may leak in.
        self.aws_env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        self.aws_env.update(HOME=str(home), AWS_CONFIG_FILE=str(home / "config"),
                            AWS_SHARED_CREDENTIALS_FILE=str(home / "credentials"), AWS_DEFAULT_REGION=REGION,
                            AWS_PAGER="", AWS_EC2_METADATA_DISABLED="true")
        self.server: BerthServer | None = None

    # -- berth

    def berth(self, *args, check=True) -> subprocess.CompletedProcess:
        return run([BERTH_BINARY, *map(str, args), "--data", str(self.data_dir)], timeout=60, check=check)

    def put_role(self, name: str, trust: dict, policy: dict, max_session=3600):
        path = self.tmp / f"role-{name}.json"
        path.write_text(json.dumps({"RoleName": name, "AssumeRolePolicyDocument": trust, "Policies": [policy],
                                    "MaxSessionDuration": max_session}))
        self.berth("role", "put", path)

    def access_key(self, role: str, *args) -> Credentials:
        """A long-lived AKIA key bound to `role`, made with `berth access-key create`."""
        created = json.loads(self.berth("access-key", "create", role, "--config", self.config,
                                        *args).stdout)["AccessKey"]
        assert re.fullmatch(r"AKIA[A-Z2-7]{16}", created["AccessKeyId"])
        assert len(created["SecretAccessKey"]) == 40
        assert created["RoleArn"] == f"arn:aws:iam::{ACCOUNT}:role/{role}"
        return Credentials(created["AccessKeyId"], created["SecretAccessKey"], "", created["Expiration"])

    def provision(self):
        for repository in (REPOSITORY, OTHER_REPOSITORY):
            self.berth("repository", "create", repository)
        self.put_role("example-github", github_trust(self.issuer, ["ministryofjustice/example-repository"]),
                      push_pull_policy(REPOSITORY, MISSING_REPOSITORY))
        self.put_role("other-github", github_trust(self.issuer, ["ministryofjustice/other-repository"]),
                      push_pull_policy(OTHER_REPOSITORY))
        self.put_role("example-circleci", circleci_trust(self.issuer, ["ministryofjustice/example-repository"]),
                      push_pull_policy(REPOSITORY))

    def start(self, factory, **kwargs) -> BerthServer:
        self.server = factory(data_dir=self.data_dir, anonymous=False, config=self.config, **kwargs)
        return self.server

    @property
    def url(self) -> str:
        return self.server.url

    # -- the AWS CLI

    def aws(self, *args, credentials: Credentials | None = None, check=True, clock: dict | None = None
            ) -> subprocess.CompletedProcess:
        env = credentials.env(self.aws_env) if credentials else dict(self.aws_env)
        env.update(clock or {})
        return run([AWS_CLI, *map(str, args), "--endpoint-url", self.url, "--region", REGION, "--output", "json"],
                   timeout=60, check=check, env=env)

    def assume_role(self, role: str, token: str, session="GitHubActions", duration=900, clock=None) -> Credentials:
        out = self.aws("sts", "assume-role-with-web-identity", "--role-arn", role_arn(role), "--role-session-name",
                       session, "--web-identity-token", token, "--duration-seconds", duration, clock=clock)
        c = json.loads(out.stdout)["Credentials"]
        return Credentials(c["AccessKeyId"], c["SecretAccessKey"], c["SessionToken"], c["Expiration"])

    def login_password(self, credentials: Credentials, clock=None) -> str:
        return self.aws("ecr", "get-login-password", credentials=credentials, clock=clock).stdout.decode().strip()

    # -- boto3

    def sts_client(self, credentials: Credentials | None = None):
        if credentials is None:
            return boto3.client("sts", endpoint_url=self.url, region_name=REGION,
                                config=Config(signature_version=botocore.UNSIGNED, retries={"max_attempts": 1}))
        return boto3.client("sts", endpoint_url=self.url, region_name=REGION,
                            aws_access_key_id=credentials.access_key_id,
                            aws_secret_access_key=credentials.secret_access_key,
                            aws_session_token=credentials.session_token or None,
                            config=Config(retries={"max_attempts": 1}))

    def ecr_client(self, credentials: Credentials):
        return boto3.client("ecr", endpoint_url=self.url, region_name=REGION,
                            aws_access_key_id=credentials.access_key_id,
                            aws_secret_access_key=credentials.secret_access_key,
                            aws_session_token=credentials.session_token or None,
                            config=Config(retries={"max_attempts": 1}))

    def github_credentials(self, role="example-github", **claims) -> Credentials:
        token = self.issuer.github_token(**claims)
        answer = self.sts_client().assume_role_with_web_identity(RoleArn=role_arn(role), RoleSessionName="GitHubActions",
                                                                 WebIdentityToken=token, DurationSeconds=900)
        c = answer["Credentials"]
        return Credentials(c["AccessKeyId"], c["SecretAccessKey"], c["SessionToken"], str(c["Expiration"]))

    def registry_password(self, credentials: Credentials) -> str:
        data = self.ecr_client(credentials).get_authorization_token()["authorizationData"][0]
        user, password = base64.b64decode(data["authorizationToken"]).decode().split(":")
        assert user == "AWS"
        return password


def shifted_clock(offset: str) -> dict:
    """Environment that runs a process with its wall clock moved by `offset` ("-2h"), through
    libfaketime (Debian's faketime package); monotonic clocks stay real so timers behave."""
    return {"LD_PRELOAD": "/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1", "FAKETIME": offset,
            "FAKETIME_DONT_FAKE_MONOTONIC": "1"}


@pytest.fixture
def issuer():
    """A test OIDC issuer serving GitHub- and CircleCI-shaped tokens, stopped after the test."""
    server = OidcIssuer().start()
    yield server
    server.stop()


@pytest.fixture
def keyless(tmp_path, issuer, berth_factory) -> KeylessSetup:
    """A provisioned berth that trusts `issuer`, requiring credentials."""
    setup = KeylessSetup(tmp_path, issuer)
    setup.provision()
    setup.start(berth_factory)
    return setup


def basic(password: str) -> str:
    return "Basic " + base64.b64encode(f"AWS:{password}".encode()).decode()

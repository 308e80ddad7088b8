"""The berth command line: version, help, config files, fsck, repositories, roles."""

import json
import os
import re
from pathlib import Path

from conftest import BERTH_BINARY, RegistryClient, run


def test_version():
    result = run([BERTH_BINARY, "version"], timeout=10)
    out = result.stdout.decode()
    assert re.search(r"berth\s+v?\d+\.\d+\.\d+", out), out


def test_help_lists_commands():
    result = run([BERTH_BINARY, "--help"], timeout=10)
    out = result.stdout.decode() + result.stderr.decode()
    for command in ("serve", "fsck", "repository"):
        assert re.search(rf"\b{command}\b", out), out
    result = run([BERTH_BINARY, "serve", "--help"], timeout=10)
    out = result.stdout.decode()
    for flag in ("--listen", "--data", "--anonymous", "--config"):
        assert flag in out, out


def test_unknown_command_fails():
    result = run([BERTH_BINARY, "no-such-command"], timeout=10, check=False)
    assert result.returncode != 0


def test_serve_from_config_file(berth_with_config, tmp_path):
    data_dir = tmp_path / "from-config"
    server = berth_with_config(data_dir=data_dir)
    assert server.curl("GET", "/v2/").status == 200  # anonymous = true came from the file
    RegistryClient(server.url).push_blob("team/app", os.urandom(1000))
    assert any(data_dir.rglob("*")), "data_dir from the config file was not used"
    assert server.stop() == 0


def test_json_log_format(berth_factory):
    server = berth_factory(log_format="json")
    listening = [line for line in server.log_lines if "listening" in line]
    assert listening, server.log
    record = json.loads(listening[0])
    assert record["msg"] == "listening" and record["address"] == server.host, record


def test_bad_config_reports_file_line_column(tmp_path):
    cases = {
        "unknown.hcl": 'listen = "127.0.0.1:0"\nno_such_setting = 1\n',
        "syntax.hcl": 'listen = "127.0.0.1:0"\nlimits {\n  header_timeout_seconds = \n}\n',
        "type.hcl": 'listen = "127.0.0.1:0"\nanonymous = "maybe"\n',
    }
    for name, text in cases.items():
        config = tmp_path / name
        config.write_text(text)
        result = run([BERTH_BINARY, "serve", "--config", str(config), "--data", str(tmp_path / "d")], timeout=15,
                     check=False)
        err = result.stderr.decode() + result.stdout.decode()
        assert result.returncode != 0, f"{name}: {err}"
        assert re.search(rf"{re.escape(name)}:[23]:\d+", err), f"{name}: no file:line:col in: {err}"


def test_missing_config_file_fails(tmp_path):
    result = run([BERTH_BINARY, "serve", "--config", str(tmp_path / "absent.hcl")], timeout=15, check=False)
    assert result.returncode != 0


def push_and_stop(berth_factory, data_dir: Path):
    server = berth_factory(data_dir=data_dir)
    image = RegistryClient(server.url).push_image("team/fsck", "v1", layer_sizes=(5000, 7000))
    assert server.stop() == 0
    return image


def blob_file(data_dir: Path, digest: str) -> Path:
    hex_digest = digest.split(":")[1]
    matches = [p for p in (data_dir / "blobs").rglob(hex_digest) if p.is_file()]
    assert len(matches) == 1, f"expected one file for {digest} under {data_dir}/blobs: {matches}"
    return matches[0]


def test_fsck_clean_store(berth_factory, tmp_path):
    push_and_stop(berth_factory, tmp_path / "data")
    result = run([BERTH_BINARY, "fsck", "--data", str(tmp_path / "data")], timeout=60, check=False)
    assert result.returncode == 0, result.stdout.decode() + result.stderr.decode()


def test_fsck_detects_corrupted_blob(berth_factory, tmp_path):
    data_dir = tmp_path / "data"
    image = push_and_stop(berth_factory, data_dir)
    path = blob_file(data_dir, image.layer_digests[0])
    os.chmod(path, 0o644)
    path.write_bytes(b"corrupted" + image.layers[0][9:])  # same size, different content
    result = run([BERTH_BINARY, "fsck", "--data", str(data_dir)], timeout=60, check=False)
    out = result.stdout.decode() + result.stderr.decode()
    assert result.returncode != 0, out
    assert image.layer_digests[0].split(":")[1] in out, out


def test_fsck_detects_missing_blob(berth_factory, tmp_path):
    data_dir = tmp_path / "data"
    image = push_and_stop(berth_factory, data_dir)
    blob_file(data_dir, image.layer_digests[1]).unlink()
    result = run([BERTH_BINARY, "fsck", "--data", str(data_dir)], timeout=60, check=False)
    out = result.stdout.decode() + result.stderr.decode()
    assert result.returncode != 0, out
    assert image.layer_digests[1].split(":")[1] in out, out


def berth_cli(*args, check=False):
    result = run([BERTH_BINARY, *args], timeout=30, check=check)
    return result.returncode, result.stdout.decode() + result.stderr.decode()


def test_repository_create_list_delete(tmp_path):
    data = str(tmp_path / "data")
    assert berth_cli("repository", "create", "team/app", "--data", data) == (0, "created repository team/app\n")
    assert berth_cli("repository", "create", "team/app", "--data", data)[0] == 0  # idempotent
    assert berth_cli("repository", "create", "team/other", "--data", data)[0] == 0
    assert berth_cli("repository", "list", "--data", data) == (0, "team/app\nteam/other\n")
    assert berth_cli("repository", "delete", "team/app", "--data", data)[0] == 0
    assert berth_cli("repository", "list", "--data", data) == (0, "team/other\n")
    code, out = berth_cli("repository", "delete", "team/app", "--data", data)
    assert code == 1 and "no repository named team/app" in out


def test_repository_refuses_bad_names(tmp_path):
    code, out = berth_cli("repository", "create", "Team/App", "--data", str(tmp_path / "data"))
    assert code == 2 and "invalid repository name" in out
    code, out = berth_cli("repository", "create", "../escape", "--data", str(tmp_path / "data"))
    assert code == 2 and "invalid repository name" in out


def test_repository_holding_images_is_kept_unless_forced(berth_factory, tmp_path):
    data_dir = tmp_path / "data"
    push_and_stop(berth_factory, data_dir)
    repositories = berth_cli("repository", "list", "--data", str(data_dir))[1].split()
    assert repositories, "the push created no repository"
    code, out = berth_cli("repository", "delete", repositories[0], "--data", str(data_dir))
    assert code == 1 and "still holds images" in out
    assert berth_cli("repository", "delete", repositories[0], "--force", "--data", str(data_dir))[0] == 0
    assert repositories[0] not in berth_cli("repository", "list", "--data", str(data_dir))[1].split()


ACCOUNT = "000000000000"
GITHUB_PROVIDER = f"arn:aws:iam::{ACCOUNT}:oidc-provider/token.actions.githubusercontent.com"
REPOSITORY_ARN = f"arn:aws:ecr:eu-west-2:{ACCOUNT}:repository/org/app"


def github_trust_policy(sub="repo:org/app:*"):
    """The MoJ module's GitHub role trust policy (interfaces.md §1.4)."""
    return {
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Principal": {"Federated": GITHUB_PROVIDER},
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {
                "StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"},
                "StringLike": {"token.actions.githubusercontent.com:sub": sub},
            },
        }],
    }


def push_pull_policy():
    """The MoJ module's `aws_iam_policy.ecr` (interfaces.md §1.3)."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "AllowLogin", "Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "*"},
            {
                "Sid": "AllowPushPullListDelete",
                "Effect": "Allow",
                "Action": [
                    "ecr:BatchGetImage", "ecr:BatchCheckLayerAvailability", "ecr:BatchDeleteImage",
                    "ecr:CompleteLayerUpload", "ecr:DescribeImages", "ecr:GetDownloadUrlForLayer",
                    "ecr:InitiateLayerUpload", "ecr:ListImages", "ecr:PutImage", "ecr:UploadLayerPart",
                ],
                "Resource": REPOSITORY_ARN,
            },
        ],
    }


def github_role(**overrides):
    role = {
        "RoleName": "cloud-platform-ecr-0123456789abcdef-github",
        "AssumeRolePolicyDocument": github_trust_policy(),
        "Policies": [push_pull_policy()],
    }
    role.update(overrides)
    return role


def role_file(tmp_path, document, name="role.json"):
    path = tmp_path / name
    path.write_text(document if isinstance(document, str) else json.dumps(document))
    return str(path)


def test_role_put_list_update_delete(tmp_path):
    data = str(tmp_path / "data")
    name = "cloud-platform-ecr-0123456789abcdef-github"
    arn = f"arn:aws:iam::{ACCOUNT}:role/{name}"
    assert berth_cli("role", "put", role_file(tmp_path, github_role()), "--data", data) == (
        0, f"stored role {name} ({arn})\n")
    assert berth_cli("role", "list", "--data", data) == (0, f"{name}  {arn}  max-session=3600s\n")

    # Same name again replaces the role; the trust policy may come as a JSON string, as AWS CLI files have it.
    updated = github_role(AssumeRolePolicyDocument=json.dumps(github_trust_policy("repo:org/app:ref:refs/heads/main")),
                          MaxSessionDuration=7200)
    assert berth_cli("role", "put", role_file(tmp_path, updated), "--data", data)[0] == 0
    assert berth_cli("role", "list", "--data", data) == (0, f"{name}  {arn}  max-session=7200s\n")

    other = github_role(RoleName="other@team", Policies=[])
    assert berth_cli("role", "put", role_file(tmp_path, other), "--data", data)[0] == 0
    listed = berth_cli("role", "list", "--data", data)[1].splitlines()
    assert [line.split()[0] for line in listed] == [name, "other@team"]

    assert berth_cli("role", "delete", name, "--data", data) == (0, f"deleted role {name}\n")
    assert berth_cli("role", "list", "--data", data)[1].split()[0] == "other@team"
    code, out = berth_cli("role", "delete", name, "--data", data)
    assert code == 1 and f"no role named {name}" in out


def test_role_put_refuses_invalid_files_and_stores_nothing(tmp_path):
    data = str(tmp_path / "data")
    bad_trust = github_trust_policy()
    bad_trust["Statement"][0]["Resource"] = "*"  # trust policies name no Resource
    bad_permission = push_pull_policy()
    del bad_permission["Statement"][0]["Resource"]
    missing_name = github_role()
    del missing_name["RoleName"]
    cases = {
        "missing RoleName": (missing_name, "RoleName"),
        "bad RoleName": (github_role(RoleName="team/app"), "RoleName"),
        "long RoleName": (github_role(RoleName="r" * 65), "RoleName"),
        "bad trust policy": (github_role(AssumeRolePolicyDocument=bad_trust), "AssumeRolePolicyDocument"),
        "trust policy not a document": (github_role(AssumeRolePolicyDocument=[1]), "AssumeRolePolicyDocument"),
        "bad permission policy": (github_role(Policies=[push_pull_policy(), bad_permission]), "Policies[1]"),
        "Policies not a list": (github_role(Policies=push_pull_policy()), "Policies"),
        "session too short": (github_role(MaxSessionDuration=3599), "MaxSessionDuration"),
        "session too long": (github_role(MaxSessionDuration=43201), "MaxSessionDuration"),
        "session not an integer": (github_role(MaxSessionDuration="3600"), "MaxSessionDuration"),
        "unknown key": (github_role(Description="x"), "Description"),
        "not JSON": ("{\"RoleName\": ", "not JSON"),
        "not an object": ("[]", "JSON object"),
    }
    for case, (document, mentioned) in cases.items():
        code, out = berth_cli("role", "put", role_file(tmp_path, document), "--data", data)
        assert code == 2, f"{case}: exit {code}: {out}"
        assert mentioned in out, f"{case}: {out}"
    assert berth_cli("role", "list", "--data", data) == (0, "")

"""GitHub's immutable `sub` format (issue 8): since 2026-07-15 new, renamed and transferred
repositories get tokens with `sub` = `repo:OWNER@OWNER_ID/REPO@REPO_ID:...` (interfaces.md §2.5).
The roles `berth apply` creates trust both formats; with the ids read from GitHub
(`GET /repos/{owner}/{repo}`, here the fake GitHub) the immutable form is pinned, so a repository
deleted and re-created under the same name is refused by STS. Without GitHub any ids match, plan and
apply say so, and a later apply with GitHub pins them."""

from __future__ import annotations

import hashlib
import json
import os

import pytest
from botocore.exceptions import ClientError

from conftest import OciLayout, RegistryClient
from keyless import REPOSITORY, basic, issuer  # noqa: F401 (issuer is a fixture)
from provisioning import GITHUB_TOKEN, OWNER, SEED_GITHUB, provisioning  # noqa: F401 (provisioning is a fixture)

GITHUB_REPOSITORY = "example-repository"
REPOSITORY_PATH = f"/repos/{OWNER}/{GITHUB_REPOSITORY}"


def github_token(p, ids: tuple[int, int] | None = None, context="ref:refs/heads/main") -> str:
    """A GitHub Actions token of the declared repository: the old `sub` format without ids, else the
    immutable one, with the id claims GitHub puts beside it."""
    repository = f"{OWNER}/{GITHUB_REPOSITORY}"
    if ids is None:
        return p.issuer.github_token(repository=repository, sub=f"repo:{repository}:{context}")
    owner_id, repository_id = ids
    return p.issuer.github_token(repository=repository,
                                 sub=f"repo:{OWNER}@{owner_id}/{GITHUB_REPOSITORY}@{repository_id}:{context}",
                                 repository_owner_id=str(owner_id), repository_id=str(repository_id))


def role_arn(p) -> str:
    return p.github.open_secret(OWNER, GITHUB_REPOSITORY, "ECR_ROLE_TO_ASSUME")


def refusal(p, token: str) -> str:
    with pytest.raises(ClientError) as error:
        p.keyless.sts_client().assume_role_with_web_identity(RoleArn=role_arn(p), RoleSessionName="GitHubActions",
                                                             WebIdentityToken=token)
    return error.value.response["Error"]["Code"]


def push_with_token(p, token: str, tag: str):
    """The AWS CLI flow CI runs: assume the role, get the registry password, push."""
    credentials = p.keyless.assume_role(role_arn(p).rsplit("/", 1)[1], token)
    client = RegistryClient(p.keyless.url)
    client.session.headers["Authorization"] = basic(p.keyless.login_password(credentials))
    client.push_image(REPOSITORY, tag)


def repository_reads(p) -> list:
    return [r for r in p.github.requests if (r.method, r.path) == ("GET", REPOSITORY_PATH)]


def github_trust(p, *args) -> list[dict]:
    return json.loads(p.plan("--json", *args).stdout)["github_trust"]


def test_pinned_trust_takes_both_formats_and_refuses_a_recreated_repository(provisioning, berth_factory, skopeo,
                                                                             tmp_path):
    p = provisioning
    (p.declarations / "ecr.tf").write_text(SEED_GITHUB)
    ids = p.github.ids(OWNER, GITHUB_REPOSITORY)
    pinned = f"repo:{OWNER}@{ids[0]}/{GITHUB_REPOSITORY}@{ids[1]}:*"
    assert github_trust(p) == [{"repository": f"{OWNER}/{GITHUB_REPOSITORY}", "subject": pinned, "pinned": True,
                                "note": "ids from GitHub"}]

    applied = p.apply().stdout.decode()
    assert f"{OWNER}/{GITHUB_REPOSITORY}: {pinned}  (pinned; ids from GitHub)" in applied
    # One read of the repository per command, as GitHub's REST contract has it, and nothing else of it.
    reads = repository_reads(p)
    assert len(reads) == 2
    for read in reads:
        assert read.header("authorization") == f"Bearer {GITHUB_TOKEN}"
        assert read.header("accept") == "application/vnd.github+json"
        assert read.header("x-github-api-version") == "2022-11-28"
        assert read.body == b""

    before = len(p.mutating_requests())
    again = p.apply().stdout.decode()
    assert "No changes." in again and "(pinned; ids from GitHub)" in again
    assert len(p.mutating_requests()) == before

    p.keyless.start(berth_factory, listen=None)
    # Old format (repositories from before 2026-07-15): the AWS CLI flow, then a push.
    push_with_token(p, github_token(p), "old-format")
    # Immutable format: the AWS CLI flow, then skopeo pushes with the registry password.
    credentials = p.keyless.assume_role(role_arn(p).rsplit("/", 1)[1], github_token(p, ids, "environment:production"))
    password = p.keyless.login_password(credentials)
    layout = OciLayout(tmp_path / "layout")
    layout.tag(layout.make_image([4096]), "v1")
    skopeo("copy", "--dest-tls-verify=false", "--dest-creds", f"AWS:{password}", f"oci:{layout.path}:v1",
           f"docker://{p.keyless.server.host}/{REPOSITORY}:{os.urandom(20).hex()}")

    # Squatting: the repository deleted and created again under the same name gets new ids.
    recreated = p.github.recreate(OWNER, GITHUB_REPOSITORY)
    assert recreated[1] != ids[1]
    assert refusal(p, github_token(p, recreated)) == "AccessDenied"
    assert refusal(p, github_token(p, (ids[0] + 1, ids[1]))) == "AccessDenied"

    # The next plan says so before any apply would trust the new repository.
    plan = p.plan().stdout.decode()
    assert "which differ from the owner id %d, repository id %d trusted until now" % ids in plan
    assert "(trust policy)" in plan


def test_without_github_any_ids_match_until_an_apply_pins_them(provisioning, berth_factory):
    p = provisioning
    (p.declarations / "ecr.tf").write_text(SEED_GITHUB)
    wildcard = f"repo:{OWNER}@*/{GITHUB_REPOSITORY}@*:*"

    off = p.apply("--no-github").stdout.decode()
    assert (f"{OWNER}/{GITHUB_REPOSITORY}: {wildcard}  (ANY ids: GitHub is switched off (--no-github); a repository "
            "re-created under this name would be trusted too") in off
    assert p.github.requests == []
    p.env.pop("GITHUB_TOKEN")
    assert github_trust(p)[0]["note"] == "no GitHub token in $GITHUB_TOKEN"
    p.env["GITHUB_TOKEN"] = GITHUB_TOKEN
    assert p.github.requests == []

    p.keyless.start(berth_factory, listen=None)
    role = "berth-ecr-" + hashlib.sha256(REPOSITORY.encode()).hexdigest()[:16] + "-github"
    any_ids = github_token(p, (11, 22))
    p.keyless.assume_role(role, any_ids)

    # An apply that reads the ids converges to the pinned form.
    pinning = p.apply().stdout.decode()
    assert f"~ role.{role}" in pinning
    ids = p.github.ids(OWNER, GITHUB_REPOSITORY)
    assert "(pinned; ids from GitHub)" in pinning
    push_with_token(p, github_token(p, ids), "pinned")
    assert refusal(p, github_token(p, (11, 22))) == "AccessDenied"

    # Without GitHub again, the pinned ids are kept: nothing widens, nothing changes.
    kept = p.apply("--no-github").stdout.decode()
    assert "No changes." in kept
    assert "(pinned; ids trusted until now, kept: GitHub is switched off (--no-github))" in kept
    assert refusal(p, github_token(p, (11, 22))) == "AccessDenied"


def test_a_repository_github_does_not_know_is_reported(provisioning):
    p = provisioning
    p.github.repositories = set()
    (p.declarations / "ecr.tf").write_text(SEED_GITHUB)
    trust = github_trust(p)
    assert trust == [{"repository": f"{OWNER}/{GITHUB_REPOSITORY}",
                      "subject": f"repo:{OWNER}@*/{GITHUB_REPOSITORY}@*:*", "pinned": False,
                      "note": f"github: GET {REPOSITORY_PATH}: 404: no such repository, or the token cannot see it"}]
    plan = p.plan().stdout.decode()
    assert "404: no such repository, or the token cannot see it; a repository re-created under this name" in plan

"""Lifecycle policies take effect: `berth apply` stores the module's canned policy, `berth lifecycle
run` expires what it says (printing each image and why), and the registry API no longer serves it."""

from __future__ import annotations

import json
import time

from conftest import BERTH_BINARY, RegistryClient, run

DECLARATION = """
module "ecr" {
  source = "github.com/ministryofjustice/cloud-platform-terraform-ecr-credentials?ref=7.1.1"

  team_name           = "team"
  repo_name           = "app"
  oidc_providers      = ["github"]
  github_repositories = ["app"]

  canned_lifecycle_policy = { type = "images", count = 2 }
}
"""


def berth_cli(data_dir, *args, check=True):
    return run([BERTH_BINARY, *map(str, args), "--data", data_dir], timeout=120, check=check)


def test_canned_policy_expires_the_oldest_images_through_every_api(berth, tmp_path):
    client = RegistryClient(berth.url)
    pushed = []
    for number in range(1, 5):
        pushed.append(client.push_image("team/app", f"v{number}"))
        time.sleep(1.1)  # push times are whole seconds: each image its own
    declarations = tmp_path / "environments"
    declarations.mkdir()
    (declarations / "ecr.tf").write_text(DECLARATION)
    config = tmp_path / "apply.hcl"
    # What apply needs to know of the server; the GitHub provider is only declared, never called here.
    config.write_text(f'public_url = "{berth.url}"\n'
                      'oidc_provider "github" {\n  owner = "ministryofjustice"\n}\n')
    berth_cli(berth.data_dir, "apply", declarations, "--auto-approve", "--no-github", "--no-kubernetes",
              "--config", config)

    dry = berth_cli(berth.data_dir, "lifecycle", "run", "--dry-run").stdout.decode()
    lines = dry.splitlines()
    assert lines[0].startswith(f"team/app {pushed[0].digest} tags=v1 pushed=20"), dry
    assert 'rule=1 reason="number 4 by push time of the 4 images the rule selects; it keeps the newest 2"' in lines[0]
    assert lines[1].startswith(f"team/app {pushed[1].digest} tags=v2 "), dry
    assert lines[2] == "team/app: 2 of 4 images would expire (dry run)", dry
    assert berth.curl("GET", f"/v2/team/app/manifests/v1").status == 200

    done = berth_cli(berth.data_dir, "lifecycle", "run").stdout.decode()
    assert done.splitlines()[-1] == "team/app: 2 of 4 images expired", done
    for image in pushed[:2]:
        assert berth.curl("GET", f"/v2/team/app/manifests/{image.tag}").status == 404
        assert berth.curl("HEAD", f"/v2/team/app/manifests/{image.digest}").status == 404
    for image in pushed[2:]:
        assert berth.curl("GET", f"/v2/team/app/manifests/{image.tag}").status == 200
    tags = json.loads(berth.curl("GET", "/v2/team/app/tags/list").body)["tags"]
    assert sorted(tags) == ["v3", "v4"]

    events = [event for event in json.loads(berth_cli(berth.data_dir, "audit", "--json").stdout)
              if event["action"] == "lifecycle:ExpireImage"]
    assert [(event["repository"], event["digest"], event["reference"]) for event in events] == \
        [("team/app", pushed[0].digest, "v1"), ("team/app", pushed[1].digest, "v2")]

    again = berth_cli(berth.data_dir, "lifecycle", "run").stdout.decode()
    assert again.strip() == "team/app: 0 of 2 images expired"


def test_a_repository_without_a_policy_is_an_error(berth):
    RegistryClient(berth.url).push_image("team/plain", "v1")
    refused = berth_cli(berth.data_dir, "lifecycle", "run", "--repository", "team/plain", check=False)
    assert refused.returncode == 2
    assert refused.stderr.decode().strip() == "berth: lifecycle: repository team/plain has no lifecycle policy"
    assert berth_cli(berth.data_dir, "lifecycle", "run").stdout.decode().strip() == \
        "no repository has a lifecycle policy"
    assert berth.curl("GET", "/v2/team/plain/manifests/v1").status == 200


def test_serve_runs_the_policies_on_its_schedule(berth_factory, tmp_path):
    data = tmp_path / "scheduled"
    config = tmp_path / "serve.hcl"
    config.write_text("lifecycle {\n  interval_seconds = 1\n}\n")
    server = berth_factory(data, config=config)
    client = RegistryClient(server.url)
    old = client.push_image("team/app", "old")
    time.sleep(1.1)
    new = client.push_image("team/app", "new")
    declarations = tmp_path / "environments"
    declarations.mkdir()
    (declarations / "ecr.tf").write_text(DECLARATION.replace("count = 2", "count = 1"))
    apply_config = tmp_path / "apply.hcl"
    apply_config.write_text(f'public_url = "{server.url}"\noidc_provider "github" {{\n  owner = "ministryofjustice"\n}}\n')
    berth_cli(data, "apply", declarations, "--auto-approve", "--no-github", "--no-kubernetes", "--config", apply_config)

    deadline = time.monotonic() + 15
    while server.curl("GET", "/v2/team/app/manifests/old").status == 200 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert server.curl("GET", f"/v2/team/app/manifests/{old.digest}").status == 404
    assert server.curl("GET", f"/v2/team/app/manifests/{new.digest}").status == 200
    metrics = server.curl("GET", "/metrics").body.decode()
    expired = [line for line in metrics.splitlines() if line.startswith("berth_lifecycle_images_expired_total ")]
    assert expired == ["berth_lifecycle_images_expired_total 1"], metrics[-1500:]

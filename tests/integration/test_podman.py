"""buildah builds a tiny image, podman pushes it to berth and pulls it back."""

import hashlib
import json
import os
from pathlib import Path

import pytest

pytestmark = pytest.mark.clients


def test_podman_push_pull(berth, containers_env, tmp_path):
    payload = os.urandom(300_000)
    (tmp_path / "payload.bin").write_bytes(payload)
    local = "localhost/berth-itest/tiny:v1"
    remote = f"{berth.host}/team/podapp:v1"

    container = containers_env.buildah("from", "scratch").stdout.decode().strip()
    containers_env.buildah("copy", container, tmp_path / "payload.bin", "/payload.bin")
    containers_env.buildah("config", "--cmd", "/payload.bin", "--label", "berth=itest", container)
    containers_env.buildah("commit", "--format", "oci", container, local)
    containers_env.buildah("rm", container)
    image_id = containers_env.podman("image", "inspect", "--format", "{{.Id}}", local).stdout.decode().strip()

    digest_file = tmp_path / "push.digest"
    containers_env.podman("push", "--tls-verify=false", "--digestfile", digest_file, local, f"docker://{remote}")
    pushed = digest_file.read_text().strip()
    assert pushed.startswith("sha256:")

    containers_env.podman("rmi", "--force", local)
    assert containers_env.podman("image", "exists", local, check=False).returncode != 0

    containers_env.podman("pull", "--tls-verify=false", remote)
    inspect = json.loads(containers_env.podman("image", "inspect", remote).stdout)[0]
    assert inspect["Id"] == image_id, "the config (image ID) must survive the round trip"
    assert inspect["Digest"] == pushed
    assert inspect["Labels"].get("berth") == "itest"

    mount = Path(containers_env.podman("image", "mount", remote).stdout.decode().strip())
    try:
        assert hashlib.sha256((mount / "payload.bin").read_bytes()).hexdigest() == hashlib.sha256(payload).hexdigest()
    finally:
        containers_env.podman("image", "unmount", remote, check=False)

    # Listing from podman's side: the tag is there.
    listed = json.loads(containers_env.podman("search", "--list-tags", "--tls-verify=false", "--format", "json",
                                              f"{berth.host}/team/podapp").stdout)
    assert [entry["Tags"] for entry in listed] == [["v1"]], listed

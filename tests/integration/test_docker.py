"""docker (CLI + a private dockerd) builds, pushes to berth, removes and pulls back."""

import json
import os

import pytest

pytestmark = [pytest.mark.clients, pytest.mark.slow]


def test_docker_build_push_pull(berth, dockerd, tmp_path):
    context = tmp_path / "context"
    context.mkdir()
    (context / "payload.bin").write_bytes(os.urandom(200_000))
    (context / "second.bin").write_bytes(os.urandom(50_000))
    (context / "Dockerfile").write_text("FROM scratch\nCOPY payload.bin /payload.bin\nCOPY second.bin /second.bin\n"
                                        'LABEL berth="itest"\nCMD ["/payload.bin"]\n')
    sha = os.urandom(20).hex()
    image = f"{berth.host}/team/app:{sha}"

    dockerd.docker("build", "-q", "-t", image, context, timeout=180)
    image_id = dockerd.docker("image", "inspect", "--format", "{{.Id}}", image).stdout.decode().strip()
    try:
        push = dockerd.docker("push", image).stdout.decode()
        pushed = [line.split("digest: ")[1].split()[0] for line in push.splitlines() if "digest: sha256:" in line]
        assert pushed, push

        dockerd.docker("rmi", image)
        assert dockerd.docker("image", "inspect", image, check=False).returncode != 0

        dockerd.docker("pull", image)
        inspect = json.loads(dockerd.docker("image", "inspect", image).stdout)[0]
        assert inspect["Id"] == image_id
        assert f"{berth.host}/team/app@{pushed[0]}" in inspect["RepoDigests"]
        assert inspect["Config"]["Labels"] == {"berth": "itest"}

        # Pull by digest too.
        dockerd.docker("rmi", image)
        dockerd.docker("pull", f"{berth.host}/team/app@{pushed[0]}")
    finally:
        dockerd.docker("rmi", "--force", image, check=False)
        dockerd.docker("image", "prune", "--all", "--force", check=False)


def test_docker_push_second_tag_reuses_layers(berth, dockerd, tmp_path):
    """A second push of the same layers to another repository: docker HEADs the blobs and mounts them
    across repositories (POST ?mount=&from=)."""
    context = tmp_path / "context"
    context.mkdir()
    (context / "payload.bin").write_bytes(os.urandom(100_000))
    (context / "Dockerfile").write_text("FROM scratch\nCOPY payload.bin /payload.bin\n")
    first = f"{berth.host}/team/first:v1"
    second = f"{berth.host}/team/second:v1"
    dockerd.docker("build", "-q", "-t", first, context, timeout=180)
    try:
        dockerd.docker("push", first)
        dockerd.docker("tag", first, second)
        out = dockerd.docker("push", second).stdout.decode()
        assert "Mounted from team/first" in out or "Layer already exists" in out, out
        dockerd.docker("rmi", first, second)
        dockerd.docker("pull", second)
    finally:
        dockerd.docker("rmi", "--force", first, second, check=False)
        dockerd.docker("image", "prune", "--all", "--force", check=False)

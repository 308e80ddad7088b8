"""skopeo pushes OCI layouts to berth and pulls them back; digests must survive the round trip."""

import json

import pytest

from conftest import OciLayout, file_digest, read_layout_index

pytestmark = pytest.mark.clients

MiB = 1024 * 1024


def layout_blobs(path) -> dict:
    """digest -> verified digest of every blob file in a layout (the file name must be its hash)."""
    blobs = {}
    for blob in (path / "blobs" / "sha256").iterdir():
        digest = "sha256:" + blob.name
        assert file_digest(blob) == digest, f"blob {blob} does not hash to its name"
        blobs[digest] = blob.stat().st_size
    return blobs


def tagged(path, tag: str) -> dict:
    for entry in read_layout_index(path)["manifests"]:
        if entry.get("annotations", {}).get("org.opencontainers.image.ref.name") == tag:
            return entry
    pytest.fail(f"tag {tag} not in {path}/index.json: {read_layout_index(path)}")


def test_skopeo_round_trip(berth, skopeo, tmp_path):
    source = OciLayout(tmp_path / "src")
    image = source.make_image([300_000, 21 * MiB, 4096, 70_000])
    source.tag(image, "v1")
    reference = f"docker://{berth.host}/team/app:v1"

    push_digest = tmp_path / "push.digest"
    skopeo("copy", "--dest-tls-verify=false", "--digestfile", push_digest, f"oci:{source.path}:v1", reference)
    assert push_digest.read_text().strip() == image["digest"], "skopeo must push the manifest unchanged"

    inspect = json.loads(skopeo("inspect", "--tls-verify=false", reference).stdout)
    assert inspect["Digest"] == image["digest"]
    manifest = json.loads(source.blob(image["digest"]))
    assert inspect["Layers"] == [layer["digest"] for layer in manifest["layers"]]
    assert inspect["Architecture"] == "amd64" and inspect["Os"] == "linux"
    raw = skopeo("inspect", "--tls-verify=false", "--raw", reference).stdout
    assert raw == source.blob(image["digest"]), "the registry must serve the manifest byte-exact"
    config = json.loads(skopeo("inspect", "--tls-verify=false", "--config", "--raw", reference).stdout)
    assert config["rootfs"]["diff_ids"] == json.loads(source.blob(manifest["config"]["digest"]))["rootfs"]["diff_ids"]

    target = tmp_path / "dst"
    pull_digest = tmp_path / "pull.digest"
    skopeo("copy", "--src-tls-verify=false", "--digestfile", pull_digest, reference, f"oci:{target}:v1")
    assert pull_digest.read_text().strip() == image["digest"]
    assert tagged(target, "v1")["digest"] == image["digest"]
    assert layout_blobs(target) == layout_blobs(source.path)

    tags = json.loads(skopeo("list-tags", "--tls-verify=false", f"docker://{berth.host}/team/app").stdout)
    assert tags["Tags"] == ["v1"]


def test_skopeo_copy_between_repositories(berth, skopeo, tmp_path):
    """registry to registry: skopeo may mount blobs across repositories (the fresh cache knows none,
    but the second copy reads from berth and writes to berth)."""
    source = OciLayout(tmp_path / "src")
    image = source.make_image([50_000, 60_000])
    source.tag(image, "v1")
    skopeo("copy", "--dest-tls-verify=false", f"oci:{source.path}:v1", f"docker://{berth.host}/team/one:v1")
    digest_file = tmp_path / "copy.digest"
    skopeo("copy", "--src-tls-verify=false", "--dest-tls-verify=false", "--digestfile", digest_file,
           f"docker://{berth.host}/team/one:v1", f"docker://{berth.host}/team/two:v2")
    assert digest_file.read_text().strip() == image["digest"]
    inspect = json.loads(skopeo("inspect", "--tls-verify=false", f"docker://{berth.host}/team/two:v2").stdout)
    assert inspect["Digest"] == image["digest"]


def test_skopeo_multi_arch_index(berth, skopeo, tmp_path):
    source = OciLayout(tmp_path / "src")
    amd64 = source.make_image([40_000, 10_000], arch="amd64")
    arm64 = source.make_image([30_000, 20_000], arch="arm64")
    index = source.make_index([amd64, arm64])
    source.tag(index, "multi")
    reference = f"docker://{berth.host}/team/multi:v1"

    push_digest = tmp_path / "push.digest"
    skopeo("copy", "--all", "--dest-tls-verify=false", "--digestfile", push_digest, f"oci:{source.path}:multi",
           reference)
    assert push_digest.read_text().strip() == index["digest"]
    raw = skopeo("inspect", "--tls-verify=false", "--raw", reference).stdout
    assert raw == source.blob(index["digest"])
    arm = json.loads(skopeo("--override-arch", "arm64", "inspect", "--tls-verify=false", reference).stdout)
    # skopeo reports the index digest as "Digest"; the instance shows in its layers and architecture.
    assert arm["Architecture"] == "arm64"
    assert arm["Layers"] == [layer["digest"] for layer in json.loads(source.blob(arm64["digest"]))["layers"]]

    target = tmp_path / "dst"
    skopeo("copy", "--all", "--src-tls-verify=false", reference, f"oci:{target}:multi")
    assert tagged(target, "multi")["digest"] == index["digest"]
    assert layout_blobs(target) == layout_blobs(source.path)

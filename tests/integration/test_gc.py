"""Online garbage collection: what loses its last reference is freed while clients push and pull,
and nothing acknowledged is ever lost (issue 9). The collector runs inside `berth serve` on a
schedule and as `berth gc` from another process, both on the same data directory."""

from __future__ import annotations

import json
import os
import random
import re
import subprocess
import threading
import time
from pathlib import Path

import pytest
import requests

from conftest import (BERTH_BINARY, OCI_CONFIG, OCI_INDEX, OCI_LAYER_TAR, OCI_MANIFEST, RegistryClient, run,
                      sha256_digest)


def gc_config(path: Path, data_dir: Path, interval=3600, upload_grace=0, upload_max_age=86400) -> Path:
    path.write_text(
        'listen    = "127.0.0.1:0"\n'
        f'data_dir  = "{data_dir}"\n'
        "anonymous = true\n"
        "gc {\n"
        f"  interval_seconds     = {interval}\n"
        "  grace_period_seconds = 0\n"
        f"  upload_grace_seconds = {upload_grace}\n"
        f"  upload_max_age_seconds = {upload_max_age}\n"
        "}\n")
    return path


@pytest.fixture
def gc_server(berth_factory, tmp_path):
    """Starts berth with a gc block: a zero grace period, and the given schedule and upload grace."""

    def start(interval=3600, upload_grace=0, upload_max_age=86400):
        data_dir = tmp_path / "data"
        config = gc_config(tmp_path / "berth.hcl", data_dir, interval, upload_grace, upload_max_age)
        server = berth_factory(data_dir=data_dir, anonymous=False, config=config, listen=None, data_flag=False)
        server.config = config
        return server

    return start


def berth_gc(server, *args, check=True) -> subprocess.CompletedProcess:
    return run([BERTH_BINARY, "gc", "--config", str(server.config), *args], timeout=300, check=check)


def fsck(data_dir: Path) -> subprocess.CompletedProcess:
    return run([BERTH_BINARY, "fsck", "--data", str(data_dir)], timeout=300, check=False)


def stored_blobs(data_dir: Path) -> set[str]:
    """The digests of every blob file on disk."""
    return {f"sha256:{p.name}" for p in (data_dir / "blobs" / "sha256").rglob("*") if p.is_file()}


def metric(server, name: str) -> float:
    text = requests.get(f"{server.url}/metrics", timeout=10).text
    match = re.search(rf"^{name} (\S+)$", text, re.M)
    assert match, f"{name} not in /metrics:\n{text}"
    return float(match.group(1))


def delete_manifest(server, repo: str, digest: str):
    assert server.curl("DELETE", f"/v2/{repo}/manifests/{digest}").status == 202


def test_gc_frees_what_a_deleted_image_alone_used(gc_server, skopeo, tmp_path):
    server = gc_server()
    client = RegistryClient(server.url)
    shared = os.urandom(20_000)
    kept = client.push_image("team/app", "kept", layer_sizes=(3000,))
    client.push_blob("team/app", shared)
    doomed = client.push_image("team/app", "doomed", layer_sizes=(4000, 5000))
    base = {"mediaType": OCI_LAYER_TAR, "digest": sha256_digest(shared), "size": len(shared)}
    first_versions = [kept.digest, doomed.digest]
    for image in (kept, doomed):  # both also use the shared layer
        manifest = json.loads(image.manifest)
        manifest["layers"].append(base)
        image.manifest = json.dumps(manifest).encode()
        image.digest = client.push_manifest("team/app", image.tag, image.manifest, OCI_MANIFEST)
    delete_manifest(server, "team/app", doomed.digest)
    # The first version of each manifest is untagged now, still stored: an untagged image is kept.
    only_doomed = {doomed.config_digest, *doomed.layer_digests}
    assert only_doomed <= stored_blobs(server.data_dir)

    dry = berth_gc(server, "--dry-run").stdout.decode()
    assert dry.splitlines()[-1] == "would delete (dry run): 0 manifests, 0 blobs (0 bytes), 0 abandoned uploads", dry

    # Delete the untagged first versions too, then collect.
    for digest in first_versions:
        delete_manifest(server, "team/app", digest)
    dry = berth_gc(server, "--dry-run").stdout.decode()
    due = {line.split()[1] for line in dry.splitlines() if line.startswith("blob ")}
    assert due == only_doomed, dry
    assert only_doomed <= stored_blobs(server.data_dir)

    config_size = len(client.session.get(f"{server.url}/v2/team/app/blobs/{doomed.config_digest}").content)
    done = berth_gc(server).stdout.decode()
    assert done.splitlines()[-1] == \
        f"deleted 0 manifests, 3 blobs ({config_size + 9000} bytes), 0 abandoned uploads", done
    remaining = stored_blobs(server.data_dir)
    assert not only_doomed & remaining
    assert {kept.config_digest, *kept.layer_digests, sha256_digest(shared)} <= remaining
    for digest in only_doomed:
        assert server.curl("HEAD", f"/v2/team/app/blobs/{digest}").status == 404

    # The survivor still pulls with a real client, and the store is consistent.
    skopeo("copy", "--src-tls-verify=false", f"docker://{server.host}/team/app:kept", f"dir:{tmp_path / 'pulled'}")
    assert fsck(server.data_dir).returncode == 0
    assert berth_gc(server).stdout.decode().splitlines()[-1] == \
        "deleted 0 manifests, 0 blobs (0 bytes), 0 abandoned uploads"


def test_deleting_an_index_frees_its_untagged_children_and_referrers(gc_server):
    server = gc_server()
    client = RegistryClient(server.url)
    amd64 = client.push_image("team/multi", "amd64-tmp", layer_sizes=(1000,))
    arm64 = client.push_image("team/multi", "arm64", layer_sizes=(1000,))
    assert server.curl("DELETE", "/v2/team/multi/manifests/amd64-tmp").status == 202  # untagged now
    index = json.dumps({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": [
        {"mediaType": OCI_MANIFEST, "digest": image.digest, "size": len(image.manifest)} for image in (amd64, arm64)
    ]}).encode()
    index_digest = client.push_manifest("team/multi", "multi", index, OCI_INDEX)
    sbom_config = client.push_blob("team/multi", b"{}")
    sbom = json.dumps({"schemaVersion": 2, "mediaType": OCI_MANIFEST, "artifactType": "application/spdx+json",
                       "config": {"mediaType": "application/vnd.oci.empty.v1+json", "digest": sbom_config, "size": 2},
                       "layers": [],
                       "subject": {"mediaType": OCI_INDEX, "digest": index_digest, "size": len(index)}}).encode()
    sbom_digest = client.push_manifest("team/multi", sha256_digest(sbom), sbom, OCI_MANIFEST)

    delete_manifest(server, "team/multi", index_digest)
    done = berth_gc(server).stdout.decode()
    manifests = {tuple(line.split()[1:]) for line in done.splitlines() if line.startswith("manifest ")}
    assert manifests == {("team/multi", amd64.digest), ("team/multi", sbom_digest)}, done
    assert server.curl("HEAD", f"/v2/team/multi/manifests/{amd64.digest}").status == 404
    assert server.curl("HEAD", f"/v2/team/multi/manifests/{sbom_digest}").status == 404
    assert server.curl("HEAD", "/v2/team/multi/manifests/arm64").status == 200
    # The child's own blobs went with it; the tagged sibling's stayed.
    remaining = stored_blobs(server.data_dir)
    assert not {amd64.config_digest, *amd64.layer_digests} & remaining
    assert {arm64.config_digest, *arm64.layer_digests} <= remaining
    assert fsck(server.data_dir).returncode == 0


def test_the_schedule_inside_serve_collects_and_reports_metrics(gc_server):
    server = gc_server(interval=1)
    client = RegistryClient(server.url)
    image = client.push_image("team/app", "v1", layer_sizes=(2000, 3000))
    delete_manifest(server, "team/app", image.digest)
    deadline = time.monotonic() + 20
    while metric(server, "berth_gc_blobs_deleted_total") < 3:
        assert time.monotonic() < deadline, server.log
        time.sleep(0.2)
    assert metric(server, "berth_gc_bytes_freed_total") >= 5000
    assert metric(server, "berth_gc_runs_total") >= 1
    assert metric(server, "berth_gc_last_run_timestamp_seconds") > time.time() - 60
    assert metric(server, "berth_gc_queue_blobs") == 0
    assert not {image.config_digest, *image.layer_digests} & stored_blobs(server.data_dir)


def test_abandoned_uploads_are_purged(gc_server):
    server = gc_server(upload_max_age=1)
    started = server.curl("POST", "/v2/team/app/blobs/uploads/")
    assert started.status == 202
    location = started.headers["Location"]
    assert server.curl("PATCH", location, data=b"partial", headers={"Content-Type": "application/octet-stream"}).status \
        == 202
    assert len(list((server.data_dir / "uploads").iterdir())) == 1
    time.sleep(2.1)
    done = berth_gc(server).stdout.decode()
    assert done.splitlines()[-1].endswith(", 1 abandoned uploads"), done
    assert list((server.data_dir / "uploads").iterdir()) == []
    assert server.curl("GET", location).error_codes() == ["BLOB_UPLOAD_UNKNOWN"]


class Pusher:
    """Pushes images the way docker does: HEAD each layer, upload only what is missing, then the
    manifest. Records an image only once its manifest was acknowledged."""

    def __init__(self, base: str):
        self.base = base
        self.session = requests.Session()

    def ensure_blob(self, repo: str, data: bytes) -> str:
        digest = sha256_digest(data)
        if self.session.head(f"{self.base}/v2/{repo}/blobs/{digest}", timeout=30).status_code == 200:
            return digest
        r = self.session.post(f"{self.base}/v2/{repo}/blobs/uploads/?digest={digest}", data=data, timeout=30,
                              headers={"Content-Type": "application/octet-stream"})
        assert r.status_code == 201, (r.status_code, r.text)
        return digest

    def push(self, repo: str, tag: str, config: bytes, layers: list[bytes]) -> tuple[str, bytes]:
        manifest = json.dumps({
            "schemaVersion": 2, "mediaType": OCI_MANIFEST,
            "config": {"mediaType": OCI_CONFIG, "digest": self.ensure_blob(repo, config), "size": len(config)},
            "layers": [{"mediaType": OCI_LAYER_TAR, "digest": self.ensure_blob(repo, layer), "size": len(layer)}
                       for layer in layers],
        }).encode()
        r = self.session.put(f"{self.base}/v2/{repo}/manifests/{tag}", data=manifest, timeout=30,
                             headers={"Content-Type": OCI_MANIFEST})
        assert r.status_code == 201, (r.status_code, r.text)
        return sha256_digest(manifest), manifest

    def pull_and_verify(self, repo: str, digest: str):
        r = self.session.get(f"{self.base}/v2/{repo}/manifests/{digest}", timeout=30,
                             headers={"Accept": OCI_MANIFEST})
        assert r.status_code == 200, (repo, digest, r.status_code, r.text)
        assert sha256_digest(r.content) == digest
        manifest = json.loads(r.content)
        for descriptor in [manifest["config"], *manifest["layers"]]:
            blob = self.session.get(f"{self.base}/v2/{repo}/blobs/{descriptor['digest']}", timeout=30)
            assert blob.status_code == 200, (repo, digest, descriptor, blob.status_code)
            assert sha256_digest(blob.content) == descriptor["digest"], (repo, digest, descriptor)


@pytest.mark.slow
def test_no_acknowledged_image_is_lost_while_gc_runs_under_concurrent_pushes(gc_server):
    """Four pushers share base layers, a deleter removes acknowledged images, and two collectors
    (serve's schedule every second and `berth gc` in a loop from another process) run with a zero
    grace period throughout. Every image still tagged at the end pulls with every blob re-hashed,
    fsck is clean, and what no surviving image uses is gone from disk."""
    upload_grace = 2
    server = gc_server(interval=1, upload_grace=upload_grace)
    rng = random.Random(9)
    bases = [os.urandom(rng.randint(50_000, 150_000)) for _ in range(4)]
    alive: dict[tuple[str, str], float] = {}  # (repo, manifest digest) -> when acknowledged
    deleted: list[tuple[str, str]] = []
    lock = threading.Lock()
    stop = threading.Event()
    errors: list[str] = []
    collections = {"cli_runs": 0, "cli_blobs": 0}

    def pusher(n: int):
        client = Pusher(server.url)
        local = random.Random(n)
        repo = f"gc/app{n % 2}"
        try:
            for i in range(20):
                layers = local.sample(bases, 2) + [os.urandom(local.randint(1000, 30_000))]
                config = json.dumps({"architecture": "amd64", "os": "linux", "n": n, "i": i}).encode()
                digest, _ = client.push(repo, f"p{n}-{i}", config, layers)
                client.pull_and_verify(repo, digest)
                with lock:
                    alive[(repo, digest)] = time.monotonic()
                time.sleep(local.uniform(0.05, 0.4))
        except Exception as e:  # noqa: BLE001 - every failure is reported
            errors.append(f"pusher {n}: {e!r}")

    def deleter():
        client = requests.Session()
        local = random.Random(99)
        while not stop.is_set():
            time.sleep(0.25)
            with lock:
                # Old enough that their unique layers are past the upload grace: the collector bites.
                candidates = [key for key, at in alive.items() if time.monotonic() - at > upload_grace + 0.5]
                if not candidates:
                    continue
                repo, digest = local.choice(candidates)
                del alive[(repo, digest)]
                deleted.append((repo, digest))
            r = client.delete(f"{server.url}/v2/{repo}/manifests/{digest}", timeout=30)
            if r.status_code != 202:
                errors.append(f"delete {repo}@{digest}: {r.status_code} {r.text}")

    def collector():
        while not stop.is_set():
            result = berth_gc(server, check=False)
            if result.returncode != 0:
                errors.append(f"berth gc: {result.stderr.decode()}")
                return
            summary = result.stdout.decode().splitlines()[-1]
            collections["cli_runs"] += 1
            collections["cli_blobs"] += int(re.search(r"(\d+) blobs", summary).group(1))

    pushers = [threading.Thread(target=pusher, args=(n,)) for n in range(4)]
    others = [threading.Thread(target=deleter), threading.Thread(target=collector)]
    for thread in pushers + others:
        thread.start()
    for thread in pushers:
        thread.join(timeout=300)
    time.sleep(upload_grace + 2)  # the last deletions become due while the collectors still run
    stop.set()
    for thread in others:
        thread.join(timeout=120)
    assert not errors, "\n".join(errors)
    assert deleted and alive

    # Whatever the collectors did, every acknowledged image still tagged pulls intact.
    verifier = Pusher(server.url)
    for repo, digest in alive:
        verifier.pull_and_verify(repo, digest)
    freed = collections["cli_blobs"] + metric(server, "berth_gc_blobs_deleted_total")
    assert freed > 0, "the collectors never deleted anything: the test proved nothing"
    assert collections["cli_runs"] > 0
    assert fsck(server.data_dir).returncode == 0

    # Once the upload grace is over, what no surviving image uses is gone from disk.
    time.sleep(upload_grace + 1)
    berth_gc(server)
    used = set()
    for repo, digest in alive:
        manifest = json.loads(requests.get(f"{server.url}/v2/{repo}/manifests/{digest}", timeout=30,
                                           headers={"Accept": OCI_MANIFEST}).content)
        used |= {manifest["config"]["digest"], *(layer["digest"] for layer in manifest["layers"])}
    assert stored_blobs(server.data_dir) == used


@pytest.mark.slow
def test_sigkill_during_gc_loses_nothing_acknowledged(gc_server, berth_factory):
    server = gc_server()
    client = RegistryClient(server.url)
    kept = [client.push_image("team/keep", f"v{i}", layer_sizes=(2000, 3000)) for i in range(5)]
    for round_number in range(4):
        # Garbage: images whose layers nothing else uses, deleted at once.
        for i in range(150):
            image = client.push_image("team/churn", f"r{round_number}-{i}", layer_sizes=(500,))
            delete_manifest(server, "team/churn", image.digest)
        collector = subprocess.Popen([BERTH_BINARY, "gc", "--config", str(server.config)],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(0.05 + 0.1 * round_number)
        collector.kill()
        collector.wait(timeout=30)
        assert fsck(server.data_dir).returncode == 0
        for image in kept:
            Pusher(server.url).pull_and_verify("team/keep", image.digest)

    # The server dies during a scheduled run too; after a restart everything acknowledged is there.
    for i in range(150):
        image = client.push_image("team/churn", f"last-{i}", layer_sizes=(500,))
        delete_manifest(server, "team/churn", image.digest)
    server.config.write_text(server.config.read_text().replace("interval_seconds     = 3600",
                                                               "interval_seconds     = 1"))
    server.kill()
    restarted = berth_factory(data_dir=server.data_dir, anonymous=False, config=server.config, listen=None,
                              data_flag=False)
    time.sleep(1.02)  # the first scheduled run starts one interval after start, and takes longer than this
    restarted.kill()
    assert fsck(server.data_dir).returncode == 0

    final = berth_factory(data_dir=server.data_dir, anonymous=False, config=server.config, listen=None,
                          data_flag=False)
    final.config = server.config
    berth_gc(final)
    for image in kept:
        Pusher(final.url).pull_and_verify("team/keep", image.digest)
    expected = {digest for image in kept for digest in (image.config_digest, *image.layer_digests)}
    assert stored_blobs(server.data_dir) == expected
    assert fsck(server.data_dir).returncode == 0

"""kill -9 in the middle of concurrent uploads: what was acknowledged survives, fsck stays clean."""

import http.client
import json
import os
import random
import threading
import time
from urllib.parse import urlsplit

import pytest

from conftest import BERTH_BINARY, OCI_CONFIG, OCI_LAYER_TAR, OCI_MANIFEST, RegistryClient, run, sha256_digest

pytestmark = pytest.mark.slow

MiB = 1024 * 1024


class Uploader:
    """One connection, one chunked upload at a time (raw http.client: no retries behind our back)."""

    def __init__(self, port: int):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def request(self, method, path, body=b"", headers=None):
        self.conn.request(method, path, body=body, headers=headers or {})
        response = self.conn.getresponse()
        return response.status, response.headers, response.read()

    @staticmethod
    def path_of(location: str) -> str:
        parts = urlsplit(location)
        return parts.path + (f"?{parts.query}" if parts.query else "")

    def push(self, repo: str, data: bytes, chunk: int, pause=0.0, stop: threading.Event | None = None) -> str:
        status, headers, body = self.request("POST", f"/v2/{repo}/blobs/uploads/", headers={"Content-Length": "0"})
        assert status == 202, (status, body)
        location = self.path_of(headers["Location"])
        for start in range(0, len(data), chunk):
            if stop is not None and stop.is_set():
                raise ConnectionAbortedError("stopped")
            part = data[start:start + chunk]
            status, headers, body = self.request(
                "PATCH", location, part,
                {"Content-Type": "application/octet-stream", "Content-Range": f"{start}-{start + len(part) - 1}"})
            assert status == 202, (status, body)
            location = self.path_of(headers.get("Location") or location)
            time.sleep(pause)
        digest = sha256_digest(data)
        sep = "&" if "?" in location else "?"
        status, headers, body = self.request("PUT", f"{location}{sep}digest={digest}", headers={"Content-Length": "0"})
        assert status == 201, (status, body)
        return digest

    def close(self):
        self.conn.close()


def fsck(data_dir):
    return run([BERTH_BINARY, "fsck", "--data", str(data_dir)], timeout=120, check=False)


def test_kill_9_during_concurrent_uploads(berth_factory, tmp_path):
    data_dir = tmp_path / "data"
    server = berth_factory(data_dir=data_dir)
    rng = random.Random(7)
    completed: dict[str, str] = {}  # digest -> repo, recorded only once the 201 arrived
    completed_manifests: list[tuple[str, str, bytes]] = []
    lock = threading.Lock()
    stop = threading.Event()
    errors: list[str] = []

    def slow_worker(n: int):
        # Long uploads that are mid-flight when the server dies.
        uploader = Uploader(server.port)
        try:
            while not stop.is_set():
                data = os.urandom(rng.randint(2, 4) * MiB)
                digest = uploader.push(f"crash/slow{n % 4}", data, 256 * 1024, pause=0.02, stop=stop)
                with lock:
                    completed[digest] = f"crash/slow{n % 4}"
        except (OSError, http.client.HTTPException):
            pass  # the server was killed
        except AssertionError as e:
            if not stop.is_set():
                errors.append(f"slow{n}: {e}")
        finally:
            uploader.close()

    def fast_worker(n: int):
        # Many complete pushes (blobs + a manifest), some of which finish right before the kill.
        uploader = Uploader(server.port)
        repo = f"crash/fast{n}"
        try:
            i = 0
            while not stop.is_set():
                config = json.dumps({"architecture": "amd64", "os": "linux", "i": i, "n": n}).encode()
                layer = os.urandom(rng.randint(100_000, 900_000))
                config_digest = uploader.push(repo, config, 1 << 20)
                layer_digest = uploader.push(repo, layer, 128 * 1024)
                with lock:
                    completed[config_digest] = repo
                    completed[layer_digest] = repo
                manifest = json.dumps({
                    "schemaVersion": 2, "mediaType": OCI_MANIFEST,
                    "config": {"mediaType": OCI_CONFIG, "digest": config_digest, "size": len(config)},
                    "layers": [{"mediaType": OCI_LAYER_TAR, "digest": layer_digest, "size": len(layer)}],
                }).encode()
                status, _, body = uploader.request("PUT", f"/v2/{repo}/manifests/t{i}", manifest,
                                                   {"Content-Type": OCI_MANIFEST})
                assert status == 201, (status, body)
                with lock:
                    completed_manifests.append((repo, f"t{i}", manifest))
                i += 1
        except (OSError, http.client.HTTPException):
            pass
        except AssertionError as e:
            if not stop.is_set():
                errors.append(f"fast{n}: {e}")
        finally:
            uploader.close()

    threads = [threading.Thread(target=slow_worker, args=(n,)) for n in range(10)]
    threads += [threading.Thread(target=fast_worker, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    time.sleep(3.0)
    server.proc.kill()  # SIGKILL: no chance to clean up
    server.proc.wait(timeout=10)
    stop.set()
    for thread in threads:
        thread.join(timeout=40)
    assert not any(thread.is_alive() for thread in threads), "an upload thread hung after the kill"
    assert not errors, errors
    assert completed_manifests, "no manifest push completed before the kill; the test proves nothing"

    result = fsck(data_dir)
    assert result.returncode == 0, f"fsck after kill -9:\n{result.stdout.decode()}\n{result.stderr.decode()}"

    server = berth_factory(data_dir=data_dir)
    client = RegistryClient(server.url)
    for digest, repo in completed.items():
        r = client.session.get(f"{server.url}/v2/{repo}/blobs/{digest}", timeout=30)
        assert r.status_code == 200, (repo, digest, r.status_code, r.text[:300])
        assert sha256_digest(r.content) == digest
    for repo, tag, manifest in completed_manifests:
        r = client.session.get(f"{server.url}/v2/{repo}/manifests/{tag}", headers={"Accept": OCI_MANIFEST},
                               timeout=30)
        assert r.status_code == 200, (repo, tag, r.status_code, r.text[:300])
        assert r.content == manifest
    # The restarted server accepts new pushes into the same repositories.
    client.push_image("crash/fast0", "after")
    assert server.stop() == 0
    result = fsck(data_dir)
    assert result.returncode == 0, f"fsck after restart:\n{result.stdout.decode()}\n{result.stderr.decode()}"


def test_same_blob_pushed_concurrently(berth):
    data = os.urandom(3 * MiB)
    barrier = threading.Barrier(4)
    results = []

    def push(n):
        uploader = Uploader(berth.port)
        try:
            barrier.wait(timeout=10)
            results.append(uploader.push(f"team/same{n % 2}", data, 512 * 1024))
        except Exception as e:  # reported below
            results.append(e)
        finally:
            uploader.close()

    threads = [threading.Thread(target=push, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert results == [sha256_digest(data)] * 4, results
    client = RegistryClient(berth.url)
    for repo in ("team/same0", "team/same1"):
        r = client.session.get(f"{berth.url}/v2/{repo}/blobs/{sha256_digest(data)}", timeout=30)
        assert r.status_code == 200 and r.content == data
    assert berth.stop() == 0
    result = fsck(berth.data_dir)
    assert result.returncode == 0, result.stdout.decode() + result.stderr.decode()

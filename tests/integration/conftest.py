"""Fixtures and helpers for berth's integration tests.

Every test drives the built `berth` binary ($BERTH_BINARY, default build/berth) with real clients:
curl, skopeo, podman/buildah and docker against a private dockerd. Every process a test starts is
stopped by that test (bounded waits), and every subprocess call has a timeout.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tarfile
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests
from requests.structures import CaseInsensitiveDict

REPO_ROOT = Path(__file__).resolve().parents[2]
BERTH_BINARY = os.environ.get("BERTH_BINARY") or str(REPO_ROOT / "build" / "berth")

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_LAYER_TAR = "application/vnd.oci.image.layer.v1.tar"
OCI_LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip"
DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json"
DOCKER_LAYER = "application/vnd.docker.image.rootfs.diff.tar.gzip"

LISTENING_ADDRESS = re.compile(r'address"?\s*[=:]\s*"?(\d{1,3}(?:\.\d{1,3}){3}):(\d+)')


def pytest_configure(config):
    config.addinivalue_line("markers", "clients: drives a real registry client (skopeo, podman, docker)")
    config.addinivalue_line("markers", "slow: takes more than a few seconds")


def require_binary(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} is not installed")
    return path


def sha256_digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def file_digest(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return "sha256:" + h.hexdigest()


def run(cmd, timeout=120, check=True, env=None, input=None, cwd=None) -> subprocess.CompletedProcess:
    """Runs a command with a hard timeout; on failure the assertion shows its output."""
    try:
        proc = subprocess.run(cmd, capture_output=True, timeout=timeout, env=env, input=input, cwd=cwd)
    except subprocess.TimeoutExpired as e:
        pytest.fail(f"timed out after {timeout}s: {' '.join(map(str, cmd))}\nstdout: {e.stdout!r}\nstderr: {e.stderr!r}")
    if check and proc.returncode != 0:
        pytest.fail(
            f"exit {proc.returncode}: {' '.join(map(str, cmd))}\n"
            f"stdout: {proc.stdout.decode(errors='replace')[-4000:]}\n"
            f"stderr: {proc.stderr.decode(errors='replace')[-4000:]}")
    return proc


# --------------------------------------------------------------------------------------------------
# The berth server


class BerthServer:
    """One `berth serve` process. Its stderr is collected line by line; the port comes from the
    `listening ... address=127.0.0.1:PORT` log line (text or JSON)."""

    def __init__(self, data_dir: Path, anonymous=True, config: Path | None = None, extra_args=(),
                 listen: str | None = "127.0.0.1:0", log_format: str | None = None, data_flag=True,
                 env: dict | None = None):
        self.data_dir = Path(data_dir)
        self.env = env
        self.args = [BERTH_BINARY, "serve"]
        if listen is not None:
            self.args += ["--listen", listen]
        if data_flag:
            self.args += ["--data", str(self.data_dir)]
        if anonymous:
            self.args.append("--anonymous")
        if config is not None:
            self.args += ["--config", str(config)]
        if log_format is not None:
            self.args += ["--log-format", log_format]
        self.args += list(extra_args)
        self.log_lines: list[str] = []
        self.proc: subprocess.Popen | None = None
        self.host = ""
        self.port = 0
        self._listening = threading.Event()
        self._readers: list[threading.Thread] = []

    @property
    def url(self) -> str:
        return f"http://{self.host}"

    @property
    def log(self) -> str:
        return "\n".join(self.log_lines)

    def _read(self, stream):
        for raw in iter(stream.readline, b""):
            line = raw.decode(errors="replace").rstrip("\n")
            self.log_lines.append(line)
            if not self._listening.is_set() and "listening" in line:
                match = LISTENING_ADDRESS.search(line)
                if match:
                    self.port = int(match.group(2))
                    self.host = f"{match.group(1)}:{self.port}"
                    self._listening.set()
        stream.close()

    def start(self, timeout=20.0) -> "BerthServer":
        if not os.access(BERTH_BINARY, os.X_OK):
            pytest.fail(f"berth binary not found at {BERTH_BINARY} (set BERTH_BINARY)")
        self.proc = subprocess.Popen(self.args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     stdin=subprocess.DEVNULL, env=self.env)
        for stream in (self.proc.stdout, self.proc.stderr):
            reader = threading.Thread(target=self._read, args=(stream,), daemon=True)
            reader.start()
            self._readers.append(reader)
        deadline = time.monotonic() + timeout
        while not self._listening.wait(0.05):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.kill()
                pytest.fail(f"berth did not report 'listening address=...' (exit {self.proc.returncode}):\n"
                            f"{' '.join(self.args)}\n{self.log}")
        # The log line may precede accept(); make sure a connection goes through before tests run.
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    self.kill()
                    pytest.fail(f"berth reported port {self.port} but does not accept:\n{self.log}")
                time.sleep(0.05)
        return self

    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self, timeout=35.0) -> int:
        """SIGTERM, then wait; SIGKILL (and fail) if it does not stop in time. Returns the exit code."""
        if self.proc is None:
            return 0
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            code = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            pytest.fail(f"berth did not exit within {timeout}s of SIGTERM:\n{self.log}")
        self._join_readers()
        return code

    def kill(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)
        self._join_readers()

    def _join_readers(self):
        for reader in self._readers:
            reader.join(timeout=5)

    # Convenience: curl against this server.
    def curl(self, method, path, **kwargs) -> "CurlResponse":
        return curl(self.url, method, path, **kwargs)


@pytest.fixture
def berth_factory(tmp_path):
    """Starts berth servers on demand; at teardown every one still running gets SIGTERM and must
    exit 0."""
    servers: list[BerthServer] = []

    def start(data_dir: Path | None = None, **kwargs) -> BerthServer:
        if data_dir is None:
            data_dir = tmp_path / f"data{len(servers)}"
        server = BerthServer(data_dir, **kwargs)
        servers.append(server)
        return server.start()

    yield start
    failures = []
    for server in servers:
        if server.proc is None or server.proc.returncode is not None:
            continue  # stopped (or killed) by the test itself, which checked what it wanted
        code = server.stop()
        if code != 0:
            failures.append(f"berth exited {code} after SIGTERM:\n{server.log[-4000:]}")
    if failures:
        pytest.fail("\n".join(failures))


@pytest.fixture
def berth(berth_factory) -> BerthServer:
    """A berth server with --anonymous on a free port and a fresh data dir."""
    return berth_factory()


def write_config(path: Path, data_dir: Path, anonymous=True, extra="") -> Path:
    """A small HCL config file for `berth serve --config`."""
    path.write_text(
        'listen   = "127.0.0.1:0"\n'
        f'data_dir = "{data_dir}"\n'
        f"anonymous = {'true' if anonymous else 'false'}\n"
        f"{extra}")
    return path


@pytest.fixture
def berth_with_config(berth_factory, tmp_path):
    """Starts berth with only `--config FILE` (listen, data_dir, anonymous come from the file)."""

    def start(extra="", data_dir: Path | None = None) -> BerthServer:
        data_dir = data_dir or tmp_path / "config-data"
        config = write_config(tmp_path / "berth.hcl", data_dir, extra=extra)
        return berth_factory(data_dir=data_dir, anonymous=False, config=config, listen=None, data_flag=False)

    return start


# --------------------------------------------------------------------------------------------------
# curl


@dataclass
class CurlResponse:
    status: int
    headers: CaseInsensitiveDict
    body: bytes
    raw_headers: list = field(default_factory=list)  # (name, value) in order, repeats kept

    def json(self):
        return json.loads(self.body)

    def header_values(self, name: str) -> list[str]:
        return [v for k, v in self.raw_headers if k.lower() == name.lower()]

    def error_codes(self) -> list[str]:
        """The `code`s of an OCI error body; fails the test if the body is not OCI error JSON."""
        try:
            doc = json.loads(self.body)
        except ValueError:
            pytest.fail(f"error body is not JSON (status {self.status}): {self.body[:500]!r}")
        assert isinstance(doc, dict) and isinstance(doc.get("errors"), list) and doc["errors"], doc
        codes = []
        for error in doc["errors"]:
            assert re.fullmatch(r"[A-Z_]+", error.get("code", "")), error
            codes.append(error["code"])
        return codes

    def __str__(self):
        head = "\n".join(f"{k}: {v}" for k, v in self.raw_headers)
        return f"HTTP {self.status}\n{head}\n\n{self.body[:1000]!r}"


def _parse_header_file(text: str):
    # With redirects off there can still be several blocks (e.g. "100 Continue"); keep the last.
    blocks = [b for b in re.split(r"\r?\n\r?\n", text) if b.strip()]
    if not blocks:
        pytest.fail(f"curl produced no response headers: {text!r}")
    lines = blocks[-1].splitlines()
    status = int(lines[0].split()[1])
    raw = []
    for line in lines[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            raw.append((name.strip(), value.strip()))
    headers = CaseInsensitiveDict()
    for name, value in raw:
        headers[name] = f"{headers[name]}, {value}" if name in headers else value
    return status, headers, raw


def curl(base_url: str, method: str, path: str, headers: dict | None = None, data: bytes | None = None,
         data_file: Path | None = None, extra_args=(), timeout=120) -> CurlResponse:
    """Runs the real curl binary. `path` may be absolute (a Location header) or relative to base_url.
    The path is sent as is (--path-as-is, no globbing) so tests can send `..` tricks."""
    url = path if re.match(r"https?://", path) else base_url + path
    headers = dict(headers or {})
    with tempfile.TemporaryDirectory(prefix="curl-") as tmp:
        header_file = Path(tmp) / "headers"
        body_file = Path(tmp) / "body"
        cmd = ["curl", "-sS", "--path-as-is", "-g", "--max-time", str(timeout), "-D", str(header_file),
               "-o", str(body_file)]
        if method == "HEAD":
            cmd.append("--head")
        else:
            cmd += ["-X", method]
        if data is not None:
            data_file = Path(tmp) / "upload"
            data_file.write_bytes(data)
        if data_file is not None:
            cmd += ["--data-binary", f"@{data_file}"]
            headers.setdefault("Content-Type", "application/octet-stream")
            headers.setdefault("Expect", "")  # no 100-continue round trip (clients like docker never send it)
        for name, value in headers.items():
            cmd += ["-H", f"{name}:" if value == "" else f"{name}: {value}"]
        cmd += list(extra_args)
        cmd.append(url)
        proc = run(cmd, timeout=timeout + 10, check=False)
        if proc.returncode != 0:
            pytest.fail(f"curl {method} {url} failed (exit {proc.returncode}): {proc.stderr.decode(errors='replace')}")
        status, parsed, raw = _parse_header_file(header_file.read_text(errors="replace"))
        # With --head curl writes the headers to -o as well; a HEAD response has no body by definition.
        body = body_file.read_bytes() if body_file.exists() and method != "HEAD" else b""
        return CurlResponse(status, parsed, body, raw)


# --------------------------------------------------------------------------------------------------
# Pushing content with Python (test setup; the endpoints themselves are exercised with curl)


class RegistryClient:
    """A small OCI client on `requests`, for setting up content quickly."""

    def __init__(self, base_url: str, timeout=60):
        self.base = base_url
        self.session = requests.Session()
        self.timeout = timeout

    def url(self, location: str) -> str:
        return location if location.startswith("http") else self.base + location

    def push_blob(self, repo: str, data: bytes) -> str:
        digest = sha256_digest(data)
        r = self.session.post(f"{self.base}/v2/{repo}/blobs/uploads/", timeout=self.timeout)
        assert r.status_code == 202, (r.status_code, r.headers, r.text)
        location = self.url(r.headers["Location"])
        sep = "&" if "?" in location else "?"
        r = self.session.put(f"{location}{sep}digest={digest}", data=data, timeout=self.timeout,
                             headers={"Content-Type": "application/octet-stream"})
        assert r.status_code == 201, (r.status_code, r.headers, r.text)
        return digest

    def push_manifest(self, repo: str, reference: str, body: bytes, media_type: str) -> str:
        r = self.session.put(f"{self.base}/v2/{repo}/manifests/{reference}", data=body,
                             headers={"Content-Type": media_type}, timeout=self.timeout)
        assert r.status_code == 201, (r.status_code, r.headers, r.text)
        return sha256_digest(body)

    def push_image(self, repo: str, tag: str, layer_sizes=(1024,), media_type=OCI_MANIFEST, extra=None,
                   config: bytes | None = None) -> "PushedImage":
        layers = [os.urandom(size) for size in layer_sizes]
        config = config if config is not None else json.dumps(
            {"architecture": "amd64", "os": "linux", "rand": os.urandom(8).hex()}).encode()
        config_digest = self.push_blob(repo, config)
        layer_digests = [self.push_blob(repo, layer) for layer in layers]
        oci = media_type == OCI_MANIFEST
        manifest = {
            "schemaVersion": 2,
            "mediaType": media_type,
            "config": {"mediaType": OCI_CONFIG if oci else DOCKER_CONFIG, "digest": config_digest,
                       "size": len(config)},
            "layers": [{"mediaType": OCI_LAYER_TAR if oci else DOCKER_LAYER, "digest": d, "size": len(b)}
                       for d, b in zip(layer_digests, layers)],
        }
        if extra:
            manifest.update(extra)
        body = json.dumps(manifest, indent=2).encode()
        digest = self.push_manifest(repo, tag, body, media_type)
        return PushedImage(repo, tag, digest, body, config_digest, layer_digests, layers)


@dataclass
class PushedImage:
    repo: str
    tag: str
    digest: str
    manifest: bytes
    config_digest: str
    layer_digests: list
    layers: list


@pytest.fixture
def client(berth) -> RegistryClient:
    return RegistryClient(berth.url)


# --------------------------------------------------------------------------------------------------
# OCI image layouts written by hand


def make_layer_tar(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name, content in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(content)
            info.mode = 0o644
            info.mtime = 0
            tar.addfile(info, io.BytesIO(content))
    return out.getvalue()


class OciLayout:
    """An OCI image layout directory (oci-layout, index.json, blobs/sha256/...)."""

    def __init__(self, path: Path):
        self.path = Path(path)
        (self.path / "blobs" / "sha256").mkdir(parents=True, exist_ok=True)
        (self.path / "oci-layout").write_text(json.dumps({"imageLayoutVersion": "1.0.0"}))
        self.index: list[dict] = []
        self._write_index()

    def add_blob(self, data: bytes) -> str:
        digest = sha256_digest(data)
        (self.path / "blobs" / "sha256" / digest.split(":")[1]).write_bytes(data)
        return digest

    def make_image(self, layer_sizes, arch="amd64") -> dict:
        """Writes an image with one random file per layer; returns its manifest descriptor. Layers are
        gzipped: skopeo's docker:// destination compresses uncompressed layers, which would change the
        manifest digest."""
        layer_descs, diff_ids = [], []
        for i, size in enumerate(layer_sizes):
            tar = make_layer_tar({f"layer{i}.bin": os.urandom(size)})
            diff_ids.append(sha256_digest(tar))
            layer = gzip.compress(tar, compresslevel=1, mtime=0)
            layer_descs.append({"mediaType": OCI_LAYER_GZIP, "digest": self.add_blob(layer), "size": len(layer)})
        config = json.dumps({
            "architecture": arch, "os": "linux",
            "config": {"Cmd": ["/layer0.bin"]},
            "rootfs": {"type": "layers", "diff_ids": diff_ids},
        }).encode()
        manifest = json.dumps({
            "schemaVersion": 2,
            "mediaType": OCI_MANIFEST,
            "config": {"mediaType": OCI_CONFIG, "digest": self.add_blob(config), "size": len(config)},
            "layers": layer_descs,
        }).encode()
        return {"mediaType": OCI_MANIFEST, "digest": self.add_blob(manifest), "size": len(manifest),
                "platform": {"architecture": arch, "os": "linux"}}

    def make_index(self, manifests: list[dict]) -> dict:
        index = json.dumps({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": manifests}).encode()
        return {"mediaType": OCI_INDEX, "digest": self.add_blob(index), "size": len(index)}

    def tag(self, descriptor: dict, tag: str):
        entry = {k: v for k, v in descriptor.items() if k != "platform"}
        entry["annotations"] = {"org.opencontainers.image.ref.name": tag}
        self.index.append(entry)
        self._write_index()

    def _write_index(self):
        (self.path / "index.json").write_text(
            json.dumps({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": self.index}))

    def blob(self, digest: str) -> bytes:
        return (self.path / "blobs" / "sha256" / digest.split(":")[1]).read_bytes()


def read_layout_index(path: Path) -> dict:
    return json.loads((Path(path) / "index.json").read_text())


# --------------------------------------------------------------------------------------------------
# A private blob-info cache for containers/image tools (skopeo, podman, buildah)


def with_private_blob_info_cache(cmd: list) -> list:
    """Wraps `cmd` so it runs with an empty, throwaway /var/lib/containers.

    containers/image (skopeo 1.9, podman 4.3, buildah 1.28) keeps a BoltDB "blob info cache" that
    remembers which blobs it has seen in which registry/repository; later runs then skip uploads or
    try cross-repository mounts, which would hide bugs. As root its location is fixed at
    /var/lib/containers/cache (only non-root users get $XDG_DATA_HOME/$HOME), there is no flag for
    it, and podman writes it there even with a private graphroot. So the command runs in a private
    mount namespace (`unshare --mount`, propagation private) with an empty tmpfs over
    /var/lib/containers: the cache lives and dies with that one process and the host's
    /var/lib/containers is never written (only the empty mount point is created if missing).
    Private storage (graphroot/runroot) must therefore live elsewhere (a temp dir).
    """
    script = ("mkdir -p /var/lib/containers && "
              "mount -t tmpfs -o size=64m,mode=0700 berth-itest-cache /var/lib/containers && "
              'exec "$@"')
    return ["unshare", "--mount", "--propagation", "private", "sh", "-c", script, "sh", *map(str, cmd)]


class Skopeo:
    """Runs skopeo with nothing shared between runs: a private blob-info cache (see
    with_private_blob_info_cache), and HOME, XDG_RUNTIME_DIR and REGISTRY_AUTH_FILE in a temp dir so
    no credentials or registries config of the machine's user leak in; `--insecure-policy` avoids
    depending on policy.json."""

    def __init__(self, home: Path):
        self.home = Path(home)
        self.home.mkdir(parents=True, exist_ok=True)
        (self.home / "run").mkdir(exist_ok=True)
        (self.home / "tmp").mkdir(exist_ok=True)
        (self.home / "auth.json").write_text('{"auths": {}}')
        self.env = dict(os.environ, HOME=str(self.home), XDG_RUNTIME_DIR=str(self.home / "run"),
                        REGISTRY_AUTH_FILE=str(self.home / "auth.json"), TMPDIR=str(self.home / "tmp"))
        self.env.pop("XDG_DATA_HOME", None)

    def __call__(self, *args, timeout=240, check=True) -> subprocess.CompletedProcess:
        cmd = with_private_blob_info_cache(["skopeo", "--insecure-policy", "--tmpdir", self.home / "tmp", *args])
        return run(cmd, timeout=timeout, check=check, env=self.env)


@pytest.fixture
def skopeo(tmp_path) -> Skopeo:
    require_binary("skopeo")
    require_binary("unshare")
    return Skopeo(tmp_path / "skopeo-home")


# --------------------------------------------------------------------------------------------------
# podman / buildah with private vfs storage


class ContainersEnv:
    """podman and buildah sharing one private vfs store, each run with a private blob-info cache."""

    def __init__(self, root: Path):
        self.root = Path(root)
        for sub in ("graph", "run", "tmp", "home", "xdg"):
            (self.root / sub).mkdir(parents=True, exist_ok=True)
        storage = self.root / "storage.conf"
        storage.write_text(
            "[storage]\n"
            'driver = "vfs"\n'
            f'graphroot = "{self.root / "graph"}"\n'
            f'runroot = "{self.root / "run"}"\n')
        containers = self.root / "containers.conf"
        containers.write_text(
            "[engine]\n"
            'cgroup_manager = "cgroupfs"\n'
            'events_logger = "file"\n'
            f'events_logfile_path = "{self.root / "events.log"}"\n'
            f'tmp_dir = "{self.root / "tmp"}"\n'
            "[containers]\n"
            'netns = "none"\n')
        (self.root / "auth.json").write_text('{"auths": {}}')
        self.env = dict(os.environ, CONTAINERS_STORAGE_CONF=str(storage), CONTAINERS_CONF=str(containers),
                        HOME=str(self.root / "home"), XDG_RUNTIME_DIR=str(self.root / "xdg"),
                        REGISTRY_AUTH_FILE=str(self.root / "auth.json"), TMPDIR=str(self.root / "tmp"),
                        BUILDAH_ISOLATION="chroot", STORAGE_DRIVER="vfs")

    def podman(self, *args, timeout=240, check=True):
        return run(with_private_blob_info_cache(["podman", *args]), timeout=timeout, check=check, env=self.env)

    def buildah(self, *args, timeout=240, check=True):
        return run(with_private_blob_info_cache(["buildah", *args]), timeout=timeout, check=check, env=self.env)

    def cleanup(self):
        # vfs layers are plain directories; remove images so the tmp dir can go.
        self.podman("system", "reset", "--force", timeout=120, check=False)


@pytest.fixture
def containers_env(tmp_path):
    require_binary("podman")
    require_binary("buildah")
    require_binary("unshare")
    env = ContainersEnv(tmp_path / "containers")
    yield env
    env.cleanup()


# --------------------------------------------------------------------------------------------------
# A private dockerd for the session


class DockerDaemon:
    def __init__(self, root: Path):
        self.root = Path(root)
        self.socket = self.root / "docker.sock"
        self.proc: subprocess.Popen | None = None
        self.log_path = self.root / "dockerd.log"
        (self.root / "config").mkdir(parents=True, exist_ok=True)
        self.env = dict(os.environ, DOCKER_HOST=f"unix://{self.socket}", DOCKER_CONFIG=str(self.root / "config"),
                        DOCKER_BUILDKIT="0")

    def start(self, timeout=90):
        daemon_json = self.root / "daemon.json"
        daemon_json.write_text("{}")
        cmd = ["dockerd", "--config-file", str(daemon_json), "--storage-driver=vfs", "--iptables=false",
               "--ip6tables=false", "--bridge=none", "--data-root", str(self.root / "data"),
               "--exec-root", str(self.root / "exec"), "-H", f"unix://{self.socket}", "--pidfile",
               str(self.root / "docker.pid"), "--log-level=warn"]
        self.log_file = open(self.log_path, "wb")
        self.proc = subprocess.Popen(cmd, stdout=self.log_file, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                break
            probe = subprocess.run(["docker", "version", "--format", "{{.Server.Version}}"], env=self.env,
                                   capture_output=True, timeout=30)
            if probe.returncode == 0:
                return self
            time.sleep(0.5)
        self.stop()
        raise RuntimeError(f"dockerd did not start:\n{self.log_path.read_text(errors='replace')[-4000:]}")

    def docker(self, *args, timeout=240, check=True, cwd=None, input_bytes: bytes | None = None):
        return run(["docker", *map(str, args)], timeout=timeout, check=check, env=self.env, cwd=cwd, input=input_bytes)

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        if getattr(self, "log_file", None):
            self.log_file.close()


@pytest.fixture(scope="session")
def dockerd():
    for name in ("docker", "dockerd", "containerd"):
        require_binary(name)
    # Short path: the daemon's unix sockets (docker.sock, containerd's under exec-root) must fit in 108 bytes.
    root = Path(tempfile.mkdtemp(prefix="berth-dockerd-", dir="/tmp"))
    daemon = DockerDaemon(root)
    try:
        daemon.start()
    except RuntimeError as e:
        shutil.rmtree(root, ignore_errors=True)
        pytest.fail(str(e))
    yield daemon
    daemon.stop()
    # vfs image dirs of a stopped daemon are plain files; remove them (unmount anything left first).
    subprocess.run(["umount", "-R", "-l", str(root / "exec")], capture_output=True, timeout=30)
    subprocess.run(["umount", "-R", "-l", str(root / "data")], capture_output=True, timeout=30)
    shutil.rmtree(root, ignore_errors=True)

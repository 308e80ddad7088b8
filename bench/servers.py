"""Servers under test: berth, the reference registry (CNCF distribution) and nginx.

Every server is a child of the harness with PR_SET_PDEATHSIG, so it dies with the harness even when
the harness itself is killed; `stop()` ends it and reaps it.
"""

import ctypes
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request

_PR_SET_PDEATHSIG = 1


def die_with_parent():
    ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def free_port():
    """A loopback port nobody listens on now (a stale SO_REUSEPORT server would skew results)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def proc_status(pid, key):
    """A field of /proc/PID/status in KiB (VmRSS, VmHWM) or as text."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                value = line.split()[1]
                return int(value) if value.isdigit() else value
    raise KeyError(key)


def wait_traced(pid, timeout=10.0):
    """Returns once a tracer (strace -p) has attached to `pid`."""
    deadline = time.monotonic() + timeout
    while proc_status(pid, "TracerPid") == 0:
        if time.monotonic() > deadline:
            raise RuntimeError(f"no tracer attached to {pid} after {timeout} s")
        time.sleep(0.02)
    time.sleep(0.1)  # -f attaches the other threads right after the first


def cpu_seconds(pid):
    """utime + stime of the whole process (all threads)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Server:
    def __init__(self, name, kind, argv, port, workdir, ready_path, env=None):
        self.name = name
        self.kind = kind
        self.port = port
        self.base = f"http://127.0.0.1:{port}"
        self.log_path = os.path.join(workdir, f"{name}.log")
        self._log = open(self.log_path, "ab")
        self._launch = dict(args=argv, cwd=workdir, env=env)
        self._ready_path = ready_path
        self._spawn()

    def _spawn(self):
        self.proc = subprocess.Popen(**self._launch, stdout=self._log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, preexec_fn=die_with_parent)
        self.pid = self.proc.pid
        self._wait_ready(self._ready_path)

    def restart(self):
        """Starts the server again with the same command line (same port and data dir) after it died."""
        self.proc.wait()
        self._spawn()

    def _wait_ready(self, path, timeout=20.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.proc.returncode}; log:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(self.base + path, timeout=1) as r:
                    if r.status == 200:
                        return
            except urllib.error.HTTPError as error:
                if error.code == 401:  # a registry that wants credentials is up
                    return
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.05)
        raise RuntimeError(f"{self.name} not ready on {self.base}{path} after {timeout} s; log:\n{self.log_tail()}")

    def log_tail(self, limit=2000):
        self._log.flush()
        with open(self.log_path, "rb") as f:
            return f.read()[-limit:].decode(errors="replace")

    def rss_kib(self):
        return proc_status(self.pid, "VmRSS")

    def hwm_kib(self):
        return proc_status(self.pid, "VmHWM")

    def cpu_seconds(self):
        return cpu_seconds(self.pid)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log.close()


def start_berth(name, binary, workdir, data=None, config=None):
    """`data`: an existing data directory (default: a new one in `workdir`); `config`: an HCL file."""
    if data is None:
        data = os.path.join(workdir, name + "-data")
        os.makedirs(data)
    port = free_port()
    argv = [binary, "serve", "--listen", f"127.0.0.1:{port}", "--data", data, "--anonymous", "--log-level", "warn"]
    if config:
        argv += ["--config", config]
    return Server(name, "berth", argv, port, workdir, "/v2/")


def start_berth_keyless(name, binary, workdir, issuer, repositories):
    """berth as CI uses it: authentication on, `issuer` trusted, one role that may push `repositories`
    (bench/keyless_berth.py)."""
    import keyless_berth  # needs the tests' OIDC issuer; only this measurement does

    own = os.path.join(workdir, name)
    os.makedirs(own)
    config, data = keyless_berth.prepare(binary, own, issuer, repositories)
    port = free_port()
    argv = [binary, "serve", "--listen", f"127.0.0.1:{port}", "--data", data, "--config", config]
    return Server(name, "berth", argv, port, workdir, "/v2/")


_REFERENCE_CONFIG = """version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: {root}
  cache:
    blobdescriptor: inmemory
  delete:
    enabled: true
{storage_extra}http:
  addr: 127.0.0.1:{port}
"""


# Turning purging off takes this whole block: with `enabled: true` it also wants age, interval and dryrun.
_NO_UPLOAD_PURGING = """  maintenance:
    uploadpurging:
      enabled: false
"""


_HTPASSWD_AUTH = """auth:
  htpasswd:
    realm: bench
    path: {path}
"""


def reference_config(path, root, port, htpasswd=None, purge_uploads=True):
    """Writes the reference registry's YAML config (also what `docker-registry garbage-collect` reads).
    Upload purging walks every repository, first at a random minute in the registry's first hour; the
    GC benchmark turns it off so that the walk cannot land inside its timed deletes."""
    with open(path, "w") as f:
        extra = "" if purge_uploads else _NO_UPLOAD_PURGING
        f.write(_REFERENCE_CONFIG.format(root=root, port=port, storage_extra=extra))
        if htpasswd:
            f.write(_HTPASSWD_AUTH.format(path=htpasswd))
    return path


def reference_env():
    return {k: v for k, v in os.environ.items() if k != "AWS_CA_BUNDLE"}  # it breaks the S3 driver's setup


def start_reference(name, workdir, htpasswd=None, root=None, purge_uploads=True):
    """`htpasswd`: a file of bcrypt entries (htpasswd -B) turns Basic authentication on. `root`: an
    existing storage root (default: a new one in `workdir`)."""
    if root is None:
        root = os.path.join(workdir, name + "-data")
        os.makedirs(root)
    port = free_port()
    config = reference_config(os.path.join(workdir, name + ".yml"), root, port, htpasswd, purge_uploads)
    return Server(name, "reference", ["docker-registry", "serve", config], port, workdir, "/v2/",
                  env=reference_env())


_NGINX_CONFIG = """daemon off;
master_process off;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log error;
events {{ worker_connections 256; }}
http {{
  access_log off;
  sendfile on;
  tcp_nopush on;
  default_type application/octet-stream;
  client_body_temp_path {prefix}/body;
  proxy_temp_path {prefix}/proxy;
  fastcgi_temp_path {prefix}/fastcgi;
  uwsgi_temp_path {prefix}/uwsgi;
  scgi_temp_path {prefix}/scgi;
  server {{
    listen 127.0.0.1:{port};
    root {root};
  }}
}}
"""


def start_nginx(name, workdir, root):
    """nginx serving `root` with sendfile; one process (master_process off) so its PID is the server."""
    prefix = os.path.join(workdir, name)
    os.makedirs(prefix)
    port = free_port()
    config = os.path.join(prefix, "nginx.conf")
    with open(config, "w") as f:
        f.write(_NGINX_CONFIG.format(prefix=prefix, port=port, root=root))
    with open(os.path.join(root, "ready"), "w") as f:
        f.write("ok\n")
    argv = ["nginx", "-e", os.path.join(prefix, "error.log"), "-p", prefix, "-c", config]
    return Server(name, "nginx", argv, port, workdir, "/ready")

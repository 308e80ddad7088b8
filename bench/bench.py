"""berth against the reference registry (CNCF distribution) and nginx, in one run on this machine.

Settings come from the environment (see bench/run.sh). Prints a Markdown table of medians and writes
results.json and results.md to BENCH_OUT. Every server is stopped and the temp dir removed on exit.
"""

import base64
import json
import os
import platform
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import fixtures
import oci_client
import report
import servers

MIB = 1 << 20
MB = 1e6
GIB = 1 << 30


def read_common_settings(config, env, out_dir):
    """The settings every benchmark harness shares: BENCH_RUNS, BENCH_OUT, BENCH_TMP and BERTH_BINARY."""
    config.runs = int(env.get("BENCH_RUNS", "3"))
    config.out_dir = os.path.abspath(env.get("BENCH_OUT", out_dir))
    config.tmp_parent = env.get("BENCH_TMP") or None
    config.berth_binary = os.path.abspath(env.get("BERTH_BINARY", "build/berth"))


class Config:
    def __init__(self, env):
        read_common_settings(self, env, "build/bench-results")
        self.blob_mib = int(env.get("BENCH_BLOB_MIB", "1024"))
        self.chunk_mib = int(env.get("BENCH_CHUNK_MIB", "8"))
        self.wrk_seconds = int(env.get("BENCH_WRK_SECONDS", "10"))
        self.wrk_connections = int(env.get("BENCH_WRK_CONNECTIONS", "64"))
        self.layers = int(env.get("BENCH_LAYERS", "5"))
        self.layer_mib = int(env.get("BENCH_LAYER_MIB", "20"))
        # "reference" benchmarks a second reference registry in berth's place: validates the harness
        # (its ratios should come out near 1) while berth cannot serve yet.
        self.subject = env.get("BENCH_SUBJECT", "berth")
        self.fsync_check = env.get("BENCH_FSYNC_CHECK", "1") == "1"
        if self.runs < 1 or self.blob_mib < 1 or self.subject not in ("berth", "reference"):
            raise SystemExit("bench: BENCH_RUNS and BENCH_BLOB_MIB must be >= 1, BENCH_SUBJECT berth or reference")


def log(message):
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def run_text(argv):
    return subprocess.run(argv, capture_output=True, text=True, check=False).stdout.strip()


def _version(tool):
    """The first line a tool prints about its version (nginx prints it on stderr)."""
    argv = {"openssl": ["openssl", "version"], "nginx": ["nginx", "-v"]}.get(tool, [tool, "--version"])
    out = subprocess.run(argv, capture_output=True, text=True, check=False)
    lines = (out.stdout.strip() or out.stderr.strip()).splitlines()
    return lines[0] if lines else "?"


def machine_info(tools=("docker-registry", "nginx", "curl", "wrk", "skopeo", "openssl")):
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), "?")
    mem_kib = next(int(line.split()[1]) for line in open("/proc/meminfo") if line.startswith("MemTotal"))
    return {
        "cpu": cpu, "cores": os.cpu_count(), "memory_gib": round(mem_kib / MIB, 1), "kernel": platform.release(),
        "loadavg_start": os.getloadavg(),
        "versions": {tool: _version(tool) for tool in tools},
    }


def busy_cpu_seconds():
    """CPU seconds the whole machine has spent busy (all but idle and iowait), from /proc/stat."""
    with open("/proc/stat") as f:
        fields = [int(v) for v in f.readline().split()[1:]]
    idle = fields[3] + fields[4]
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def own_cpu_seconds():
    """This harness plus every child it has reaped (servers after stop, curl, wrk, skopeo, openssl)."""
    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        usage = resource.getrusage(who)
        total += usage.ru_utime + usage.ru_stime
    return total


class RunMeter:
    """The wall time of a whole run, and the share of the machine's CPU that other processes used meanwhile."""

    def __init__(self):
        self.started = time.monotonic()
        self.busy_before, self.own_before = busy_cpu_seconds(), own_cpu_seconds()

    def finish(self, info):
        """Records the end load average and the foreign CPU share in `info`; returns the wall seconds."""
        info["loadavg_end"] = os.getloadavg()
        wall = time.monotonic() - self.started
        foreign = busy_cpu_seconds() - self.busy_before - (own_cpu_seconds() - self.own_before)
        info["foreign_cpu_share"] = max(0.0, foreign) / (wall * os.cpu_count())
        return wall


def write_results(out_dir, results, text):
    """results.json (every sample) and results.md (the tables) in `out_dir`; prints the tables."""
    with open(os.path.join(out_dir, "results.json"), "w") as f:
        json.dump(results, f, indent=2)
    with open(os.path.join(out_dir, "results.md"), "w") as f:
        f.write(text)
    print(text)
    log(f"results in {out_dir}/results.json and results.md")


def sha256_one_core_mbps():
    """`openssl speed -evp sha256` on 1 MiB blocks: the ceiling for a single-stream push (MB = 10^6 B)."""
    out = run_text(["openssl", "speed", "-seconds", "3", "-evp", "sha256", "-bytes", str(MIB)])
    match = re.search(r"^sha256\s+([\d.]+)k\s*$", out, re.MULTILINE)
    if not match:
        raise RuntimeError(f"cannot parse openssl speed output:\n{out}")
    return float(match.group(1)) * 1000 / MB


class Bench:
    def __init__(self, config, workdir):
        self.config = config
        self.workdir = workdir
        self.blob_size = config.blob_mib * MIB
        self.measurements = {}
        self.details = {}
        self.servers = {}
        self.crashes = []

    # --- bookkeeping -------------------------------------------------------------------------------------
    def measurement(self, key, title, unit):
        return self.measurements.setdefault(key, {"title": title, "unit": unit, "samples": {}, "failures": {}})

    def record(self, key, side, value):
        self.measurements[key]["samples"].setdefault(side, []).append(value)

    def sample(self, key, side, work):
        """Runs one sample. A failure is recorded against (key, side) and skips that pair's later samples; a server
        that died is restarted on its data dir, so the other measurements still run."""
        failures = self.measurements[key]["failures"]
        if side in failures:
            return
        try:
            work()
        except Exception as error:  # any failure of the server under test is a result, not a harness crash
            failures[side] = str(error)[:600]
            log(f"{key} {side}: FAILED: {error}")
            self.revive(side)

    def revive(self, side):
        server = self.servers[side]
        code = server.proc.poll()
        if code is None:
            return
        self.crashes.append({"side": side, "exit_code": code, "log_tail": server.log_tail()})
        log(f"{side} exited with {code}; restarting it on the same data dir")
        server.restart()

    def registries(self, run):
        """berth and reference, first one alternating by run so drift does not favour either."""
        order = ["berth", "reference"]
        return order if run % 2 == 0 else order[::-1]

    # --- setup ---------------------------------------------------------------------------------------------
    def make_fixtures(self):
        c = self.config
        log(f"fixtures: {2 * c.runs} x {c.blob_mib} MiB blobs, {c.runs} images of {c.layers} x {c.layer_mib} MiB")
        blob_dir = os.path.join(self.workdir, "blobs")
        os.makedirs(blob_dir)
        base = fixtures.random_blob(os.path.join(blob_dir, "mono-0"), self.blob_size, "bench")
        self.mono_blobs = [base] + [fixtures.variant_blob(base, os.path.join(blob_dir, f"mono-{i}"), f"mono-{i}")
                                    for i in range(1, c.runs)]
        self.chunked_blobs = [fixtures.variant_blob(base, os.path.join(blob_dir, f"chunked-{i}"), f"chunked-{i}")
                              for i in range(c.runs)]
        self.www = os.path.join(self.workdir, "www")
        os.makedirs(self.www)
        os.link(self.mono_blobs[0].path, os.path.join(self.www, "blob"))
        self.layouts = []
        for i in range(c.runs):
            layout = os.path.join(self.workdir, f"oci-{i}")
            fixtures.write_oci_layout(fixtures.make_image(c.layers, c.layer_mib * MIB, f"image-{i}"), layout, "bench")
            self.layouts.append(layout)
        self.small_image = fixtures.make_image(1, 1024, "small")

    def start_servers(self):
        c = self.config
        if c.subject == "berth":
            self.servers["berth"] = servers.start_berth("berth", c.berth_binary, self.workdir)
        else:
            self.servers["berth"] = servers.start_reference("berth", self.workdir)
        self.servers["reference"] = servers.start_reference("reference", self.workdir)
        self.servers["nginx"] = servers.start_nginx("nginx", self.workdir, self.www)
        time.sleep(2)
        self.measurement("rss_idle_mib", "RSS idle (start + 2 s)", "MiB")
        for side in ("berth", "reference"):
            self.record("rss_idle_mib", side, self.servers[side].rss_kib() / 1024)

    def stop_servers(self):
        for server in self.servers.values():
            server.stop()

    # --- measurements --------------------------------------------------------------------------------------
    def transfer(self, key, side, size, work):
        """Runs `work()` (returns seconds and client CPU) and records MB/s plus server and client CPU per GiB."""
        server = self.servers[side]
        cpu_before = server.cpu_seconds()
        result = work()
        server_cpu = server.cpu_seconds() - cpu_before
        self.record(key, side, size / result["seconds"] / MB)
        gib = size / GIB
        self.details.setdefault(key, {}).setdefault(side, []).append({
            "seconds": result["seconds"], "server_cpu_s_per_gib": server_cpu / gib,
            "client_cpu_s_per_gib": result["client_cpu_s"] / gib})
        return size / result["seconds"] / MB

    def verify_stored(self, side, repo, blob):
        length = oci_client.blob_length(self.servers[side].base, repo, blob.digest)
        if length != blob.size:
            raise RuntimeError(f"HEAD {repo}@{blob.digest} gave length {length}, expected {blob.size}")

    def bench_push(self, kind, blobs):
        c = self.config
        key, title = {"monolithic": ("push_monolithic_mbps", f"{c.blob_mib} MiB push, monolithic PUT (curl -T)"),
                      "chunked": ("push_chunked_mbps", f"{c.blob_mib} MiB push, {c.chunk_mib} MiB PATCH chunks")}[kind]
        self.measurement(key, title, "MB/s")

        def push(side, run):
            blob, repo, base = blobs[run], f"bench/{kind}-{run}", self.servers[side].base
            os.sync()
            if kind == "monolithic":
                rate = self.transfer(key, side, blob.size, lambda: oci_client.monolithic_push(base, repo, blob))
            else:
                rate = self.transfer(key, side, blob.size,
                                     lambda: oci_client.chunked_push(base, repo, blob, c.chunk_mib * MIB))
            self.verify_stored(side, repo, blob)
            log(f"{kind} push run {run + 1} {side}: {rate:.0f} MB/s")

        for run in range(c.runs):
            for side in self.registries(run):
                self.sample(key, side, lambda: push(side, run))

    def bench_pull(self):
        c = self.config
        key = "pull_mbps"
        self.measurement(key, f"{c.blob_mib} MiB blob pull (curl, one stream)", "MB/s")
        blob = self.mono_blobs[0]
        urls = {side: f"{self.servers[side].base}/v2/bench/monolithic-0/blobs/{blob.digest}"
                for side in ("berth", "reference")}
        urls["nginx"] = f"{self.servers['nginx'].base}/blob"
        for side, url in urls.items():  # warm-up: page cache and first-request costs stay out of the samples
            self.sample(key, side, lambda: oci_client.pull(url, blob.size))

        def pull(side, run):
            rate = self.transfer(key, side, blob.size, lambda: oci_client.pull(urls[side], blob.size))
            log(f"pull run {run + 1} {side}: {rate:.0f} MB/s")

        for run in range(c.runs):
            for side in [*self.registries(run), "nginx"]:
                self.sample(key, side, lambda: pull(side, run))

    def wrk(self, url, seconds, headers=()):
        accept = ("Accept: application/vnd.oci.image.manifest.v1+json, "
                  "application/vnd.docker.distribution.manifest.v2+json")
        extra = [arg for header in headers for arg in ("-H", header)]
        out = subprocess.run(["wrk", "-t2", f"-c{self.config.wrk_connections}", f"-d{seconds}s", "--latency",
                              "-H", accept, *extra, url], capture_output=True, text=True, check=True,
                             timeout=seconds + 60).stdout
        rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
        bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
        errors = re.search(r"Socket errors:.*", out)
        p99 = re.search(r"^\s+99%\s+([\d.]+)(us|ms|s)\s*$", out, re.MULTILINE)
        if not rps:
            raise RuntimeError(f"cannot parse wrk output:\n{out}")
        if bad:
            raise RuntimeError(f"wrk got {bad.group(1)} non-2xx responses from {url}:\n{out}")
        scale = {"us": 1e-3, "ms": 1.0, "s": 1e3}
        return {"rps": float(rps.group(1)), "p99_ms": float(p99.group(1)) * scale[p99.group(2)] if p99 else None,
                "socket_errors": errors.group(0) if errors else None}

    def bench_manifest_get(self):
        """Anonymous: the registries' own speed, with nothing to check per request."""
        key = "manifest_get_rps"
        self.manifest_get_measurement(key, "anonymous")
        for side in ("berth", "reference"):
            self.sample(key, side, lambda: oci_client.push_image(self.servers[side].base, "bench/small", "latest",
                                                                 self.small_image))
        self.manifest_get_load(key, {side: (self.servers[side], ()) for side in ("berth", "reference")})

    def bench_manifest_get_authenticated(self):
        """As CI and clusters pull: berth with the `AWS:<password>` that `aws ecr get-login-password`
        prints after a keyless token exchange, the reference with htpasswd (bcrypt) Basic auth."""
        if self.config.subject != "berth":
            log("manifest GET with Basic auth: skipped, berth is not the subject")
            return
        key = "manifest_get_auth_rps"
        self.manifest_get_measurement(key, "Basic auth: berth AWS:<password>, reference htpasswd")
        import keyless_berth

        issuer = keyless_berth.OidcIssuer().start()
        started = []
        try:
            berth = servers.start_berth_keyless("berth-auth", self.config.berth_binary, self.workdir, issuer,
                                                ["bench/small"])
            started.append(berth)
            berth_basic = keyless_berth.registry_password(berth.base, issuer)
            htpasswd = os.path.join(self.workdir, "htpasswd")
            password = base64.b64encode(os.urandom(24)).decode()
            with open(htpasswd, "w") as f:
                f.write(subprocess.run(["htpasswd", "-Bbn", "bench", password], capture_output=True, text=True,
                                       check=True).stdout)
            reference = servers.start_reference("reference-auth", self.workdir, htpasswd)
            started.append(reference)
            reference_basic = base64.b64encode(f"bench:{password}".encode()).decode()
            targets = {"berth": (berth, (f"Authorization: Basic {berth_basic}",)),
                       "reference": (reference, (f"Authorization: Basic {reference_basic}",))}
            for side, (server, headers) in targets.items():
                auth = dict(header.split(": ", 1) for header in headers)
                self.sample(key, side, lambda: oci_client.push_image(server.base, "bench/small", "latest",
                                                                     self.small_image, auth))
            self.manifest_get_load(key, targets)
        finally:
            for server in started:
                server.stop()
            issuer.stop()

    def manifest_get_measurement(self, key, what):
        c = self.config
        return self.measurement(key, f"manifest GET by tag, {what} (wrk -t2 -c{c.wrk_connections} "
                                     f"-d{c.wrk_seconds}s)", "req/s")

    def manifest_get_load(self, key, targets):
        """`targets`: side -> (server, headers); runs alternate which side goes first."""
        c = self.config

        def load(side, run):
            server, headers = targets[side]
            url = f"{server.base}/v2/bench/small/manifests/latest"
            self.wrk(url, 1, headers)  # warm-up
            result = self.wrk(url, c.wrk_seconds, headers)
            self.record(key, side, result["rps"])
            self.details.setdefault(key, {}).setdefault(side, []).append(result)
            log(f"{key} run {run + 1} {side}: {result['rps']:.0f} req/s, p99 {result['p99_ms']} ms")

        for run in range(c.runs):
            for side in self.registries(run):
                self.sample(key, side, lambda: load(side, run))

    def skopeo(self, *args):
        """skopeo with an empty blob-info cache (a tmpfs over /var/lib/containers/cache in a private mount
        namespace), so no run skips uploads because of an earlier one."""
        script = 'mkdir -p /var/lib/containers/cache && mount -t tmpfs tmpfs /var/lib/containers/cache && exec "$@"'
        argv = ["unshare", "-m", "--propagation", "private", "sh", "-c", script, "sh", "skopeo", "--insecure-policy",
                *args]
        started = time.perf_counter()
        result = subprocess.run(argv, capture_output=True, text=True, check=False, timeout=600)
        seconds = time.perf_counter() - started
        if result.returncode != 0:
            raise RuntimeError(f"skopeo {' '.join(args)} failed: {result.stderr.strip()[-1000:]}")
        return seconds

    def bench_skopeo(self):
        c = self.config
        image = f"{c.layers} x {c.layer_mib} MiB layers"
        self.measurement("skopeo_push_s", f"skopeo copy oci -> registry ({image})", "s")
        self.measurement("skopeo_pull_s", f"skopeo copy registry -> oci ({image})", "s")

        def push(side, run):
            seconds = self.skopeo("copy", "--dest-tls-verify=false", f"oci:{self.layouts[run]}:bench", ref(side, run))
            self.record("skopeo_push_s", side, seconds)
            log(f"skopeo push run {run + 1} {side}: {seconds:.2f} s")

        def pull(side, run):
            target = os.path.join(self.workdir, f"pulled-{side}-{run}")
            try:
                seconds = self.skopeo("copy", "--src-tls-verify=false", ref(side, run), f"oci:{target}:bench")
            finally:
                shutil.rmtree(target, ignore_errors=True)
            self.record("skopeo_pull_s", side, seconds)
            log(f"skopeo pull run {run + 1} {side}: {seconds:.2f} s")

        def ref(side, run):
            return f"docker://127.0.0.1:{self.servers[side].port}/bench/skopeo-{run}:latest"

        for run in range(c.runs):
            for side in self.registries(run):
                self.sample("skopeo_push_s", side, lambda: push(side, run))
                if side not in self.measurements["skopeo_push_s"]["failures"]:
                    self.sample("skopeo_pull_s", side, lambda: pull(side, run))

    def record_peak_rss(self):
        self.measurement("rss_peak_mib", "RSS peak after all loads (VmHWM)", "MiB")
        for side in ("berth", "reference"):
            self.record("rss_peak_mib", side, self.servers[side].hwm_kib() / 1024)

    def fsync_check(self):
        """Counts fsync-family calls each registry makes for one small push (strace attached briefly)."""
        counts = {}
        blob = fixtures.random_bytes(MIB, "fsync-check")
        for side in ("berth", "reference"):
            server = self.servers[side]
            trace = os.path.join(self.workdir, f"strace-{side}.txt")
            tracer = subprocess.Popen(["strace", "-f", "-qq", "-e", "trace=fsync,fdatasync,sync_file_range,syncfs",
                                       "-o", trace, "-p", str(server.pid)], stderr=subprocess.DEVNULL)
            try:
                servers.wait_traced(server.pid)
                oci_client.push_bytes(server.base, "bench/fsync", blob, fixtures.sha256_digest(blob))
                time.sleep(0.5)
            except Exception as error:
                counts[side] = f"push failed: {error}"
                continue
            finally:
                tracer.terminate()
                tracer.wait()
            with open(trace) as f:
                calls = [line for line in f if re.search(r"\b(fsync|fdatasync|sync_file_range|syncfs)\(", line)]
            counts[side] = len(calls)
            log(f"fsync check {side}: {len(calls)} fsync-family calls for one 1 MiB blob push")
        return counts


def derived(measurements, details, sha256_mbps):
    """CPU per GiB (median over runs) and shares of the machine's limits."""
    out = {"sha256_one_core_MBps": sha256_mbps, "cpu_s_per_gib": {}}
    for key, sides in details.items():
        for side, runs in sides.items():
            if runs and "server_cpu_s_per_gib" in runs[0]:
                out["cpu_s_per_gib"].setdefault(key, {})[side] = {
                    "server": report.summarize([r["server_cpu_s_per_gib"] for r in runs])["median"],
                    "client": report.summarize([r["client_cpu_s_per_gib"] for r in runs])["median"]}
    return out


def cpu_table(cpu, subject_label):
    lines = ["| transfer | side | server CPU s/GiB | client CPU s/GiB |", "|---|---|---|---|"]
    for key, sides in cpu.items():
        for side, values in sides.items():
            label = subject_label if side == "berth" else side
            lines.append(f"| {key} | {label} | {values['server']:.2f} | {values['client']:.2f} |")
    return "\n".join(lines)


def main():
    config = Config(os.environ)
    os.makedirs(config.out_dir, exist_ok=True)
    workdir = tempfile.mkdtemp(prefix="berth-bench-", dir=config.tmp_parent)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    signal.signal(signal.SIGHUP, lambda *_: sys.exit(129))
    bench = Bench(config, workdir)
    meter = RunMeter()
    fsync_counts = None
    try:
        info = machine_info()
        log(f"subject={config.subject} blob={config.blob_mib} MiB runs={config.runs} workdir={workdir}")
        sha256_mbps = sha256_one_core_mbps()
        log(f"openssl speed sha256 (1 MiB blocks, one core): {sha256_mbps:.0f} MB/s")
        bench.make_fixtures()
        bench.start_servers()
        bench.bench_push("monolithic", bench.mono_blobs)
        bench.bench_push("chunked", bench.chunked_blobs)
        bench.bench_pull()
        bench.bench_manifest_get()
        bench.bench_manifest_get_authenticated()
        bench.bench_skopeo()
        bench.record_peak_rss()
        if config.fsync_check and shutil.which("strace"):
            fsync_counts = bench.fsync_check()
    finally:
        bench.stop_servers()
        shutil.rmtree(workdir, ignore_errors=True)

    wall = meter.finish(info)
    measurements = report.summarize_all(bench.measurements)
    extra = derived(measurements, bench.details, sha256_mbps)
    target_rows = report.targets(measurements, sha256_mbps)
    subject_label = "berth" if config.subject == "berth" else "reference#2"
    failures = report.failures_text(measurements, bench.crashes)
    text = "\n\n".join(part for part in [
        report.table(measurements, subject_label),
        f"One-core SHA-256 (openssl speed -evp sha256, 1 MiB blocks): {sha256_mbps:.0f} MB/s. MB = 10^6 bytes.",
        cpu_table(extra["cpu_s_per_gib"], subject_label),
        report.targets_table(target_rows),
        failures,
        f"fsync-family calls for one 1 MiB blob push: {fsync_counts}" if fsync_counts is not None else "",
        f"Machine: {info['cpu']}, {info['cores']} cores, {info['memory_gib']} GiB. Load average "
        f"{info['loadavg_start'][0]:.2f} at start, {info['loadavg_end'][0]:.2f} at end; other processes used "
        f"{100 * info['foreign_cpu_share']:.0f}% of the machine's CPU during the run. Wall time {wall:.0f} s.",
    ] if part) + "\n"
    results = {"config": vars(config), "machine": info, "measurements": measurements, "details": bench.details,
               "derived": extra, "targets": target_rows, "fsync_calls_per_small_push": fsync_counts,
               "crashes": bench.crashes,
               "wall_seconds": wall, "finished": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    write_results(config.out_dir, results, text)


if __name__ == "__main__":
    main()

"""AssumeRoleWithWebIdentity end to end: requests per second that berth turns OIDC tokens into
session credentials (JWT verification, trust-policy evaluation, sealing, the audit event committed
to SQLite), driven by `wrk` over loopback. No reference registry speaks STS, so this reports
berth's own numbers (docs/benchmarks.md).

  /usr/bin/python3 bench/sts_bench.py        (make bench-sts)
  BENCH_RUNS=3 BENCH_STS_SECONDS=10 BENCH_STS_CONCURRENCY=16 BERTH_BINARY=build/berth

The load generator shares the machine's cores with berth. wrk (C, one event loop per thread)
costs far less CPU per request than hey (Go), which left less than half of the two cores to berth.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

from keyless_berth import ROLE_ARN, OidcIssuer, prepare

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BINARY = os.environ.get("BERTH_BINARY", os.path.join(ROOT, "build", "berth"))
RUNS = int(os.environ.get("BENCH_RUNS", "3"))
SECONDS = int(os.environ.get("BENCH_STS_SECONDS", "10"))
CONCURRENCY = int(os.environ.get("BENCH_STS_CONCURRENCY", "16"))


def start_berth(workdir: str, issuer: OidcIssuer) -> tuple[subprocess.Popen, str]:
    config, data = prepare(BINARY, workdir, issuer)
    log = open(os.path.join(workdir, "berth.log"), "w+")
    proc = subprocess.Popen([BINARY, "serve", "--listen", "127.0.0.1:0", "--data", data, "--config", config,
                             "--log-level", "info"], stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        log.seek(0)
        match = re.search(r"listening address=\"?127\.0\.0\.1:(\d+)", log.read())
        if match:
            return proc, f"http://127.0.0.1:{match.group(1)}/"
        time.sleep(0.05)
    proc.kill()
    raise RuntimeError("berth did not start")


def form(issuer: OidcIssuer) -> str:
    # One token for the whole run: berth, like STS, does not consume tokens; valid for the run's length.
    token = issuer.sign(issuer.github_claims(exp=int(time.time()) + 3600))
    return urllib.parse.urlencode({"Action": "AssumeRoleWithWebIdentity", "Version": "2011-06-15",
                                   "RoleArn": ROLE_ARN,
                                   "RoleSessionName": "bench", "WebIdentityToken": token,
                                   "DurationSeconds": "900"})


# wrk's own summary rounds latencies and hides answers other than 2xx/3xx among its counts; this
# prints the exact figures on one line.
WRK_SCRIPT = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.body = os.getenv("BENCH_STS_BODY")
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("BENCH %d %d %d %d %d %d\\n", summary.requests, summary.duration, e.status,
                         e.connect + e.read + e.write + e.timeout, latency:percentile(50), latency:percentile(99)))
end
"""


def wrk(url: str, body: str, script: str) -> dict:
    threads = min(2, CONCURRENCY)
    out = subprocess.run(["wrk", f"-t{threads}", f"-c{CONCURRENCY}", f"-d{SECONDS}s", "-s", script, url],
                         env={**os.environ, "BENCH_STS_BODY": body},
                         check=True, capture_output=True, timeout=SECONDS + 60).stdout.decode()
    fields = re.search(r"^BENCH (\d+) (\d+) (\d+) (\d+) (\d+) (\d+)$", out, re.MULTILINE)
    requests, duration_us, non_2xx, socket_errors, p50_us, p99_us = (int(f) for f in fields.groups())
    return {"rps": requests / (duration_us / 1e6), "p50_ms": p50_us / 1000, "p99_ms": p99_us / 1000,
            "non_2xx": non_2xx, "socket_errors": socket_errors}


def main() -> int:
    if shutil.which("wrk") is None:
        print("sts_bench: wrk is missing (scripts/deps.sh bench)", file=sys.stderr)
        return 2
    workdir = tempfile.mkdtemp(prefix="berth-sts-bench-")
    issuer = OidcIssuer().start()
    proc = None
    try:
        proc, url = start_berth(workdir, issuer)
        body = form(issuer)
        with urllib.request.urlopen(urllib.request.Request(url, data=body.encode()), timeout=10) as response:
            assert response.status == 200 and b"<AccessKeyId>ASIA" in response.read()
        script = os.path.join(workdir, "assume_role.lua")
        with open(script, "w") as f:
            f.write(WRK_SCRIPT)
        samples = [wrk(url, body, script) for _ in range(RUNS)]
        for sample in samples:
            if sample["non_2xx"]:
                raise RuntimeError(f"{sample['non_2xx']} answers other than 200 under load")
        summary = {
            "runs": RUNS, "seconds": SECONDS, "concurrency": CONCURRENCY, "cores": os.cpu_count(),
            "rps_median": statistics.median(s["rps"] for s in samples),
            "rps_range": [min(s["rps"] for s in samples), max(s["rps"] for s in samples)],
            "p50_ms_median": statistics.median(s["p50_ms"] for s in samples),
            "p99_ms_median": statistics.median(s["p99_ms"] for s in samples),
            # wrk counts a request cut off when the run ends as a socket error.
            "socket_errors": [s["socket_errors"] for s in samples],
        }
        print(json.dumps(summary, indent=2))
        print(f"\n| AssumeRoleWithWebIdentity, {CONCURRENCY} connections | {summary['rps_median']:,.0f} req/s "
              f"({summary['rps_range'][0]:,.0f}–{summary['rps_range'][1]:,.0f}) | p50 {summary['p50_ms_median']:.1f} ms"
              f" | p99 {summary['p99_ms_median']:.1f} ms |")
        return 0
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=30)
        issuer.stop()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())

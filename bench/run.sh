#!/usr/bin/env bash
# Benchmarks berth against the reference registry (CNCF distribution) and nginx in one run, on
# loopback. See docs/benchmarks.md. Settings (environment):
#   BENCH_BLOB_MIB=1024  size of the pushed/pulled blob     BENCH_RUNS=3  runs per measurement (median)
#   BENCH_CHUNK_MIB=8    PATCH chunk size                    BENCH_WRK_SECONDS=10  manifest GET load time
#   BENCH_LAYERS=5 BENCH_LAYER_MIB=20  skopeo image          BENCH_OUT=build/bench-results  results dir
#   BERTH_BINARY=build/berth                                 BENCH_TMP  parent of the temp dir (a disk, not tmpfs)
#   BENCH_SUBJECT=berth  ("reference" puts a second reference registry in berth's place: harness check)
#   BENCH_FSYNC_CHECK=1  strace each registry briefly to count fsync calls for one push
# Quick check: BENCH_BLOB_MIB=64 BENCH_RUNS=1 bench/run.sh (under a minute).
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
for tool in docker-registry nginx wrk skopeo curl openssl unshare; do
  command -v "$tool" >/dev/null || missing+=("$tool")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "bench: missing ${missing[*]} (scripts/deps.sh bench test)" >&2
  exit 2
fi
if [ "${BENCH_SUBJECT:-berth}" = berth ] && [ ! -x "${BERTH_BINARY:-build/berth}" ]; then
  echo "bench: ${BERTH_BINARY:-build/berth} not found; run make build (or set BERTH_BINARY)" >&2
  exit 2
fi
# Debian's python3 (another may come first on PATH). The authenticated manifest GET also uses boto3
# and the tests' OIDC issuer (python3-jwt, python3-cryptography), which `make bench` installs.
exec /usr/bin/python3 bench/bench.py

#!/usr/bin/env bash
# Installs the Debian 12 packages that berth's build, tests and benchmarks need, skipping those
# already present. Usage: scripts/deps.sh [build|test|bench]... (default: all three)
set -euo pipefail

build=(cmake g++ make pkg-config libboost1.74-dev libssl-dev openssl libsqlite3-dev libpq-dev
       libcurl4-openssl-dev nlohmann-json3-dev libsimdjson-dev libcli11-dev libspdlog-dev libfmt-dev
       libsodium-dev libyaml-cpp-dev libgtest-dev libgmock-dev libbenchmark-dev)
test=(python3 python3-pytest python3-requests python3-jwt python3-cryptography python3-nacl python3-yaml curl jq sqlite3 faketime
      skopeo umoci podman buildah docker.io awscli python3-boto3 uidmap fuse-overlayfs
      clang-14 libclang-rt-14-dev postgresql-15)
bench=(docker-registry wrk hey hyperfine nginx-light apache2-utils strace time)

groups=("$@")
[ ${#groups[@]} -eq 0 ] && groups=(build test bench)
wanted=()
for group in "${groups[@]}"; do
  case "$group" in
    build) wanted+=("${build[@]}") ;;
    test) wanted+=("${test[@]}") ;;
    bench) wanted+=("${bench[@]}") ;;
    *) echo "deps.sh: unknown group '$group' (build, test, bench)" >&2; exit 2 ;;
  esac
done

missing=()
for package in "${wanted[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
  [ "$status" = "install ok installed" ] || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "deps.sh: installing ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
  echo "deps.sh: run as root (or install the packages above yourself)" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# Daemons that packages would start on install (dockerd, nginx) are started by the tests instead.
printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
trap 'rm -f /usr/sbin/policy-rc.d' EXIT
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null

#!/usr/bin/env bash
# Runs the libFuzzer targets built in BUILD_DIR (docs/fuzzing.md).
#   fuzz/run.sh replay BUILD_DIR               every target over fuzz/corpus/<t> and fuzz/regressions/<t>, once
#   fuzz/run.sh fuzz BUILD_DIR SECONDS [T...]  fresh mutations for SECONDS per target (all, or the named ones)
#   fuzz/run.sh merge BUILD_DIR T DIR...       adds to fuzz/corpus/T the inputs of DIR... that add coverage
# Fuzzing grows its corpus in BUILD_DIR/fuzz-work/<t>, never in the repository, and saves crashers
# in BUILD_DIR/fuzz-crashes/<t>.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
mode=${1:?usage: fuzz/run.sh replay|fuzz|merge BUILD_DIR ...}
build=$(cd "${2:?BUILD_DIR missing}" && pwd)
shift 2

targets() {
  for binary in "$build"/fuzz/*_fuzzer; do basename "$binary" _fuzzer; done
}

inputs_of() {
  find "$here/corpus/$1" "$here/regressions/$1" -type f 2>/dev/null | sort
}

replay() {
  local failed=0 target count log
  for target in $(targets); do
    mapfile -t files < <(inputs_of "$target")
    count=${#files[@]}
    if [ "$count" -eq 0 ]; then
      echo "fuzz: $target has no corpus in fuzz/corpus/$target" >&2
      failed=1
      continue
    fi
    log="$build/fuzz-replay-$target.log"
    if "$build/fuzz/${target}_fuzzer" "${files[@]}" >"$log" 2>&1; then
      echo "fuzz: $target: $count inputs replayed, no crash"
    else
      echo "fuzz: $target FAILED on its corpus; the report ends:" >&2
      tail -n 40 "$log" >&2
      failed=1
    fi
  done
  return $failed
}

fuzz() {
  local seconds=${1:?SECONDS missing}
  shift
  local selected=("$@") failed=0 target work crashes stats
  [ ${#selected[@]} -eq 0 ] && mapfile -t selected < <(targets)
  for target in "${selected[@]}"; do
    work="$build/fuzz-work/$target"
    crashes="$build/fuzz-crashes/$target"
    mkdir -p "$work" "$crashes"
    echo "fuzz: $target for ${seconds}s (corpus grows in $work)"
    if "$build/fuzz/${target}_fuzzer" -max_total_time="$seconds" -timeout=10 -print_final_stats=1 \
        -artifact_prefix="$crashes/" "$work" "$here/corpus/$target" >"$build/fuzz-$target.log" 2>&1; then
      stats=$(grep -E '^stat::number_of_executed_units' "$build/fuzz-$target.log" | awk '{print $2}')
      echo "fuzz: $target: ${stats:-?} executions, no crash"
    else
      echo "fuzz: $target CRASHED; log: $build/fuzz-$target.log, input saved in $crashes/" >&2
      grep -E '^(==[0-9]+==ERROR|SUMMARY|fuzz invariant broken|.*runtime error)' "$build/fuzz-$target.log" >&2 || true
      echo "fuzz: fix it, then keep the input as a regression test: cp $crashes/<file> $here/regressions/$target/" >&2
      failed=1
    fi
  done
  return $failed
}

merge() {
  local target=${1:?target missing}
  shift
  mkdir -p "$here/corpus/$target"
  "$build/fuzz/${target}_fuzzer" -merge=1 "$here/corpus/$target" "$@"
}

case "$mode" in
  replay) replay ;;
  fuzz) fuzz "$@" ;;
  merge) merge "$@" ;;
  *) echo "fuzz/run.sh: unknown mode '$mode' (replay, fuzz, merge)" >&2; exit 2 ;;
esac

#!/usr/bin/env bash
# Runs every libFuzzer target (fuzz_*) of a clang build for a fixed time each, on a scratch copy
# of its seed corpus (tests/fuzz/corpus/<name without fuzz_>), as many at once as there are cores
# (each target is one process). A crash, hang, leak or sanitizer report fails the run and leaves
# the input and the log in BUILD_DIR/fuzz-findings/; add the input to the unit tests once it is
# fixed. Prints executions, speed and coverage per target and appends them to
# BUILD_DIR/fuzz-findings/summary.tsv (the record of fuzzing time spent).
# Usage: .ci/fuzz.sh [BUILD_DIR] [SECONDS_EACH] [JOBS]   (default build/asan, which .ci/run
# builds, 20 s and nproc; build/fuzz, the optimized fuzzers-only preset, suits long sessions)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/asan}
seconds=${2:-20}
jobs=${3:-$(nproc)}
if [ ! -f "$build/CMakeCache.txt" ]; then
  preset=$(basename "$build")
  cmake --preset "$preset" >/dev/null
fi
cmake --build "$build" --target fuzzers
out=$build/fuzz-findings
mkdir -p "$out"
mapfile -t targets < <(find "$build/tests/fuzz" -maxdepth 1 -type f -name 'fuzz_*' -perm -u+x | sort)
[ ${#targets[@]} -gt 0 ] || { echo "fuzz: no fuzz_* targets in $build/tests/fuzz" >&2; exit 2; }
[ -f "$out/summary.tsv" ] || printf 'date\ttarget\tseconds\texecutions\texec_per_s\tcov\tft\tcorpus\tnew_units\tstatus\n' >"$out/summary.tsv"

# One target: fuzzes, then writes its table row to $out/NAME.row and its summary line to
# $out/NAME.tsv (collected in target order once all have finished).
fuzz_one() {
  local exe=$1 name=${1##*/fuzz_}
  local corpus=tests/fuzz/corpus/$name log=$out/$name.log result=ok work
  if [ ! -d "$corpus" ]; then
    echo "fuzz: $name has no seed corpus ($corpus)" >&2
    printf '%-16s %12s %8s %7s %7s %7s %s\n' "$name" - - - - - "NO CORPUS" >"$out/$name.row"
    return
  fi
  work=$(mktemp -d)
  cp -r "$corpus/." "$work/"
  # -timeout: one input taking this long is a hang (the targets' own waits are shorter).
  if ! ASAN_OPTIONS=detect_leaks=1:halt_on_error=1:abort_on_error=1 \
    UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
    "$exe" -max_total_time="$seconds" -timeout=120 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$out/$name-" "$work" >"$log" 2>&1; then
    result=FAILED
  fi
  local execs speed added last cov ft corp
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  added=$(sed -n 's/^stat::new_units_added: *//p' "$log" | tail -1)
  last=$(grep -E '^#[0-9]+' "$log" | tail -1 || true)
  cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
  ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
  corp=$(sed -n 's/.* corp: \([0-9]*\).*/\1/p' <<<"$last")
  printf '%-16s %12s %8s %7s %7s %7s %s\n' "$name" "${execs:--}" "${speed:--}" "${cov:--}" \
    "${ft:--}" "${corp:--}" "$result" >"$out/$name.row"
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$(date -u +%FT%TZ)" "$name" "$seconds" \
    "${execs:-0}" "${speed:-0}" "${cov:-0}" "${ft:-0}" "${corp:-0}" "${added:-0}" "$result" \
    >"$out/$name.tsv"
  rm -rf "$work"
}

rm -f "$out"/*.row
running=0
for exe in "${targets[@]}"; do
  if [ "$running" -ge "$jobs" ]; then
    wait -n || true
    running=$((running - 1))
  fi
  fuzz_one "$exe" &
  running=$((running + 1))
done
wait

printf '%-16s %12s %8s %7s %7s %7s %s\n' target executions exec/s cov ft corpus status
status=0
for exe in "${targets[@]}"; do
  name=${exe##*/fuzz_}
  if [ ! -f "$out/$name.row" ]; then
    printf '%-16s %12s %8s %7s %7s %7s %s\n' "$name" - - - - - "NO RESULT"
    status=1
    continue
  fi
  cat "$out/$name.row"
  if [ -f "$out/$name.tsv" ]; then
    cat "$out/$name.tsv" >>"$out/summary.tsv"
    rm -f "$out/$name.tsv"
  fi
  if ! grep -q ' ok$' "$out/$name.row"; then
    status=1
    if [ -f "$out/$name.log" ]; then
      echo "fuzz: $name FOUND A PROBLEM (input and log in $out):" >&2
      grep -E 'ERROR|SUMMARY|runtime error|Test unit written|#[0-9]+ +in ' "$out/$name.log" | head -30 >&2
    fi
  fi
done
awk -F'\t' 'NR > 1 { s += $3; n += $4 } END { printf "fuzz: in total %.2f target-hours, %d executions recorded in %s\n", s / 3600, n, FILENAME }' "$out/summary.tsv"
exit "$status"

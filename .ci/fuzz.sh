#!/usr/bin/env bash
# Builds the libFuzzer targets (preset fuzz) and runs each for a fixed time on a scratch copy
# of its seed corpus (tests/fuzz/corpus/<name>). A crash, leak or sanitizer report fails the run
# and leaves the input in build/fuzz/findings/. Usage: .ci/fuzz.sh [SECONDS_EACH] (default 20)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-20}
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz
out=build/fuzz/findings
mkdir -p "$out"
status=0
for name in planjson threshold servertiming prometheus; do
  work=$(mktemp -d)
  cp -r "tests/fuzz/corpus/$name/." "$work/"
  echo "fuzz: $name for ${seconds}s"
  if ! ASAN_OPTIONS=detect_leaks=1:halt_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
      "build/fuzz/tests/fuzz/fuzz_$name" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
      -artifact_prefix="$out/$name-" -print_final_stats=1 "$work" >"$out/$name.log" 2>&1; then
    echo "fuzz: $name FOUND A PROBLEM (input and log in $out):" >&2
    tail -40 "$out/$name.log" >&2
    status=1
  else
    grep -E '^stat::number_of_executed_units|^stat::peak_rss_mb|cov:' "$out/$name.log" | tail -3 | sed "s/^/  /"
  fi
  rm -rf "$work"
done
exit "$status"

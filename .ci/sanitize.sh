#!/usr/bin/env bash
# The sanitizer build (preset asan: clang, ASan + UBSan that halt on the first error, -O1): core,
# the CLI, the REST API, their unit and integration tests and the fuzz targets; the GUI and the
# benchmarks are left out (the ui tests run in the dev build). Builds, runs the tests, and fails
# on any sanitizer report, also one from a child process (loadscope-cli) or one in a test that
# passed on its retry: reports go to files, which are printed.
# Usage: .ci/sanitize.sh [ctest arguments]
set -euo pipefail
cd "$(dirname "$0")/.."
cmake --preset asan
cmake --build --preset asan
reports=$PWD/build/asan/sanitizer-reports
rm -rf "$reports"
mkdir -p "$reports"
status=0
LOADSCOPE_ASAN_LOG=:log_path=$reports/asan \
  LOADSCOPE_UBSAN_LOG=:log_path=$reports/ubsan \
  ctest --preset asan "$@" || status=$?
if compgen -G "$reports/*" >/dev/null; then
  echo "sanitize: sanitizer reports:" >&2
  for f in "$reports"/*; do
    echo "== $f" >&2
    head -60 "$f" >&2
  done
  status=1
fi
exit "$status"

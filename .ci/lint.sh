#!/usr/bin/env bash
# Lint: clang-format (the tree must already be formatted) and clazy over every project source of
# a configured build (its compile_commands.json). Fails on any finding.
# Usage: .ci/lint.sh [BUILD_DIR]   (default build/dev; `cmake --build --preset lint` runs it)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/dev}
[ -f "$build/compile_commands.json" ] || { echo "lint: no $build/compile_commands.json (run cmake --preset dev first)" >&2; exit 2; }
status=0

mapfile -t sources < <(git ls-files 'app/*.cpp' 'app/*.h' 'core/*.cpp' 'core/*.h' 'ui/*.cpp' 'ui/*.h' 'tests/*.cpp' 'tests/*.h')
if ! clang-format --dry-run --Werror "${sources[@]}" 2>/tmp/lint-format.$$; then
  echo "lint: clang-format would change these files (run clang-format -i on them):" >&2
  grep -oE '^[^:]+\.(cpp|h)' /tmp/lint-format.$$ | sort -u | sed 's/^/  /' >&2
  status=1
fi
rm -f /tmp/lint-format.$$

# Connect rules of STYLE.md (QT_NO_CONTEXTLESS_CONNECT does nothing on Qt 6.4) and the checks
# that find real bugs in Qt code; the noisy performance-only checks are left out.
checks=connect-3arg-lambda,connect-non-signal,connect-not-normalized,lambda-in-connect,\
lambda-unique-connection,old-style-connect,overridden-signal,virtual-signal,incorrect-emit,\
fully-qualified-moc-types,container-anti-pattern,temporary-iterator,strict-iterators,\
detaching-temporary,mutable-container-key,qdeleteall,qenums,qstring-arg,range-loop-detach,\
returning-data-from-temporary,unused-non-trivial-variable,writing-to-temporary,\
wrong-qevent-cast,wrong-qglobalstatic,qt-keywords

# Only the units this build compiles: the fuzz targets exist in the asan build alone, and clazy
# cannot parse a file without its compile command.
mapfile -t units < <(git ls-files 'app/*.cpp' 'core/*.cpp' 'ui/*.cpp' 'tests/*.cpp' |
  while read -r f; do grep -qF "\"file\": \"$PWD/$f\"" "$build/compile_commands.json" && echo "$f"; done)
skipped=$(($(git ls-files 'app/*.cpp' 'core/*.cpp' 'ui/*.cpp' 'tests/*.cpp' | wc -l) - ${#units[@]}))
log=$(mktemp)
# GCC 12 defaults to C++17 so CMake passes no -std; clang needs it said.
printf '%s\n' "${units[@]}" |
  xargs -P "$(nproc)" -n 4 clazy-standalone -p "$build" --extra-arg=-std=c++17 \
    --extra-arg=-Wno-unknown-warning-option -checks="$checks" >"$log" 2>&1 || true
if grep -E 'warning: .*\[-Wclazy-|error:' "$log" >/dev/null; then
  echo "lint: clazy findings:" >&2
  grep -E -A2 'warning: .*\[-Wclazy-|error:' "$log" >&2
  status=1
fi
rm -f "$log"
[ "$status" -eq 0 ] && echo "lint: clang-format and clazy (${#units[@]} files) found nothing (${skipped} files not in this build)."
exit "$status"

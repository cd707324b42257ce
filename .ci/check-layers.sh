#!/usr/bin/env bash
# Fails when an #include runs against the layers (README "Architecture"):
#   core/          never includes the front ends: ui/, cli/ (app/cli), rest/ (app/rest), app/
#   core/sample/   is a leaf: only plan/ and metrics/ of the project
#   app/rest/      never includes the CLI (cli/) or the GUI (ui/)
#   app/cli/       never includes the GUI (ui/)
set -euo pipefail
cd "$(dirname "$0")/.."
status=0
check() { # check DIR 'ERE of forbidden include targets' 'why'
  local hits
  hits=$(grep -rnE --include='*.h' --include='*.cpp' "^[[:space:]]*#[[:space:]]*include[[:space:]]+\"($2)" "$1" || true)
  if [ -n "$hits" ]; then
    echo "check-layers: $3:" >&2
    echo "$hits" | sed 's/^/  /' >&2
    status=1
  fi
}
check core 'ui/|cli/|rest/|app/|mainwindow|screenshottour' 'core/ includes a front end'
# The sample API may include itself, plan/ and metrics/ only.
hits=$(grep -rnE --include='*.h' --include='*.cpp' '^[[:space:]]*#[[:space:]]*include[[:space:]]+"' core/sample |
  grep -vE '#[[:space:]]*include[[:space:]]+"(sample|plan|metrics)/' |
  grep -vE '#[[:space:]]*include[[:space:]]+"[a-z_]+\.h"' || true)
if [ -n "$hits" ]; then
  echo "check-layers: core/sample/ includes more than plan/ and metrics/:" >&2
  echo "$hits" | sed 's/^/  /' >&2
  status=1
fi
check app/rest 'cli/|ui/' 'the REST API includes the CLI or the GUI'
check app/cli 'ui/' 'the CLI includes the GUI'
[ "$status" -eq 0 ] && echo "check-layers: no include runs against the layers."
exit "$status"

#!/bin/bash
# demo100.db: runs against demo --latency-ms=100 (A) and 120 (B, +20 %), interleaved so that the
# machine's drift hits both alike: ids 1 A, 2 B, 3 A, 4 B, 5 A, 6 A. 10 VUs, 10 s, no monitor.
set -u
cd /tmp/vrec2
CLI=/tmp/vrec/cli
rm -f demo100.db*
P=18733
run() { "$CLI" run --type=API_LATENCY --base-url=http://127.0.0.1:$P --endpoint=/api/health --duration=10 --concurrency=10 --threads=1 --db=demo100.db --quiet --no-monitor --output-file=/tmp/vrec2/last.json "$@" > run.log 2>&1; echo "run $* exit $?"; }
demo() { "$CLI" demo --port=$P --latency-ms=$1 > demo.log 2>&1 & DEMO=$!; sleep 1; run --version-label=$2; kill $DEMO; wait $DEMO 2>/dev/null; }
demo 100 a1; demo 120 b1; demo 100 a2; demo 120 b2; demo 100 a3; demo 100 a4
sqlite3 demo100.db "PRAGMA wal_checkpoint(TRUNCATE); PRAGMA journal_mode=DELETE; VACUUM;"
echo done

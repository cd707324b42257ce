#!/bin/bash
# demo500.db: runs against demo --latency-ms=500 (A) and 600 (B, +20 %), interleaved so that the
# machine's drift hits both alike: ids 1 A, 2 B, 3 A, 4 B, 5 A, 6 A. 50 VUs, 10 s, no monitor.
set -u
cd /tmp/vrec3
CLI=/tmp/vrec/cli
rm -f demo500.db*
P=18735
run() { "$CLI" run --type=API_LATENCY --base-url=http://127.0.0.1:$P --endpoint=/api/health --duration=10 --concurrency=50 --threads=1 --db=demo500.db --quiet --no-monitor --output-file=/tmp/vrec3/last.json "$@" > run.log 2>&1; echo "run $* exit $?"; }
demo() { "$CLI" demo --port=$P --latency-ms=$1 > demo.log 2>&1 & DEMO=$!; sleep 1; run --version-label=$2; kill $DEMO; wait $DEMO 2>/dev/null; }
demo 500 a1; demo 600 b1; demo 500 a2; demo 600 b2; demo 500 a3; demo 500 a4
sqlite3 demo500.db "PRAGMA wal_checkpoint(TRUNCATE); PRAGMA journal_mode=DELETE; VACUUM;"
echo done

#!/bin/bash
# demo-ab.db: the same plan against demo --latency-ms=100 (A) and 125 (B), interleaved
# A B A B A B A A (ids 1..8: B = 2, 4, 6), 10 VUs, 10 s, no monitor; run under nice -n -15.
set -u
cd /tmp/vrec5
CLI=/tmp/vrec/cli
rm -f demo-ab.db*
P=18739
run() { "$CLI" run --type=API_LATENCY --base-url=http://127.0.0.1:$P --endpoint=/api/health --duration=10 --concurrency=10 --threads=1 --db=demo-ab.db --quiet --no-monitor --output-file=/tmp/vrec5/last.json "$@" > run.log 2>&1; echo "run $* exit $?"; }
demo() { "$CLI" demo --port=$P --latency-ms=$1 > demo.log 2>&1 & DEMO=$!; sleep 1; run --version-label=$2; kill $DEMO; wait $DEMO 2>/dev/null; }
demo 100 a1; demo 125 b1; demo 100 a2; demo 125 b2; demo 100 a3; demo 125 b3; demo 100 a4; demo 100 a5
sqlite3 demo-ab.db "PRAGMA wal_checkpoint(TRUNCATE); PRAGMA journal_mode=DELETE; VACUUM;"
echo done

#!/bin/bash
# Records real runs for tests/data/verdicts: demo (20 ms, then 24 ms = +20 %) and nginx A/A.
set -u
cd /tmp/vrec
CLI=/tmp/vrec/cli
rm -f demo.db* nginx.db*
P=18731
run() { "$CLI" run --type=API_LATENCY --base-url=http://127.0.0.1:$P --endpoint=/api/health --duration=$1 --concurrency=4 --threads=1 --db=$2 --quiet --no-monitor --output-file=/tmp/vrec/last.json "${@:3}" > /tmp/vrec/run.log 2>&1; echo "run $1 s -> $2 exit $?"; }
startdemo() { "$CLI" demo --port=$P --latency-ms=$1 > /tmp/vrec/demo.log 2>&1 & DEMO=$!; sleep 1; }
startdemo 20
for i in 1 2 3 4 5; do run 10 demo.db --version-label=a$i; done
run 3 demo.db --version-label=short
kill $DEMO; wait $DEMO 2>/dev/null
startdemo 24
for i in 1 2; do run 10 demo.db --version-label=b$i; done
kill $DEMO; wait $DEMO 2>/dev/null
# nginx A/A at a fixed arrival rate (the generator stays below saturation), then one saturated run
mkdir -p ng && cat > ng/nginx.conf <<NG
worker_processes 1;
daemon off;
pid /tmp/vrec/ng/nginx.pid;
error_log /tmp/vrec/ng/error.log;
events { worker_connections 8192; }
http { access_log off; default_type application/json; keepalive_timeout 65; keepalive_requests 100000000;
  client_body_temp_path /tmp/vrec/ng/body;
  server { listen 127.0.0.1:$P; location /api/health { return 200 '{"status":"ok"}'; } } }
NG
nginx -p /tmp/vrec/ng -e /tmp/vrec/ng/error.log -c /tmp/vrec/ng/nginx.conf & NG=$!; sleep 1
for i in 1 2 3 4; do run 10 nginx.db --rate=500 --version-label=n$i; done
"$CLI" run --type=API_LATENCY --base-url=http://127.0.0.1:$P --endpoint=/api/health --duration=10 --concurrency=64 --threads=1 --db=nginx.db --quiet --version-label=saturated > run.log 2>&1; echo "saturated exit $?"
kill $NG; wait $NG 2>/dev/null
echo done

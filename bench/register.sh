#!/usr/bin/env bash
# Register benchmark (issue 2): PEOPLE people and PROPERTIES properties on SQLite, release build.
# Prints: import throughput, bulk-load throughput, person search latency over HTTP (p50/p99), server RSS idle and under load.
# Usage: bench/register.sh            (1,000,000 people, 500,000 properties)
#        PEOPLE=100000 PROPERTIES=50000 bench/register.sh
set -euo pipefail
cd "$(dirname "$0")/.."
PEOPLE=${PEOPLE:-1000000}
PROPERTIES=${PROPERTIES:-500000}
DURATION=${DURATION:-30s}
CONNECTIONS=${CONNECTIONS:-8}
command -v wrk >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk) >/dev/null
swift build -c release --product townhall >/dev/null
bin=$PWD/.build/release/townhall
work=${BENCH_DIR:-$(mktemp -d)}
db="sqlite://$work/bench.sqlite"
port=8190

echo "== machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; SQLite file in $work"
if [ ! -f "$work/bench.sqlite" ]; then
  echo "== seeding $PROPERTIES properties and $PEOPLE people"
  /usr/bin/time -f "seed: %e s wall, max RSS %M KiB" "$bin" bench seed --people "$PEOPLE" --properties "$PROPERTIES" --database-url "$db" 2>&1 | grep -v "^20..-" || true
fi
echo "== database file: $(du -h "$work/bench.sqlite" | cut -f1)"
key=$("$bin" apikey create --organisation bench --database-url "$db" 2>/dev/null | tail -1)

TOWNHALL_LOG_LEVEL=warning "$bin" serve --port $port --database-url "$db" >"$work/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 1 60); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 1; done
sleep 2
echo "== server RSS idle: $(awk '/VmRSS/ {print $2, $3}' /proc/$server/status)"

# Warm the page cache the way a running service would be, then measure.
BENCH_KEY=$key wrk -t1 -c2 -d5s -s bench/search.lua "http://127.0.0.1:$port" >/dev/null
( sleep 15; echo "== server RSS under load: $(awk '/VmRSS/ {print $2, $3}' /proc/$server/status)" ) &
sampler=$!
echo "== person search over HTTP: wrk, 1 thread, $CONNECTIONS connections, $DURATION (client and server share the 2 cores)"
BENCH_KEY=$key wrk -t1 -c"$CONNECTIONS" -d"$DURATION" --latency -s bench/search.lua "http://127.0.0.1:$port"
wait $sampler
echo "== single-client latency (no queueing): 1 connection, 10s"
BENCH_KEY=$key wrk -t1 -c1 -d10s --latency -s bench/search.lua "http://127.0.0.1:$port" | grep -E "50%|90%|99%|Requests/sec"

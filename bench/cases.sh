#!/usr/bin/env bash
# Case engine benchmark (issue 3), release build on SQLite. Prints:
#  1. the raw SQLite rate of single-row transactional inserts on this disk (WAL, synchronous=FULL, as Townhall runs);
#  2. Open311 POST requests.json over loopback for $DURATION with wrk: requests/s, p50, p99, and the share of (1);
#  3. recomputing the service level of $CASES cases from their timelines: when every clock moves (beside the raw SQLite
#     floor for writing those clocks, bench/clocks.py, on the same file in the same run) and when none does.
# Usage: bench/cases.sh            (1,000,000 cases)
#        CASES=100000 DURATION=10s bench/cases.sh
set -euo pipefail
cd "$(dirname "$0")/.."
CASES=${CASES:-1000000}
DURATION=${DURATION:-30s}
CONNECTIONS=${CONNECTIONS:-8 32}
command -v wrk >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk) >/dev/null
swift build -c release --product townhall >/dev/null
bin=$PWD/.build/release/townhall
work=${BENCH_DIR:-$(mktemp -d)}
mkdir -p "$work"
rm -f "$work"/raw.sqlite*
db="sqlite://$work/cases.sqlite"
port=8191
echo "== machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; files in $work"

echo "== raw SQLite: single-row INSERT transactions for 10 s (WAL, synchronous=FULL), same disk"
raw=$(python3 - "$work/raw.sqlite" <<'PY'
import sqlite3, sys, time, uuid
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.execute("PRAGMA journal_mode=WAL"); c.execute("PRAGMA synchronous=FULL")
c.execute("CREATE TABLE t (id TEXT PRIMARY KEY, organisation_id TEXT, reference TEXT UNIQUE, body TEXT, created_at TEXT)")
n, end = 0, time.time() + 10
while time.time() < end:
    c.execute("BEGIN IMMEDIATE")
    c.execute("INSERT INTO t VALUES (?, ?, ?, ?, ?)", (str(uuid.uuid4()), "org", "TH-%08d" % n, "x" * 400, time.strftime("%Y-%m-%dT%H:%M:%S")))
    c.execute("COMMIT")
    n += 1
print(round(n / 10))
PY
)
echo "raw inserts: $raw rows/s"

echo "== seeding $CASES cases and recomputing their service levels"
"$bin" bench cases --cases "$CASES" --database-url "$db" 2>&1 | grep -E "^(seed|recompute)" || true   # CASES=0: add none, reuse the file
echo "== every clock rewritten: the raw floor (single-row UPDATEs of the same values), then Townhall's recompute"
floor=$(python3 bench/clocks.py "$work/cases.sqlite" floor)
echo "raw floor: $floor s"
python3 bench/clocks.py "$work/cases.sqlite" clear
out=$(/usr/bin/time -f "recompute wall %e s, max RSS %M KiB" "$bin" cases recompute --organisation bench-cases --database-url "$db" 2>&1 | grep -E "recomputed|wall")
echo "$out"
python3 -c "print('recompute that moves every clock takes %.2f× the raw floor' % (float('$(echo "$out" | awk '/wall/ {print $3}')') / float('$floor')))"
echo "== recompute again (every case already current: the cost of a calendar-change run)"
/usr/bin/time -f "recompute wall %e s, max RSS %M KiB" "$bin" cases recompute --organisation bench-cases --database-url "$db" 2>&1 | grep -E "recomputed|wall"

key=$("$bin" apikey create --organisation bench-cases --scope open311 --database-url "$db" 2>/dev/null | tail -1)
TOWNHALL_LOG_LEVEL=warning TOWNHALL_SCHEDULER_INTERVAL=0 "$bin" serve --port $port --database-url "$db" >"$work/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 1 60); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 1; done
for c in $CONNECTIONS; do
  echo "== Open311 POST requests.json: wrk, 1 thread, $c connections, $DURATION (client and server share the cores)"
  out=$(BENCH_KEY=$key wrk -t1 -c"$c" -d"$DURATION" --latency -s bench/open311.lua "http://127.0.0.1:$port")
  echo "$out" | grep -E "Requests/sec|50%|90%|99%|Non-2xx|Socket errors" || true
  rate=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  python3 -c "print('Open311 POST rate with $c connections is %.0f%% of the raw single-row insert rate' % (100 * float('$rate') / float('$raw')))"
done

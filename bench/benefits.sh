#!/usr/bin/env bash
# Benefits eligibility checker (issue 20): estimates a second in one process over generated households (the engine alone,
# then JSON in, validated and estimated), then the same estimate over HTTP (`wrk -t1 -c16`, POST /api/v1/benefits/estimate
# on loopback, next to /healthz as the floor), then what PolicyEngine UK takes per household on this machine if
# PE_PYTHON names a Python with policyengine-uk==2.162.10 installed (else the figure recorded in the reference fixture).
# Usage: bench/benefits.sh     HOUSEHOLDS=100000 DURATION=10s PE_PYTHON=/tmp/pe/bin/python bench/benefits.sh
set -euo pipefail
cd "$(dirname "$0")/.."
HOUSEHOLDS=${HOUSEHOLDS:-100000}
DURATION=${DURATION:-10s}
command -v wrk >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk) >/dev/null
swift build -c release --product townhall >/dev/null
BIN=$PWD/.build/release/townhall
work=$(mktemp -d)
port=${PORT:-8198}
base="http://127.0.0.1:$port"
server=
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true; rm -rf "$work"' EXIT

echo "== in one process, $HOUSEHOLDS generated households"
"$BIN" bench benefits --households "$HOUSEHOLDS" --sample "$work/household.json"

echo "== over HTTP: wrk -t1 -c16 -d$DURATION (wrk and the server share the cores)"
db="sqlite://$work/bench.sqlite"
TOWNHALL_LOG_LEVEL=warning "$BIN" serve --demo --port $port --database-url "$db" >"$work/server.log" 2>&1 &
server=$!
for _ in $(seq 1 300); do curl -sf "$base/healthz" >/dev/null 2>&1 && break; sleep 1; done
key=$("$BIN" apikey create --organisation burnley --scope benefits:estimate --database-url "$db" 2>/dev/null | tail -1)
cat >"$work/post.lua" <<LUA
local f = io.open("$work/household.json"); wrk.body = f:read("*a"); f:close()
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $key"
LUA
status=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $key" -H "Content-Type: application/json" \
  --data-binary "@$work/household.json" "$base/api/v1/benefits/estimate")
[ "$status" = 200 ] || { echo "the estimate answered $status" >&2; exit 1; }
row() {   # label, then wrk's arguments
  local label=$1 result; shift
  wrk -t1 -c16 -d2s "$@" >/dev/null
  result=$(wrk -t1 -c16 -d"$DURATION" --latency "$@")
  printf "%-40s %9s req/s   p50 %s   p99 %s\n" "$label" "$(echo "$result" | awk '/Requests\/sec/ {print $2}')" \
    "$(echo "$result" | awk '$1 == "50%" {print $2}')" "$(echo "$result" | awk '$1 == "99%" {print $2}')"
}
row "/healthz (the floor)" "$base/healthz"
row "POST /api/v1/benefits/estimate" -s "$work/post.lua" "$base/api/v1/benefits/estimate"

echo "== PolicyEngine UK"
if [ -n "${PE_PYTHON:-}" ]; then
  "$PE_PYTHON" - "$work/household.json" <<'PY'
import json, sys, time
sys.path.insert(0, "tests/benefits")
from make_reference import situation
from policyengine_uk import Simulation
h = json.load(open(sys.argv[1]))
Simulation(situation=situation(h)).calculate("council_tax_reduction", int(h["fiscal_year"][:4]))  # warm the imports
start, n = time.perf_counter(), 5
for _ in range(n):
    sim = Simulation(situation=situation(h))
    for v in ["council_tax_reduction", "housing_benefit", "universal_credit", "pension_credit", "child_benefit"]:
        sim.calculate(v, int(h["fiscal_year"][:4]))
print(f"{(time.perf_counter() - start) / n:.3f} s a household (one Simulation each, five outputs)")
PY
else
  python3 -c 'import json; print(json.load(open("Tests/TownhallKernelTests/Fixtures/benefits-reference.json"))["seconds_per_household"], "s a household, recorded when the reference fixture was made (set PE_PYTHON to measure)")'
fi

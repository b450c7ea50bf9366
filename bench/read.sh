#!/usr/bin/env bash
# Read-path load benchmark (issue 29): the demo (release build, SQLite, loopback), `wrk -t1 -cCONNECTIONS` against the
# pages and JSON bodies people read most, each next to /healthz (the stack's floor) measured in the same run.
# Prints, per request: req/s, its share of the floor, p50 and p99 latency, the body's size; then the server's RSS.
# With BASE set, runs that binary first on a fresh demo, then this one, and adds each row's ratio (this ÷ base).
# Usage: bench/read.sh                      BIN=/tmp/old/townhall bench/read.sh   (another binary on the same requests)
#        BASE=/tmp/old/townhall bench/read.sh                 DURATION=10s CONNECTIONS=16 bench/read.sh
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-16}
command -v wrk >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk) >/dev/null
if [ -z "${BIN:-}" ]; then swift build -c release --product townhall >/dev/null; BIN=$PWD/.build/release/townhall; fi
work=$(mktemp -d)
port=${PORT:-8197}
base="http://127.0.0.1:$port"
server=
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true; rm -rf "$work"' EXIT

# measure BINARY OUT: a fresh demo served by BINARY; one line per request in OUT (label|req/s|p50|p99|bytes).
measure() {
  local bin=$1 out=$2 db="sqlite://$work/read-$RANDOM.sqlite"
  TOWNHALL_LOG_LEVEL=warning "$bin" serve --demo --port $port --database-url "$db" >"$work/server.log" 2>&1 &
  server=$!
  for _ in $(seq 1 300); do curl -sf "$base/healthz" >/dev/null 2>&1 && break; sleep 1; done
  local key jar="$work/cookies" token cookie
  key=$("$bin" apikey create --organisation burnley --scope admin --database-url "$db" 2>/dev/null | tail -1)
  rm -f "$jar"
  token=$(curl -s -c "$jar" "$base/sign-in" | sed -n 's/.*name="csrf_token" value="\([^"]*\)".*/\1/p' | head -1)
  curl -s -b "$jar" -c "$jar" -o /dev/null \
    -d "csrf_token=$token&next=%2Fdesk&username=burnley.agent&password=townhall-demo-2026" "$base/sign-in"
  cookie=$(sed 's/^#HttpOnly_//' "$jar" | awk '!/^#/ && NF >= 7 && $6 == "townhall_session" {printf "%s=%s", $6, $7}')
  [ -n "$cookie" ] || { echo "signing in failed" >&2; exit 1; }
  echo "idle|$(awk '/VmRSS/ {print $2}' /proc/$server/status)" >"$out"
  run() {   # label path header
    local label=$1 path=$2 header=$3 result rps size
    size=$(curl -s -H "$header" -o /dev/null -w '%{size_download}' "$base$path")
    wrk -t1 -c"$CONNECTIONS" -d2s -H "$header" "$base$path" >/dev/null   # warm
    result=$(wrk -t1 -c"$CONNECTIONS" -d"$DURATION" --latency -H "$header" "$base$path")
    if echo "$result" | grep -q "Non-2xx"; then echo "!! $label: $(echo "$result" | grep Non-2xx)" >&2; fi
    rps=$(echo "$result" | awk '/Requests\/sec/ {print $2}')
    ms() { echo "$result" | awk -v q="$1" '$1 == q { v = $2; if (v ~ /us$/) { sub("us", "", v); v /= 1000 } else if (v ~ /ms$/) { sub("ms", "", v) } else if (v ~ /s$/) { sub("s", "", v); v *= 1000 }; printf "%.2f", v }'; }
    echo "$label|$rps|$(ms 50%)|$(ms 99%)|$size" >>"$out"
  }
  local bearer="Authorization: Bearer $key"
  run "/healthz (the floor)" "/healthz" "Accept: */*"
  run "GET /api/v1/me" "/api/v1/me" "$bearer"
  run "GET /api/v1/cases?limit=20" "/api/v1/cases?limit=20" "$bearer"
  run "GET /api/v1/people?q=smith" "/api/v1/people?q=smith" "$bearer"
  run "GET /api/v1/services" "/api/v1/services" "$bearer"
  run "GET /open311/v2/services.json?jurisdiction_id=burnley" "/open311/v2/services.json?jurisdiction_id=burnley" "Accept: */*"
  run "GET /open311/v2/requests.json?jurisdiction_id=burnley" "/open311/v2/requests.json?jurisdiction_id=burnley" "Accept: */*"
  run "GET /desk/cases (signed in)" "/desk/cases" "Cookie: $cookie"
  run "GET /desk/dashboard (signed in)" "/desk/dashboard" "Cookie: $cookie"
  echo "load|$(awk '/VmRSS/ {print $2}' /proc/$server/status)|$(awk '/VmHWM/ {print $2}' /proc/$server/status)" >>"$out"
  kill $server; wait $server 2>/dev/null || true; server=
}

echo "== $(nproc) cores; wrk -t1 -c$CONNECTIONS -d$DURATION per row (wrk and the server share the cores)"
if [ -n "${BASE:-}" ]; then measure "$BASE" "$work/base.txt"; fi
measure "$BIN" "$work/this.txt"
basefile=/dev/null
if [ -n "${BASE:-}" ]; then basefile=$work/base.txt; fi
awk -F'|' -v hasbase="${BASE:+1}" -v basefile="$basefile" '
  FILENAME == basefile { b[$1] = $2; next }
  $1 == "idle" { printf "== server RSS idle: %d kB\n", $2; if (hasbase) printf "%-58s %9s %7s %8s %8s %8s %9s %7s\n", "request", "req/s", "floor", "p50 ms", "p99 ms", "bytes", "base r/s", "ratio"; else printf "%-58s %9s %7s %8s %8s %8s\n", "request", "req/s", "floor", "p50 ms", "p99 ms", "bytes"; next }
  $1 == "load" { printf "== server RSS after the load: %d kB, peak %d kB\n", $2, $3; next }
  { if (!floor) floor = $2
    printf "%-58s %9.0f %6.0f%% %8s %8s %8s", $1, $2, 100 * $2 / floor, $3, $4, $5
    if (hasbase) printf " %9.0f %6.1fx", b[$1], $2 / b[$1]
    printf "\n" }
' "$basefile" "$work/this.txt"

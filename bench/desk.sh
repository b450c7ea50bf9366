#!/usr/bin/env bash
# Desk page timings (issue 5: each desk page renders in <= 50 ms server time on the demo data), release build on SQLite.
# Signs in as the Burnley agent, then requests each page $RUNS times over loopback, one at a time, and prints the median
# and 95th percentile of curl's total time (loopback, so this is server time plus a fraction of a millisecond).
# Usage: bench/desk.sh          RUNS=200 bench/desk.sh          CONFIG=debug bench/desk.sh (an upper bound, no release build)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-100}
CONFIG=${CONFIG:-release}
swift build -c "$CONFIG" --product townhall >/dev/null
bin=$PWD/.build/$CONFIG/townhall
work=$(mktemp -d)
port=8193
"$bin" serve --demo --port $port --database-url "sqlite://$work/desk.sqlite" >"$work/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true' EXIT
for _ in $(seq 1 300); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 1; done
base="http://127.0.0.1:$port"
jar="$work/cookies"
token=$(curl -s -c "$jar" "$base/sign-in" | sed -n 's/.*name="csrf_token" value="\([^"]*\)".*/\1/p' | head -1)
curl -s -b "$jar" -c "$jar" -o /dev/null -d "csrf_token=$token&next=%2Fdesk&username=burnley.agent&password=townhall-demo-2026" "$base/sign-in"
person=$(curl -s -b "$jar" "$base/desk?q=smith" | grep -o '/desk/people/[0-9a-f-]*' | head -1)
property=$(curl -s -b "$jar" "$base/desk?q=BB11+2BD" | grep -o '/desk/properties/[0-9a-f-]*' | head -1)
flow=$(curl -s -b "$jar" "$base$person" | grep -o "$person/triage/[0-9a-f-]*" | head -1)
casepage=$(curl -s -b "$jar" "$base/desk/cases" | grep -o '/desk/cases/[0-9a-f-]\{36\}' | head -1)
article=$(curl -s -b "$jar" "$base/desk/guidance" | grep -o '/desk/guidance/[0-9a-f-]\{36\}' | head -1)
echo "== $(nproc) cores; $RUNS requests a page, one at a time; milliseconds"
printf "%-44s %8s %8s\n" page median p95
for page in "/desk" "/desk?q=smith" "/desk?q=BB11+2BD" "/desk/suggest?q=smi" "$person" "$property" "$flow?answers=1.1" "/desk/cases" "$casepage" "/desk/dashboard" \
            "/desk/guidance" "/desk/guidance?q=sofa" "$article" "/desk/guidance/suggest?service_code=587&text=old+sofa"; do
  curl -s -b "$jar" -o /dev/null "$base$page"   # warm
  for _ in $(seq 1 "$RUNS"); do curl -s -b "$jar" -o /dev/null -w '%{time_total}\n' "$base$page"; done | sort -n |
    awk -v p="$(echo "$page" | sed 's/[0-9a-f]\{8\}-[0-9a-f-]\{27\}/{id}/g')" '{ t[NR] = $1 * 1000 } END { printf "%-44s %8.1f %8.1f\n", p, t[int(NR*0.5)], t[int(NR*0.95)] }'
done

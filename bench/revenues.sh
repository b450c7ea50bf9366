#!/usr/bin/env bash
# Revenues benchmark (issue 4), release build on SQLite. Prints:
#  1. seeding $DWELLINGS dwellings on the valuation list with an account each (townhall bench revenues);
#  2. the annual billing run for 2026/27 (townhall revenues bill): wall time and peak RSS;
#  3. the raw time to insert the same bill and instalment rows with plain SQLite statements (Python's sqlite3,
#     prepared statements, the same tables, indexes and pragmas, a transaction per 500 accounts as the run commits),
#     and the run's time as a multiple of it;
#  4. the billing run again (every account already billed: the cost of a rerun after a kill);
#  5. the daily recovery job after most accounts have paid what is due (townhall revenues recover): wall time, peak RSS.
# Usage: bench/revenues.sh             (500,000 dwellings)
#        DWELLINGS=50000 bench/revenues.sh
set -euo pipefail
cd "$(dirname "$0")/.."
DWELLINGS=${DWELLINGS:-500000}
swift build -c release --product townhall >/dev/null
bin=$PWD/.build/release/townhall
work=${BENCH_DIR:-$(mktemp -d)}
mkdir -p "$work"
rm -f "$work"/revenues.sqlite* "$work"/raw.sqlite*
db="sqlite://$work/revenues.sqlite"
echo "== machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; files in $work"

# Runs a command under /usr/bin/time and samples /proc every 0.2 s for the peak of its own (anonymous) memory and of the
# database pages SQLite maps (mmap_size is 1 GiB): max RSS counts both, and the mapped pages are the file's page cache.
measured() {
  local label=$1; shift
  /usr/bin/time -o "$work/time.out" -f "%e %M" "$@" &
  local pid=$! anon=0 file=0 child
  while kill -0 $pid 2>/dev/null; do
    child=$(pgrep -P $pid | head -1)
    if [ -n "$child" ] && [ -r /proc/$child/status ]; then
      a=$(awk '/RssAnon/ {print $2}' /proc/$child/status 2>/dev/null || echo 0); f=$(awk '/RssFile/ {print $2}' /proc/$child/status 2>/dev/null || echo 0)
      [ "${a:-0}" -gt $anon ] && anon=$a; [ "${f:-0}" -gt $file ] && file=$f
    fi
    sleep 0.2
  done
  wait $pid
  read -r secs kib <"$work/time.out"
  echo "$label: wall $secs s, max RSS $kib KiB ($(python3 -c "print(round($kib / 1048576, 2))") GiB): own memory (RssAnon) peak $anon KiB, mapped database pages (RssFile) peak $file KiB"
  echo "$secs" >"$work/last.secs"
}

echo "== seeding $DWELLINGS dwellings and accounts"
/usr/bin/time -f "seed wall %e s, max RSS %M KiB" "$bin" bench revenues --dwellings "$DWELLINGS" --database-url "$db" 2>&1 | grep -E "^(valuation|accounts|seed)"

echo "== annual billing run, 2026/27, issued 10 March 2026"
measured "billing run" "$bin" revenues bill --year 2026 --issued 2026-03-10 --organisation bench-revenues --database-url "$db" 2>/dev/null | grep -v "^billed"
bill_s=$(cat "$work/last.secs")

echo "== raw SQLite: the same bill and instalment rows with plain prepared INSERTs, a transaction per 500 accounts"
raw_s=$(python3 - "$work/revenues.sqlite" "$work/raw.sqlite" <<'PY'
import sqlite3, sys, time
src = sqlite3.connect(sys.argv[1])
schema = [r[0] for r in src.execute("SELECT sql FROM sqlite_master WHERE tbl_name IN ('revenues_bill', 'revenues_instalment') AND sql IS NOT NULL ORDER BY type DESC")]
bills = src.execute("SELECT * FROM revenues_bill ORDER BY account_id").fetchall()
instalments = {}
for row in src.execute("SELECT * FROM revenues_instalment"):
    instalments.setdefault(row[0], []).append(row)
src.close()
c = sqlite3.connect(sys.argv[2], isolation_level=None)
for p in ["journal_mode = WAL", "synchronous = FULL", "temp_store = MEMORY", "mmap_size = 1073741824"]:
    c.execute("PRAGMA " + p)
for sql in schema:
    c.execute(sql.replace("REFERENCES revenues_bill (id)", "").replace("REFERENCES revenues_account (id)", ""))
bill_sql = "INSERT INTO revenues_bill VALUES (%s)" % ", ".join("?" * len(bills[0]))
start = time.time()
for i in range(0, len(bills), 500):
    batch = bills[i:i + 500]
    c.execute("BEGIN IMMEDIATE")
    c.executemany(bill_sql, batch)
    c.executemany("INSERT INTO revenues_instalment VALUES (?, ?, ?, ?)", [r for b in batch for r in instalments.get(b[0], [])])
    c.execute("COMMIT")
print("%.2f" % (time.time() - start))
PY
)
echo "raw inserts: $raw_s s"
python3 -c "print('billing run = %.2f x the raw insert time (target: at most 2 x)' % ($bill_s / $raw_s))"

echo "== billing run again (every account already billed)"
measured "rerun" "$bin" revenues bill --year 2026 --issued 2026-03-10 --organisation bench-revenues --database-url "$db" 2>/dev/null

echo "== recovery: all but 1 in 25 accounts pay what was due by 1 November; the job runs for 22 November"
"$bin" bench revenues-pay --on 2026-11-01 --miss-every 25 --database-url "$db" | grep payments
measured "recovery" "$bin" revenues recover --date 2026-11-22 --organisation bench-revenues --database-url "$db" | grep -E "^recovery"
echo "== recovery again the same day (nothing new to propose)"
measured "recovery rerun" "$bin" revenues recover --date 2026-11-22 --organisation bench-revenues --database-url "$db" | grep -E "^recovery"

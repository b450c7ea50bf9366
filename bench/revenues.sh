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

echo "== seeding $DWELLINGS dwellings and accounts"
/usr/bin/time -f "seed wall %e s, max RSS %M KiB" "$bin" bench revenues --dwellings "$DWELLINGS" --database-url "$db" 2>&1 | grep -E "^(valuation|accounts|seed)"

echo "== annual billing run, 2026/27, issued 10 March 2026"
/usr/bin/time -o "$work/bill.time" -f "%e %M" "$bin" revenues bill --year 2026 --issued 2026-03-10 --organisation bench-revenues --database-url "$db" 2>/dev/null | tail -1
read -r bill_s bill_kib <"$work/bill.time"
echo "billing run: wall $bill_s s, max RSS $bill_kib KiB ($(python3 -c "print(round($bill_kib / 1048576, 2))") GiB)"

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
/usr/bin/time -f "rerun wall %e s, max RSS %M KiB" "$bin" revenues bill --year 2026 --issued 2026-03-10 --organisation bench-revenues --database-url "$db" 2>&1 >/dev/null | grep wall
"$bin" revenues bill --year 2026 --issued 2026-03-10 --organisation bench-revenues --database-url "$db" 2>/dev/null | tail -1

echo "== recovery: all but 1 in 25 accounts pay what was due by 1 November; the job runs for 22 November"
"$bin" bench revenues-pay --on 2026-11-01 --miss-every 25 --database-url "$db" | grep payments
/usr/bin/time -f "recovery wall %e s, max RSS %M KiB" "$bin" revenues recover --date 2026-11-22 --organisation bench-revenues --database-url "$db" 2>&1 | grep -E "^recovery"
echo "== recovery again the same day (nothing new to propose)"
/usr/bin/time -f "recovery rerun wall %e s, max RSS %M KiB" "$bin" revenues recover --date 2026-11-22 --organisation bench-revenues --database-url "$db" 2>&1 | grep -E "^recovery"

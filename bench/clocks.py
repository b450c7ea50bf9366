"""Raw SQLite floor for rewriting every case's service-level clock, for bench/cases.sh.

  clocks.py DB clear   empties the clock columns of the 'bench-cases' cases (untimed), so the next recompute writes all
  clocks.py DB floor [ROWS]
                       keeps the current clocks, empties them, then times writing them back as Townhall's recompute
                       does (single-row UPDATEs by rowid in transactions of ROWS, 2,000 unless given; WAL,
                       synchronous=FULL) and prints the seconds: the physical limit for a recompute that moves every
                       clock, on this disk, in this run
"""
import sqlite3
import sys
import time

path, mode = sys.argv[1], sys.argv[2]
rows = int(sys.argv[3]) if len(sys.argv) > 3 else 2000
c = sqlite3.connect(path, isolation_level=None)
for pragma in ("journal_mode=WAL", "synchronous=FULL", "mmap_size=1073741824"):
    c.execute("PRAGMA " + pragma)
org = "(SELECT id FROM organisation WHERE slug = 'bench-cases')"
clocks = c.execute(f"SELECT due_at, warning_at, sla_state, rowid FROM case_record WHERE organisation_id = {org} ORDER BY rowid").fetchall()
c.execute("BEGIN IMMEDIATE")
c.execute(f"UPDATE case_record SET due_at = NULL, warning_at = NULL, sla_state = 'on_track' WHERE organisation_id = {org}")
c.execute("COMMIT")
c.execute("PRAGMA wal_checkpoint(TRUNCATE)")
if mode == "floor":
    start = time.time()
    for at in range(0, len(clocks), rows):
        c.execute("BEGIN IMMEDIATE")
        c.executemany("UPDATE case_record SET due_at = ?, warning_at = ?, sla_state = ? WHERE rowid = ?", clocks[at:at + rows])
        c.execute("COMMIT")
    print("%.2f" % (time.time() - start))

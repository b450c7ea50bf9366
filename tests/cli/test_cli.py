"""The command-line interfaces that scripts and operators rely on (issue 2, 'Interfaces'), run against the built binary."""
import os
import sqlite3
import subprocess
import time
import urllib.request

import pytest

BIN = os.environ.get("TOWNHALL_BIN", ".build/debug/townhall")
TABLES = ["organisation", "staff", "property", "person", "household", "sharing_agreement", "audit_event", "case_record", "case_event", "case_service", "notification",
          "revenues_account", "revenues_bill", "revenues_instalment", "revenues_payment", "revenues_billing_run",
          "revenues_recovery_action"]


def townhall(*args, db, stdin=None):
    result = subprocess.run([BIN, *args, "--database-url", f"sqlite://{db}"], capture_output=True, text=True, input=stdin, timeout=600)
    assert result.returncode == 0, result.stderr
    return result.stdout


def counts(db):
    with sqlite3.connect(db) as c:
        return {t: c.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in TABLES}


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    db = str(tmp_path_factory.mktemp("cli") / "cli.sqlite")
    out = townhall("demo", db=db)
    assert "password is townhall-demo-2026" in out
    assert "burnley.agent" in out
    return db


def test_demo_is_realistic(demo):
    n = counts(demo)
    assert n["organisation"] == 8
    assert 5000 <= n["property"] <= 6000
    assert 7500 <= n["person"] <= 9000
    assert n["sharing_agreement"] == 2
    assert 60 <= n["case_record"] <= 90   # four weeks of reports, routed to the council of each tier and to the police
    with sqlite3.connect(demo) as c:
        roles = {r[0] for r in c.execute("SELECT roles FROM staff")}
    assert {"agent", "officer", "team_leader", "manager", "administrator", "safeguarding_officer", "auditor"} <= roles


def test_demo_twice_changes_nothing(demo):
    before = counts(demo)
    with sqlite3.connect(demo) as c:
        versions = c.execute("SELECT SUM(version) FROM property").fetchone()[0]
    out = townhall("demo", db=demo)
    assert "0 organisations, 0 staff, 0 properties, 0 households, 0 agreements, 0 cases added" in out
    assert counts(demo) == before
    with sqlite3.connect(demo) as c:
        assert c.execute("SELECT SUM(version) FROM property").fetchone()[0] == versions


def test_org_list_is_slug_name_kind(demo):
    lines = townhall("org", "list", db=demo).strip().split("\n")
    assert len(lines) == 8
    rows = [line.split("\t") for line in lines]
    assert all(len(r) == 3 for r in rows)
    assert ["burnley", "Burnley Borough Council", "district_council"] in rows
    assert ["lancashire-police", "Lancashire Constabulary", "police"] in rows


def test_apikey_create_prints_the_key_alone_last_and_it_works(demo, tmp_path):
    out = townhall("apikey", "create", "--organisation", "burnley", "--scope", "register:read", db=demo)
    key = out.strip().split("\n")[-1]
    assert key.startswith("th_") and " " not in key
    port = 8183
    server = subprocess.Popen([BIN, "serve", "--port", str(port), "--database-url", f"sqlite://{demo}"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(60):
            try:
                if urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz").status == 200:
                    break
            except OSError:
                time.sleep(0.5)
        req = urllib.request.Request(f"http://127.0.0.1:{port}/api/v1/properties?postcode=bb11%202bd&limit=5", headers={"Authorization": f"Bearer {key}"})
        body = urllib.request.urlopen(req).read().decode()
        assert '"postcode":"BB11 2BD"' in body
    finally:
        server.terminate()
        assert server.wait(timeout=20) == 0, "SIGTERM should shut the server down cleanly"


def test_first_install_org_and_user(tmp_path):
    db = str(tmp_path / "fresh.sqlite")
    assert townhall("org", "add", "--gss", "E07000117", db=db).strip() == "burnley\tBurnley Borough Council\tdistrict_council"
    out = townhall("user", "add", "--organisation", "burnley", "--username", "ada", "--name", "Ada Admin", "--email", "ada@example.org", db=db,
                   stdin="a long enough passphrase\n")
    assert "created ada in burnley with roles administrator" in out
    bad = subprocess.run([BIN, "user", "add", "--organisation", "burnley", "--username", "bob", "--name", "Bob", "--email", "bob@example.org",
                          "--database-url", f"sqlite://{db}"], input="short\n", capture_output=True, text=True)
    assert bad.returncode != 0 and "at least 12 characters" in bad.stderr


def test_billing_rerun_bills_nobody_twice_and_says_so(demo):
    with sqlite3.connect(demo) as c:
        accounts = c.execute("SELECT COUNT(*) FROM revenues_account").fetchone()[0]
        # Business rates have no multipliers in law for 2027/28 yet: those accounts are listed as not billed.
        council_tax = c.execute("SELECT COUNT(*) FROM revenues_account WHERE tax = 'council_tax'").fetchone()[0]
    assert accounts > 1000
    out = townhall("revenues", "bill", "--year", "2026", "--issued", "2026-03-10", db=demo)
    assert out.strip().splitlines()[-1] == f"billed {accounts} accounts: 0 created, {accounts} already billed"


def test_recovery_job_proposes_each_stage_once_and_a_rerun_adds_nothing(demo, tmp_path):
    db = str(tmp_path / "recovery.sqlite")
    with sqlite3.connect(demo) as src, sqlite3.connect(db) as dst:
        src.backup(dst)
    future = subprocess.run([BIN, "revenues", "recover", "--date", "2999-01-01", "--database-url", f"sqlite://{db}"], capture_output=True, text=True)
    assert future.returncode != 0 and "date" in future.stderr
    # (A server started on this data by an earlier test may already have run part of today's job.)
    with sqlite3.connect(db) as c:
        before = c.execute("SELECT COUNT(*) FROM revenues_recovery_action").fetchone()[0]
    first = townhall("revenues", "recover", db=db).strip().splitlines()
    proposed = int(__import__("re").fullmatch(r"recovery on \S+: \d+ accounts checked, (\d+) proposed, 0 issued", first[-1]).group(1))
    with sqlite3.connect(db) as c:
        after = c.execute("SELECT COUNT(*) FROM revenues_recovery_action WHERE status = 'proposed'").fetchone()[0]
        assert c.execute("SELECT COUNT(*) FROM notification WHERE kind LIKE 'council_tax_%'").fetchone()[0] == 0   # waiting for review
    assert after == before + proposed and after > 0, first   # the demo has late payers
    again = townhall("revenues", "recover", db=db).strip().splitlines()[-1]
    assert again.endswith(" 0 proposed, 0 issued"), again
    with sqlite3.connect(db) as c:
        assert c.execute("SELECT COUNT(*) FROM revenues_recovery_action").fetchone()[0] == after


def test_billing_run_killed_part_way_finishes_on_the_next(demo, tmp_path):
    db = str(tmp_path / "killed.sqlite")
    with sqlite3.connect(demo) as src, sqlite3.connect(db) as dst:
        src.backup(dst)
    # 2027/28's charges, as the council would set them (here: 2026/27's, copied).
    with sqlite3.connect(db) as c:
        c.execute("INSERT INTO revenues_charge SELECT organisation_id, 2027, area, position, name, kind, band_d, band_d FROM revenues_charge WHERE year = 2026")
        accounts = c.execute("SELECT COUNT(*) FROM revenues_account").fetchone()[0]
        # Business rates have no multipliers in law for 2027/28 yet: those accounts are listed as not billed.
        council_tax = c.execute("SELECT COUNT(*) FROM revenues_account WHERE tax = 'council_tax'").fetchone()[0]
    run = subprocess.Popen([BIN, "revenues", "bill", "--year", "2027", "--issued", "2027-03-10", "--database-url", f"sqlite://{db}"],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    first = run.stderr.readline()   # the first batch has committed
    run.kill()
    run.wait(timeout=60)
    assert "of %d accounts" % accounts in first, first
    out = townhall("revenues", "bill", "--year", "2027", "--issued", "2027-03-10", db=db)
    last = out.strip().splitlines()[-1]
    created, already = map(int, __import__("re").fullmatch(r"billed %d accounts: (\d+) created, (\d+) already billed" % council_tax, last).groups())
    # The first batch of 500 committed before the kill (less any rates accounts in it, which were not billed).
    assert already >= 500 - (accounts - council_tax) and created + already == council_tax, last
    assert out.count("not billed BR") == accounts - council_tax and "no business rates multipliers" in out.lower(), out[-2000:]
    with sqlite3.connect(db) as c:
        per_account = c.execute("SELECT COUNT(*), MIN(n), MAX(n) FROM (SELECT account_id, COUNT(*) AS n FROM revenues_bill WHERE year = 2027 GROUP BY account_id)").fetchone()
    assert per_account == (council_tax, 1, 1)

"""Two nodes over one PostgreSQL (docs/DEPLOYMENT.md, `scripts/two-nodes`): either node serves any request, a session made
on one works on the other, and with both schedulers running every queued message is sent once."""
import glob
import json
import os
import re
import shutil
import subprocess
import time
import urllib.parse
import urllib.request

import pytest

BIN = os.environ.get("TOWNHALL_BIN", ".build/debug/townhall")
pytestmark = pytest.mark.skipif(not glob.glob("/usr/lib/postgresql/*/bin/initdb") or not shutil.which("psql"),
                                reason="needs PostgreSQL from Debian's packages (scripts/postgres installs it; CI's PostgreSQL pass runs first)")


@pytest.fixture(scope="module")
def nodes(tmp_path_factory):
    work = tmp_path_factory.mktemp("two-nodes")
    out = subprocess.run(["scripts/two-nodes", str(work)], capture_output=True, text=True, timeout=900)
    assert out.returncode == 0, out.stdout + out.stderr
    lines = out.stdout.strip().split("\n")
    yield lines[:-1], lines[-1], work
    for pid in (work / "pids").read_text().split():
        subprocess.run(["kill", pid])


def call(url, data=None, headers=None):
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    request = urllib.request.Request(url, data=body, headers=headers or {})
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=30) as r:
            return r.status, r.read().decode(), r.headers
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode(), e.headers


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def test_either_node_serves_what_the_other_wrote(nodes):
    (a, b), database, _ = nodes
    key = subprocess.run([BIN, "apikey", "create", "--organisation", "burnley", "--scope", "open311", "--database-url", database],
                         capture_output=True, text=True, check=True).stdout.strip().split("\n")[-1]
    references = []
    for i in range(10):
        node = (a, b)[i % 2]
        status, body, _ = call(f"{node}/open311/v2/requests.json", {
            "api_key": key, "jurisdiction_id": "burnley", "service_code": "587", "address_string": "Back Parker Street, Burnley BB11 2BD",
            "attribute[waste_type]": "furniture", "attribute[quantity]": "van", "email": f"resident{i}@example.com", "description": f"Sofa {i}"})
        assert status == 200, body
        references.append(json.loads(body)[0]["service_request_id"])
    assert len(set(references)) == 10   # one numbering across the nodes
    for i, reference in enumerate(references):
        other = (b, a)[i % 2]
        status, body, _ = call(f"{other}/open311/v2/requests/{reference}.json?jurisdiction_id=burnley")
        assert status == 200 and json.loads(body)[0]["service_request_id"] == reference


def test_a_session_made_on_one_node_works_on_the_other(nodes):
    (a, b), _, _ = nodes
    status, page, headers = call(f"{a}/sign-in")
    form_cookie = re.search(r"townhall_form=[^;]+", headers["Set-Cookie"]).group(0)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    status, _, headers = call(f"{a}/sign-in", {"csrf_token": token, "next": "/desk", "username": "burnley.agent", "password": "townhall-demo-2026"},
                              {"Cookie": form_cookie})
    assert status == 303
    session = re.search(r"townhall_session=[^;]+", headers["Set-Cookie"]).group(0)
    status, desk, _ = call(f"{b}/desk?q=BB11", headers={"Cookie": session})
    assert status == 200 and "Find a person or property" in desk
    status, _, headers = call(f"{b}/desk", headers={"Cookie": "townhall_session=forged"})
    assert status in (302, 303) and "/sign-in" in headers["Location"]


def test_both_schedulers_send_each_message_once(nodes):
    (a, b), database, work = nodes
    # The acknowledgements queued by the reports above (and anything the demo queued) go out through whichever scheduler
    # claims them first; wait until nothing is left to send.
    def pending():
        out = subprocess.run(["psql", database.replace("?sslmode=disable", ""), "-tAc", "SELECT COUNT(*) FROM notification WHERE status = 'pending'"],
                             capture_output=True, text=True, check=True)
        return int(out.stdout.strip())
    for _ in range(120):
        if pending() == 0:
            break
        time.sleep(1)
    assert pending() == 0
    sent = []
    for path in glob.glob(str(work / "messages-*.jsonl")):
        with open(path) as f:
            sent += [json.loads(line) for line in f if line.strip()]
    ids = [m.get("id") or m.get("message_id") for m in sent]
    assert len(ids) >= 10 and None not in ids
    assert len(ids) == len(set(ids)), "a message was sent by both nodes"
    files = [p for p in glob.glob(str(work / "messages-*.jsonl")) if os.path.getsize(p) > 0]
    assert len(files) >= 1

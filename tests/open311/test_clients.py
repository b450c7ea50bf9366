"""Open311 GeoReport v2 against a running Townhall, through an unmodified client library from PyPI (georeport 0.3.1,
JSON and XML) and through the raw calls FixMyStreet makes (form-encoded POSTs with api_key and jurisdiction_id in the body)."""
import os

import pytest
import requests
from georeport import GeoReport

BASE = os.environ.get("TOWNHALL_URL", "http://127.0.0.1:8181") + "/open311/v2"
KEY = os.environ.get("TOWNHALL_OPEN311_KEY", "")


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_georeport_reads_services_and_definitions(fmt):
    client = GeoReport(BASE, jurisdiction="burnley", output_format=fmt)
    services = client.get_service_list()
    codes = {s["service_code"] for s in services}
    assert {"587", "584", "412"} <= codes
    definition = client.get_service_definition("587")
    attributes = definition["attributes"] if fmt == "json" else definition["attributes"]["attribute"]
    assert [a["code"] for a in attributes][:2] == ["waste_type", "quantity"]


@pytest.mark.skipif(not KEY, reason="needs TOWNHALL_OPEN311_KEY (scripts/browser-tests creates one)")
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_report_posted_like_fixmystreet_reads_back_through_georeport(fmt):
    form = {"api_key": KEY, "jurisdiction_id": "burnley", "service_code": "587", "lat": "", "long": "",
            "address_string": "Back Parker Street, Burnley BB11 2BD", "attribute[waste_type]": "furniture", "attribute[quantity]": "van",
            "first_name": "Ann", "last_name": "Clegg", "email": "ann@example.com", "description": f"Sofa dumped ({fmt} test)"}
    posted = requests.post(f"{BASE}/requests.json", data=form, timeout=30)
    assert posted.status_code == 200, posted.text
    reference = posted.json()[0]["service_request_id"]
    assert reference.startswith("TH-")

    client = GeoReport(BASE, jurisdiction="burnley", output_format=fmt)
    one = client.get_service_request(reference)
    assert one["service_request_id"] == reference
    assert one["status"] == "open"
    listed = client.get_service_requests(service_request_id=reference)
    if fmt == "xml":
        listed = listed if isinstance(listed, list) else [listed]
    assert [r["service_request_id"] for r in listed] == [reference]

    updates = requests.get(f"{BASE}/servicerequestupdates.xml", params={"jurisdiction_id": "burnley", "api_key": KEY}, timeout=30)
    assert updates.status_code == 200
    assert reference in updates.text


def test_errors_are_arrays_with_the_specs_status_codes():
    r = requests.post(f"{BASE}/requests.json", data={"api_key": "wrong", "service_code": "587", "address_string": "x"}, timeout=30)
    assert r.status_code == 403
    assert r.json()[0]["code"] == 403
    r = requests.get(f"{BASE}/services/999.xml", params={"jurisdiction_id": "burnley"}, timeout=30)
    assert r.status_code == 404
    assert "<errors><error><code>404</code>" in r.text


# The smallest valid PNG: one transparent pixel.
PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6300010000050001"
                    "0d0a2db40000000049454e44ae426082")


@pytest.mark.skipif(not KEY, reason="needs TOWNHALL_OPEN311_KEY (scripts/browser-tests creates one)")
def test_photos_posted_as_multipart_like_fixmystreet_come_back_as_media_url():
    form = {"api_key": KEY, "jurisdiction_id": "burnley", "service_code": "587", "address_string": "Back Parker Street, Burnley BB11 2BD",
            "attribute[waste_type]": "household", "attribute[quantity]": "bag", "description": "Bin bags with a photo"}
    posted = requests.post(f"{BASE}/requests.xml", data=form, files={"photo1": ("bags.png", PNG, "image/png")}, timeout=30)
    assert posted.status_code == 200, posted.text
    assert "<service_request_id>TH-" in posted.text
    reference = posted.text.split("<service_request_id>")[1].split("<")[0]

    one = GeoReport(BASE, jurisdiction="burnley", output_format="json").get_service_request(reference)
    media = one["media_url"]
    assert "/open311/v2/media/" in media
    photo = requests.get(BASE + "/media/" + media.rsplit("/", 1)[1], timeout=30)
    assert photo.status_code == 200
    assert photo.headers["Content-Type"] == "image/png"
    assert photo.content == PNG

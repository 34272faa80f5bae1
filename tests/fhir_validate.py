#!/usr/bin/env python3
"""Validates maru's FHIR R4 output with the `fhir.resources` package (module R4B).

Starts a real server on loopback over a fresh demo data dir, searches every Observation code
it serves, reads and posts Observations, and checks each resource against the R4B models.
Validators check structure, not code lists, so LOINC codes, UCUM units, categories and
statuses are checked here against the table below.

Usage: python3 tests/fhir_validate.py path/to/maru
"""

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.capabilitystatement import CapabilityStatement
from fhir.resources.R4B.observation import Observation

LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
# code -> (category, UCUM code of the value, or None for the blood pressure panel)
EXPECTED = {
    "8867-4": ("vital-signs", "/min"),
    "40443-4": ("vital-signs", "/min"),
    "85354-9": ("vital-signs", None),
    "59408-5": ("vital-signs", "%"),
    "8310-5": ("vital-signs", "Cel"),
    "2339-0": ("laboratory", "mg/dL"),
    "29463-7": ("vital-signs", "kg"),
    "41950-7": ("activity", "/d"),
    "93832-4": ("activity", "h"),
}
COMPONENTS = {"8480-6", "8462-4"}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def call(base, method, path, token=None, body=None, content_type="application/json"):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base + path, data=data, method=method)
    if data is not None:
        request.add_header("Content-Type", content_type)
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, e.headers, json.loads(e.read() or b"null")


def check_observation(o):
    """Structure by the R4B model, codes by the table above."""
    Observation.model_validate(o)
    assert o["status"] == "final", o["status"]
    coding = o["code"]["coding"][0]
    assert coding["system"] == LOINC, coding
    category, unit = EXPECTED[coding["code"]]
    assert o["category"][0]["coding"][0] == {
        "system": CATEGORY,
        "code": category,
        "display": o["category"][0]["coding"][0]["display"],
    }
    if unit is None:
        parts = {c["code"]["coding"][0]["code"]: c["valueQuantity"] for c in o["component"]}
        assert set(parts) == COMPONENTS, parts
        for q in parts.values():
            assert (q["system"], q["code"]) == (UCUM, "mm[Hg]"), q
        assert parts["8480-6"]["value"] > parts["8462-4"]["value"]
    else:
        q = o["valueQuantity"]
        assert (q["system"], q["code"]) == (UCUM, unit), q
    assert o["subject"]["reference"].startswith("Patient/")
    return coding["code"]


def main():
    binary = os.path.abspath(sys.argv[1])
    with tempfile.TemporaryDirectory() as data:
        env = dict(os.environ, MARU_DATA_DIR=data, MARU_RATE_LIMITS="off", MARU_LOG="warn")
        subprocess.run([binary, "demo"], env=env, check=True, stdout=subprocess.DEVNULL)
        port = free_port()
        server = subprocess.Popen(
            [binary, "serve", "--listen", f"127.0.0.1:{port}"], env=env, stdout=subprocess.DEVNULL
        )
        try:
            run(f"http://127.0.0.1:{port}")
        finally:
            server.terminate()
            server.wait(timeout=30)


def run(base):
    for _ in range(300):
        try:
            urllib.request.urlopen(base + "/health", timeout=1)
            break
        except OSError:
            time.sleep(0.1)
    status, _, login = call(
        base, "POST", "/api/v1/auth/login", body={"login": "minji", "password": "maru-demo-2026"}
    )
    assert status == 200, login
    token = login["access_token"]

    status, _, metadata = call(base, "GET", "/fhir/r4/metadata")
    assert status == 200, metadata
    CapabilityStatement.model_validate(metadata)

    seen = set()
    total = 0
    for code in EXPECTED:
        status, headers, bundle = call(
            base, "GET", f"/fhir/r4/Observation?patient=me&code={code}&_count=50", token
        )
        assert status == 200, bundle
        assert headers["Content-Type"].startswith("application/fhir+json")
        Bundle.model_validate(bundle)
        assert bundle["type"] == "searchset"
        for entry in bundle.get("entry", []):
            assert entry["fullUrl"].endswith("/Observation/" + entry["resource"]["id"])
            assert check_observation(entry["resource"]) == code
            seen.add(code)
            total += 1
    demo_codes = {"8867-4", "40443-4", "85354-9", "29463-7", "41950-7", "93832-4"}
    assert demo_codes <= seen, f"demo data lacks {demo_codes - seen}"

    # A day's search, and a read of the first hit.
    status, _, bundle = call(
        base, "GET", "/fhir/r4/Observation?code=41950-7&date=ge2020-01-01&_count=3", token
    )
    assert status == 200 and len(bundle["entry"]) == 3, bundle
    first = bundle["entry"][0]["resource"]
    status, _, read = call(base, "GET", f"/fhir/r4/Observation/{first['id']}", token)
    assert status == 200 and read == first, (read, first)

    # Posting an Observation stores it; posting it again is a retry.
    posted = {
        "resourceType": "Observation",
        "status": "final",
        "category": [{"coding": [{"system": CATEGORY, "code": "vital-signs"}]}],
        "code": {"coding": [{"system": LOINC, "code": "85354-9"}]},
        "effectiveDateTime": "2026-01-05T08:30:00+09:00",
        "component": [
            {
                "code": {"coding": [{"system": LOINC, "code": "8480-6"}]},
                "valueQuantity": {"value": 131, "unit": "mmHg", "system": UCUM, "code": "mm[Hg]"},
            },
            {
                "code": {"coding": [{"system": LOINC, "code": "8462-4"}]},
                "valueQuantity": {"value": 84, "unit": "mmHg", "system": UCUM, "code": "mm[Hg]"},
            },
        ],
    }
    Observation.model_validate(posted)
    status, headers, created = call(
        base, "POST", "/fhir/r4/Observation", token, posted, "application/fhir+json"
    )
    assert status == 201, created
    check_observation(created)
    assert headers["Location"].endswith("/Observation/" + created["id"])
    status, _, again = call(
        base, "POST", "/fhir/r4/Observation", token, posted, "application/fhir+json"
    )
    assert status == 200 and again["id"] == created["id"], again

    # A bad one names its field.
    posted["code"]["coding"][0]["code"] = "1234-5"
    status, _, problem = call(
        base, "POST", "/fhir/r4/Observation", token, posted, "application/fhir+json"
    )
    assert status == 422 and problem["errors"][0]["field"] == "code", problem

    print(f"FHIR: {total} Observations in {len(EXPECTED)} searchset Bundles, a read, a create "
          "and the CapabilityStatement validate as R4B; codes and units checked")


if __name__ == "__main__":
    main()

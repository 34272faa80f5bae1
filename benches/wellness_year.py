#!/usr/bin/env python3
"""One year of minute-level heart rate (525,600 points) for one user, read back as daily
buckets: the seed's "a year of data in a chart" query.

    wellness_year.py BASE [reads=200]

Uploads the year in 10,000-record batches, then times GET .../series?bucket=day over the
whole year on one keep-alive connection.
"""
import http.client
import json
import sys
import time
import urllib.parse

T0 = 1_735_657_200  # 2025-01-01T00:00:00+09:00
MINUTES = 525_600
BATCH = 10_000


def main():
    base = sys.argv[1]
    reads = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    url = urllib.parse.urlparse(base)
    conn = http.client.HTTPConnection(url.hostname, url.port)

    def call(method, path, body=None, token=None):
        headers = {"content-type": "application/json"}
        if token:
            headers["authorization"] = "Bearer " + token
        conn.request(method, path, body=body if isinstance(body, (bytes, type(None))) else json.dumps(body), headers=headers)
        resp = conn.getresponse()
        data = resp.read()
        if resp.status >= 300:
            raise SystemExit(f"{method} {path}: {resp.status} {data[:300]!r}")
        return json.loads(data)

    name = f"year{int(time.time()) % 100000}"
    call("POST", "/api/v1/auth/register", {"username": name, "email": f"{name}@example.com", "password": "bench-password-123"})
    token = call("POST", "/api/v1/auth/login", {"login": name, "password": "bench-password-123"})["access_token"]
    started = time.perf_counter()
    for first in range(0, MINUTES, BATCH):
        records = []
        for i in range(first, min(first + BATCH, MINUTES)):
            t = T0 + i * 60
            bpm = 55 + (i * 7) % 50
            records.append({"client_id": f"m{i}", "type": "heart_rate", "value": bpm, "unit": "/min",
                            "start": time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(t))})
        out = call("POST", "/api/v1/health/me/records:batch", json.dumps({"records": records}).encode(), token)
        assert out["accepted"] == len(records), out
    print(f"uploaded {MINUTES} minute-level heart rates in {time.perf_counter() - started:.1f} s")
    path = ("/api/v1/health/me/series?type=heart_rate&bucket=day"
            "&from=2025-01-01T00:00:00%2B09:00&to=2026-01-01T00:00:00%2B09:00")
    page = call("GET", path, token=token)
    assert len(page["points"]) == 365 and sum(p["count"] for p in page["points"]) == MINUTES, page["points"][:2]
    times = []
    for _ in range(reads):
        t = time.perf_counter()
        call("GET", path, token=token)
        times.append(time.perf_counter() - t)
    times.sort()
    print(f"one year of minute heart rate as 365 daily buckets: p50 {times[len(times) // 2] * 1000:.2f} ms, "
          f"p99 {times[int(len(times) * 0.99)] * 1000:.2f} ms, max {times[-1] * 1000:.2f} ms over {reads} reads")


if __name__ == "__main__":
    main()

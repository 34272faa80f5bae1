#!/usr/bin/env python3
"""Batch ingestion load: many wearables uploading 10,000-record batches over HTTP, against a
plain batched INSERT of the same rows into SQLite measured in the same run.

    wellness_ingest.py BASE BASELINE_DB [users=8] [batches_per_user=8] [connections=2]

Each user is a device sending minute-level heart rate (one batch is about a week of it);
bodies are built before the clock starts, so only sending and the server's work are timed.
"""
import http.client
import json
import sqlite3
import sys
import threading
import time
import urllib.parse

BATCH = 10_000
T0 = 1_767_225_600  # 2026-01-01T00:00:00Z


def call(base, method, path, token=None, body=None):
    url = urllib.parse.urlparse(base)
    conn = http.client.HTTPConnection(url.hostname, url.port)
    headers = {"content-type": "application/json"}
    if token:
        headers["authorization"] = "Bearer " + token
    conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
    resp = conn.getresponse()
    data = resp.read()
    if resp.status >= 300:
        raise SystemExit(f"{method} {path}: {resp.status} {data[:300]!r}")
    return json.loads(data) if data else None


def iso(t):
    return time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(t))


def rows(user, batch):
    """The batch's records as (client_id, start, bpm)."""
    first = T0 + batch * BATCH * 60
    out = []
    for i in range(BATCH):
        t = first + i * 60
        minute_of_day = (t // 60) % 1440
        bpm = 58 + (minute_of_day * 7 + user * 13 + i) % 40
        out.append((f"u{user}-b{batch}-{i}", t, bpm))
    return out


def body(user, batch):
    records = [
        {"client_id": cid, "type": "heart_rate", "value": bpm, "unit": "/min", "start": iso(t),
         "source": {"device": "bench-watch", "app": "bench"}}
        for cid, t, bpm in rows(user, batch)
    ]
    return json.dumps({"records": records, "device_id": f"watch-{user}"}).encode()


def baseline(path, plan):
    """The same rows with a plain multi-row INSERT, 10,000 per transaction, into a table of
    the same shape and indexes, with maru's SQLite settings."""
    db = sqlite3.connect(path, isolation_level=None)
    db.executescript(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA cache_size = -16000;"
        "CREATE TABLE r (id INTEGER PRIMARY KEY, user_id BIGINT NOT NULL, client_id TEXT NOT NULL, kind TEXT NOT NULL,"
        " at BIGINT NOT NULL, start_at BIGINT NOT NULL, end_at BIGINT NOT NULL, utc_offset BIGINT NOT NULL,"
        " value DOUBLE PRECISION NOT NULL, value2 DOUBLE PRECISION, detail TEXT, note BLOB, source_device TEXT,"
        " source_app TEXT, seq BIGINT NOT NULL, device_id TEXT, client_modified_at BIGINT NOT NULL,"
        " deleted BIGINT NOT NULL DEFAULT 0, created_at BIGINT NOT NULL);"
        "CREATE UNIQUE INDEX r_client ON r (user_id, client_id);"
        "CREATE INDEX r_series ON r (user_id, kind, at);"
        "CREATE INDEX r_seq ON r (user_id, seq);"
    )
    n = 0
    started = time.perf_counter()
    next_id = 1
    for user, batch in plan:
        values = []
        for seq, (cid, t, bpm) in enumerate(rows(user, batch)):
            us = t * 1_000_000
            values.append((next_id, user, cid, "heart_rate", us, us, us, 0, float(bpm), None, None, None,
                           "bench-watch", "bench", batch * BATCH + seq, f"watch-{user}", us, us))
            next_id += 1
        db.execute("BEGIN")
        db.executemany(
            "INSERT INTO r (id, user_id, client_id, kind, at, start_at, end_at, utc_offset, value, value2, detail,"
            " note, source_device, source_app, seq, device_id, client_modified_at, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", values)
        db.execute("COMMIT")
        n += len(values)
    return n, time.perf_counter() - started


def main():
    base, baseline_db = sys.argv[1], sys.argv[2]
    users = int(sys.argv[3]) if len(sys.argv) > 3 else 8
    per_user = int(sys.argv[4]) if len(sys.argv) > 4 else 8
    connections = int(sys.argv[5]) if len(sys.argv) > 5 else 2
    password = "bench-password-123"
    tokens = []
    for u in range(users):
        name = f"bench{u}_{int(time.time()) % 100000}"
        call(base, "POST", "/api/v1/auth/register", body={"username": name, "email": f"{name}@example.com", "password": password})
        tokens.append(call(base, "POST", "/api/v1/auth/login", body={"login": name, "password": password})["access_token"])
    plan = [(u, b) for b in range(per_user) for u in range(users)]
    print(f"building {len(plan)} bodies of {BATCH} records ...", flush=True)
    bodies = [(u, body(u, b)) for u, b in plan]
    megabytes = sum(len(b) for _, b in bodies) / 1e6
    url = urllib.parse.urlparse(base)
    lock = threading.Lock()
    queue = list(reversed(bodies))
    accepted = [0]
    latencies = []

    def worker():
        conn = http.client.HTTPConnection(url.hostname, url.port)
        while True:
            with lock:
                if not queue:
                    return
                user, data = queue.pop()
            started = time.perf_counter()
            conn.request("POST", "/api/v1/health/me/records:batch", body=data,
                         headers={"content-type": "application/json", "authorization": "Bearer " + tokens[user]})
            resp = conn.getresponse()
            out = json.loads(resp.read())
            if resp.status != 200:
                raise SystemExit(f"batch: {resp.status} {out}")
            with lock:
                accepted[0] += out["accepted"]
                latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    latencies.sort()
    rate = accepted[0] / elapsed
    print(f"HTTP batch ingestion: {accepted[0]} records ({megabytes:.0f} MB JSON) in {elapsed:.2f} s = {rate:,.0f} records/s; "
          f"batch latency p50 {latencies[len(latencies) // 2] * 1000:.0f} ms, p99 {latencies[int(len(latencies) * 0.99)] * 1000:.0f} ms")
    n, secs = baseline(baseline_db, plan)
    plain = n / secs
    print(f"plain batched INSERT of the same rows (Python sqlite3, 10k-row transactions): {n} rows in {secs:.2f} s = {plain:,.0f} rows/s")
    print(f"ingestion / plain INSERT: {rate / plain:.0%}")


if __name__ == "__main__":
    main()

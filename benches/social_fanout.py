#!/usr/bin/env python3
"""Helpers for benches/social.sh, against a running server on a generated dataset.

    social_fanout.py tokens BASE DB PASSWORD      # a wrk Lua script rotating 200 readers' tokens
    social_fanout.py fanout BASE DB PASSWORD      # post latency and fan-out completion, ~1k followers
    social_fanout.py celebrity BASE DB PASSWORD SECONDS  # the most-followed account posts every 200 ms
"""

import http.client
import json
import socket
import sqlite3
import statistics
import sys
import time
import urllib.parse


_connections = {}


def call(base, method, path, token=None, body=None, headers=None):
    """One request on a kept-alive connection with Nagle off, so a POST's headers and body are
    not held back waiting for a delayed ACK (which alone adds ~40 ms per request)."""
    host = urllib.parse.urlsplit(base).netloc
    conn = _connections.get(host)
    if conn is None:
        conn = http.client.HTTPConnection(host)
        conn.connect()
        conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        _connections[host] = conn
    all_headers = {"content-type": "application/json"}
    if token:
        all_headers["authorization"] = "Bearer " + token
    all_headers.update(headers or {})
    data = json.dumps(body).encode() if body is not None else None
    conn.request(method, path, body=data, headers=all_headers)
    response = conn.getresponse()
    payload = response.read()
    if response.status >= 400:
        raise RuntimeError(f"{method} {path}: {response.status} {payload[:200]!r}")
    return json.loads(payload or b"null")


def login(base, username, password):
    return call(base, "POST", "/api/v1/auth/login", body={"login": username, "password": password})["access_token"]


def usernames(db, sql, *params):
    con = sqlite3.connect(db)
    rows = con.execute(sql, params).fetchall()
    con.close()
    return [r[0] for r in rows]


def tokens(base, db, password):
    median = usernames(
        db,
        "SELECT following_count FROM social_accounts ORDER BY following_count "
        "LIMIT 1 OFFSET (SELECT COUNT(*) / 2 FROM social_accounts)",
    )[0]
    readers = usernames(
        db,
        "SELECT u.username FROM users u JOIN social_accounts a ON a.user_id = u.id "
        "WHERE u.username LIKE 'b%' ORDER BY abs(a.following_count - ?), u.id LIMIT 200",
        median,
    )
    toks = [login(base, name, password) for name in readers]
    print("tokens = {" + ",".join(f'"{t}"' for t in toks) + "}")
    print("local i = 0")
    print("request = function()")
    print("  i = i % #tokens + 1")
    print('  return wrk.format(nil, nil, { ["Authorization"] = "Bearer " .. tokens[i] })')
    print("end")


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p))]


def fanout(base, db, password):
    author = usernames(
        db,
        "SELECT u.username FROM users u JOIN social_accounts a ON a.user_id = u.id "
        "WHERE u.username LIKE 'b%' ORDER BY abs(a.followers_count - 1000) LIMIT 1",
    )[0]
    followers = usernames(
        db,
        "SELECT followers_count FROM social_accounts a JOIN users u ON u.id = a.user_id WHERE u.username = ?",
        author,
    )[0]
    reader = usernames(
        db,
        "SELECT u.username FROM users u JOIN social_follows f ON f.follower_id = u.id "
        "JOIN users w ON w.id = f.following_id WHERE w.username = ? LIMIT 1",
        author,
    )[0]
    author_token, reader_token = login(base, author, password), login(base, reader, password)
    requests, completions = [], []
    for i in range(200):
        latest = call(base, "GET", "/api/v1/feed?filter=latest&size=1", reader_token)["items"]
        since = latest[0]["id"] if latest else "0"
        started = time.perf_counter()
        post = call(base, "POST", "/api/v1/content", author_token, {"text": f"팬아웃 측정 {i} #bench"})
        requests.append(time.perf_counter() - started)
        while True:
            fresh = call(base, "GET", "/api/v1/feed/refresh", reader_token, headers={"X-Last-Seen-Id": since})
            if any(item["id"] == post["id"] for item in fresh["new_items"]):
                completions.append(time.perf_counter() - started)
                break
            if time.perf_counter() - started > 10:
                completions.append(float("inf"))
                break
            time.sleep(0.002)
    ms = lambda s: f"{s * 1000:.1f} ms"
    print(f"author {author} with {followers} followers, 200 posts")
    for name, values in (("post request", requests), ("in a follower's feed", completions)):
        print(
            f"{name}: p50 {ms(statistics.median(values))}, p95 {ms(percentile(values, 0.95))}, "
            f"p99 {ms(percentile(values, 0.99))}, max {ms(max(values))}"
        )


def celebrity(base, db, password, seconds):
    star = usernames(
        db,
        "SELECT u.username, a.followers_count FROM users u JOIN social_accounts a ON a.user_id = u.id "
        "ORDER BY a.followers_count DESC LIMIT 1",
    )[0]
    token = login(base, star, password)
    end = time.time() + float(seconds)
    count = 0
    while time.time() < end:
        call(base, "POST", "/api/v1/content", token, {"text": f"공지 {count} #bench"})
        count += 1
        time.sleep(0.2)
    print(f"{star} posted {count} times")


if __name__ == "__main__":
    command, rest = sys.argv[1], sys.argv[2:]
    {"tokens": tokens, "fanout": fanout, "celebrity": celebrity}[command](*rest)

#!/usr/bin/env python3
"""Writes a social benchmark dataset straight into a migrated maru SQLite file.

    benches/social_dataset.py DB USERS POSTS [--seed N] [--threshold 10000] [--template USER]

- USERS accounts `b0` .. `b{USERS-1}`, all with the password hash of the existing account
  TEMPLATE (register it through the API first; the benchmark script does), so any of them can
  sign in with that password.
- Follows with a power law: each user follows a log-normal number of people (median 50), picked
  by popularity that falls off as rank^-0.8, so a few accounts gather tens of thousands of
  followers. Counts in social_accounts match.
- POSTS posts over the past 30 days (ids made the way maru makes them, so they sort by time),
  by authors picked uniformly (popular accounts are read more, not necessarily written more);
  a tenth followers-only, a twentieth private.
- Home timelines as maru's fan-out leaves them: every post of an author with fewer than
  THRESHOLD followers is in each follower's timeline; bigger authors are merged at read time.

Prints the distribution it produced. Deterministic for a given seed.
"""

import argparse
import bisect
import itertools
import math
import random
import sqlite3
import statistics
import time

EPOCH_MS = 1_704_067_200_000
TEXTS = [
    "{p}에서 {f} 먹었어요 #{p}맛집 #{f}",
    "{p} 여행 {n}일차 #{p}여행 #여행",
    "오늘 점심은 {f} #점심 #{f}",
    "주말에 {p} 갈 건데 {f} 맛집 추천해 주세요 #{p} #맛집추천",
]
PLACES = ["제주", "부산", "강릉", "전주", "경주", "여수", "속초", "서울", "대구", "통영"]
FOODS = ["고기국수", "돼지국밥", "순두부", "비빔밥", "떡갈비", "물회", "칼국수", "막창"]


def make_id(unix_ms, seq):
    return ((unix_ms - EPOCH_MS) << 22) | (seq & 0xFFF)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("db")
    ap.add_argument("users", type=int)
    ap.add_argument("posts", type=int)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--threshold", type=int, default=10_000)
    ap.add_argument("--template", default="bench_seed")
    ap.add_argument("--max-followers", type=int, default=50_000)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    db = sqlite3.connect(args.db)
    db.execute("PRAGMA journal_mode=OFF")
    db.execute("PRAGMA synchronous=OFF")
    (password_hash,) = db.execute(
        "SELECT password_hash FROM users WHERE username = ?", (args.template,)
    ).fetchone()
    started = time.time()
    now_ms = int(time.time() * 1000)

    n = args.users
    user_ids = [make_id(now_ms - 40 * 86_400_000, i) + (i >> 12 << 22) for i in range(n)]
    db.executemany(
        "INSERT INTO users (id, username, email, password_hash, created_at, updated_at) VALUES (?,?,?,?,?,?)",
        ((uid, f"b{i}", f"b{i}@bench.maru.local", password_hash, 0, 0) for i, uid in enumerate(user_ids)),
    )

    # Popularity: user at rank r has weight (r+1)^-0.8 (ranks shuffled over ids).
    ranks = list(range(n))
    rng.shuffle(ranks)
    weights = [(r + 1) ** -0.8 for r in ranks]
    cumulative = list(itertools.accumulate(weights))
    total = cumulative[-1]

    def popular():
        return bisect.bisect_left(cumulative, rng.random() * total)

    followers = [0] * n
    following = [0] * n
    follow_rows = []
    followed_by = [[] for _ in range(n)]
    for a in range(n):
        degree = min(max(1, int(rng.lognormvariate(math.log(50), 0.9))), 2_000, n - 1)
        chosen = set()
        tries = 0
        while len(chosen) < degree and tries < degree * 4:
            tries += 1
            b = popular()
            if b != a and followers[b] < args.max_followers and b not in chosen:
                chosen.add(b)
                followers[b] += 1
        following[a] = len(chosen)
        for b in chosen:
            follow_rows.append((user_ids[a], user_ids[b], 0))
            followed_by[b].append(a)
    db.executemany(
        "INSERT INTO social_follows (follower_id, following_id, created_at) VALUES (?,?,?)", follow_rows
    )
    db.executemany(
        "INSERT INTO social_accounts (user_id, locked, followers_count, following_count) VALUES (?,0,?,?)",
        ((user_ids[i], followers[i], following[i]) for i in range(n)),
    )

    posts = []
    span_ms = 30 * 86_400_000
    times = sorted(now_ms - rng.randrange(span_ms) for _ in range(args.posts))
    last_id = 0
    for at in times:
        pid = max(last_id + 1, make_id(at, 0))
        last_id = pid
        author = rng.randrange(n)
        v = rng.random()
        visibility = "private" if v < 0.05 else "followers" if v < 0.15 else "public"
        p, f = rng.choice(PLACES), rng.choice(FOODS)
        text = rng.choice(TEXTS).format(p=p, f=f, n=rng.randrange(1, 6))
        tags = [w[1:] for w in text.split() if w.startswith("#")]
        posts.append((pid, author, text, tags, visibility, at * 1000))
    db.executemany(
        "INSERT INTO social_content (id, author_id, content_type, text, media_ids, hashtags, mentions, visibility, "
        "likes_count, comments_count, shares_count, views_count, created_at, updated_at) "
        "VALUES (?,?,'text',?,'[]',?,'[]',?,?,?,?,0,?,?)",
        (
            (pid, user_ids[a], text, str(tags).replace("'", '"'), vis, rng.randrange(50), rng.randrange(8),
             rng.randrange(3), at, at)
            for pid, a, text, tags, vis, at in posts
        ),
    )
    db.executemany(
        "INSERT OR IGNORE INTO social_tags (tag, content_id) VALUES (?,?)",
        ((t, pid) for pid, _, _, tags, _, _ in posts for t in tags),
    )
    timeline = 0

    def timeline_rows():
        nonlocal timeline
        for pid, a, _, _, _, _ in posts:
            if followers[a] < args.threshold:
                for f in followed_by[a]:
                    timeline += 1
                    yield (user_ids[f], pid, user_ids[a])

    db.executemany("INSERT INTO social_timeline (user_id, content_id, author_id) VALUES (?,?,?)", timeline_rows())
    db.commit()
    db.execute("ANALYZE")
    db.execute("PRAGMA journal_mode=WAL")
    db.close()

    degrees = sorted(following)
    fans = sorted(followers)
    print(f"users {n}, follows {len(follow_rows)}, posts {len(posts)}, timeline rows {timeline}")
    print(f"following per user: median {statistics.median(degrees)}, max {degrees[-1]}")
    print(f"followers per user: median {statistics.median(fans)}, p99 {fans[int(n * 0.99)]}, max {fans[-1]}")
    print(f"authors at or above the fan-out threshold ({args.threshold}): {sum(1 for x in fans if x >= args.threshold)}")
    print(f"most-followed account: b{followers.index(fans[-1])}")
    print(f"written in {time.time() - started:.1f} s")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Fills a migrated maru SQLite database with an ask (동네물어봐) dataset for benchmarks.

    python3 benches/ask_dataset.py DB [questions=1000000] [answers=3000000] [members=50000]

Questions cluster around Jeju (half), Busan and Seoul (a quarter each), spread over the past
30 days, in Korean, with 1-4 hashtags, categories, some urgent and some with bounties; answers
follow a skewed distribution (many questions have none, a few have dozens). Rows are written
straight into ask's tables the way the server writes them (geohash cells, tag index, counters),
so `maru reindex` and `maru serve` see a normal database. Deterministic (fixed seed).
"""

import random
import sqlite3
import sys
import time

BASE32 = "0123456789bcdefghjkmnpqrstuvwxyz"


def geohash(lat, lng, length):
    """Standard geohash encoding."""
    lat_range, lng_range = [-90.0, 90.0], [-180.0, 180.0]
    out, bits, bit, even = [], 0, 0, True
    while len(out) < length:
        rng, value = (lng_range, lng) if even else (lat_range, lat)
        mid = (rng[0] + rng[1]) / 2
        if value >= mid:
            bits = (bits << 1) | 1
            rng[0] = mid
        else:
            bits <<= 1
            rng[1] = mid
        even = not even
        bit += 1
        if bit == 5:
            out.append(BASE32[bits])
            bits, bit = 0, 0
    return "".join(out)


# (region, centre, spread in degrees, share of questions, places)
CLUSTERS = [
    ("jeju", (33.40, 126.55), 0.22, 0.5, ["제주시", "애월", "협재", "성산", "서귀포", "중문", "함덕", "한림", "표선", "우도"]),
    ("busan", (35.15, 129.08), 0.09, 0.25, ["해운대", "광안리", "서면", "남포동", "기장", "송정", "영도", "동래"]),
    ("seoul", (37.55, 126.99), 0.12, 0.25, ["홍대", "강남", "명동", "성수", "이태원", "잠실", "종로", "여의도"]),
]
CATEGORIES = ["food", "lodging", "transport", "weather", "activity", "life", "other"]
TOPICS = {
    "food": ["맛집", "고기국수", "흑돼지", "해물탕", "카페", "브런치", "돼지국밥", "회"],
    "lodging": ["숙소", "펜션", "게스트하우스", "호텔", "캠핑장"],
    "transport": ["버스", "택시", "렌터카", "주차", "배편", "지하철"],
    "weather": ["날씨", "바람", "비", "태풍", "미세먼지"],
    "activity": ["서핑", "등산", "산책", "오름", "낚시", "스노클링"],
    "life": ["병원", "약국", "마트", "세탁소", "은행"],
    "other": ["추천", "질문", "정보"],
}
ASKS = ["추천해주세요", "어디가 좋아요?", "지금 어때요?", "가는 방법 알려주세요", "몇 시까지 해요?", "가볼 만한가요?"]
ANSWERS = ["여기 추천해요", "저도 다녀왔는데 좋았어요", "지금은 사람 많아요", "버스로 20분이면 가요",
           "주차는 공영주차장 이용하세요", "현지인은 이쪽으로 가요", "아침 일찍 가는 게 좋아요"]


def main():
    db_path = sys.argv[1]
    n_questions = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000
    n_answers = int(sys.argv[3]) if len(sys.argv) > 3 else 3_000_000
    n_members = int(sys.argv[4]) if len(sys.argv) > 4 else 50_000
    rng = random.Random(20261122)
    now = int(time.time() * 1_000_000)
    month = 30 * 24 * 3600 * 1_000_000
    db = sqlite3.connect(db_path)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=OFF")
    started = time.time()

    member_ids = list(range(1_000_000, 1_000_000 + n_members))
    db.executemany(
        "INSERT INTO ask_profiles (user_id, nickname, region_code, verified_until, lat, lng, last_active_at, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            (uid, f"주민{uid % 100000}", c[0], now + month if i % 5 == 0 else None,
             c[1][0] + rng.gauss(0, c[2] / 2), c[1][1] + rng.gauss(0, c[2] / 2), now - rng.randrange(month), now - month)
            for i, uid in enumerate(member_ids)
            for c in [CLUSTERS[i % 3]]
        ),
    )
    db.executemany("INSERT INTO ask_balances (account_id, balance) VALUES (?, 100)", ((u,) for u in member_ids))

    # Answer counts per question: skewed, summing to n_answers.
    weights = [rng.paretovariate(1.2) for _ in range(n_questions)]
    scale = n_answers / sum(weights)
    counts = [int(w * scale) for w in weights]
    short = n_answers - sum(counts)
    for i in rng.sample(range(n_questions), min(abs(short), n_questions)):
        counts[i] += 1 if short > 0 else (-1 if counts[i] > 0 else 0)

    def questions():
        for i in range(n_questions):
            r = rng.random()
            acc = 0.0
            for cluster in CLUSTERS:
                acc += cluster[3]
                if r <= acc:
                    break
            region, (clat, clng), spread, _, places = cluster
            lat = clat + rng.gauss(0, spread / 2)
            lng = clng + rng.gauss(0, spread / 2)
            category = rng.choice(CATEGORIES)
            topic = rng.choice(TOPICS[category])
            place = rng.choice(places)
            tags = list(dict.fromkeys([f"{place}{topic}", topic, place, f"{region}여행"][: rng.randint(1, 4)]))
            title = f"{place} {topic} {rng.choice(ASKS)}"
            content = f"{place} 근처에서 {topic} 찾고 있어요. {rng.choice(ASKS)} 현지 분들 의견 궁금합니다."
            created = now - rng.randrange(month)
            answers = counts[i]
            likes = rng.randrange(0, 8)
            urgent = 1 if rng.random() < 0.05 else 0
            bounty = rng.choice([0, 0, 0, 10, 50])
            cell7 = geohash(lat, lng, 7)
            yield (i + 1, rng.choice(member_ids), title, content, category, tags, lat, lng, place,
                   cell7[:5], cell7[:6], cell7, region, urgent, bounty, answers, likes, created)

    batch, tags_batch, written = [], [], 0

    def flush():
        db.executemany(
            "INSERT INTO ask_questions (id, user_id, title, content, category, hashtags, image_ids, lat, lng, place_name, "
            "cell5, cell6, cell7, region_code, urgent, bounty, status, answer_count, like_count, popularity, "
            "first_answer_at, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, '[]', ?, ?, ?, ?, ?, ?, ?, ?, ?, 'active', ?, ?, ?, ?, ?, ?)",
            batch,
        )
        db.executemany(
            "INSERT INTO ask_question_tags (question_id, tag, region_code, category, created_at, popularity, urgent) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            tags_batch,
        )
        batch.clear()
        tags_batch.clear()

    for (qid, uid, title, content, category, tags, lat, lng, place, c5, c6, c7, region, urgent, bounty, answers, likes,
         created) in questions():
        hashtags = "[" + ",".join(f'"{t}"' for t in tags) + "]"
        first = created + rng.randrange(60_000_000, 3_600_000_000) if answers else None
        batch.append((qid, uid, title, content, category, hashtags, lat, lng, place, c5, c6, c7, region, urgent, bounty,
                      answers, likes, answers + likes, first, created, created))
        tags_batch.extend((qid, t, region, category, created, answers + likes, urgent) for t in tags)
        written += 1
        if len(batch) == 20_000:
            flush()
    flush()
    db.commit()
    print(f"questions: {written} in {time.time() - started:.0f} s", flush=True)

    answer_id = 10_000_000_000
    rows = []
    for qid, n in enumerate(counts, start=1):
        for _ in range(n):
            answer_id += 1
            rows.append((answer_id, qid, rng.choice(member_ids), rng.choice(ANSWERS), rng.randrange(0, 5), now - rng.randrange(month)))
            if len(rows) == 50_000:
                db.executemany(
                    "INSERT INTO ask_answers (id, question_id, user_id, content, like_count, created_at, updated_at) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?)", [r + (r[5],) for r in rows])
                rows.clear()
    if rows:
        db.executemany(
            "INSERT INTO ask_answers (id, question_id, user_id, content, like_count, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)", [r + (r[5],) for r in rows])
    db.commit()
    db.execute("ANALYZE")
    db.commit()
    print(f"answers: {answer_id - 10_000_000_000}; members: {n_members}; total {time.time() - started:.0f} s")


if __name__ == "__main__":
    main()

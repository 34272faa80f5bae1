#!/usr/bin/env python3
"""Reference solves for the ration benchmarks: PuLP with CBC (the seed's stack) and HiGHS
through highspy (threads=1), on the same random problems the Rust benchmark solves.

    pip install pulp highspy
    python3 benches/ration_compare.py            # writes target/ration-bench/*.json
    cargo bench -p ration --bench solve          # times maru on the same files, checks costs

Problems are generated here, deterministically (seeded), each built around a known feasible
mix: nutrient minimums at 80-95 % and some maximums at 110-130 % of that mix's supply, a few
inclusion caps, and a total of 1 kg on a dry-matter basis. Times cover model building plus
solving (no file parsing), one problem at a time; the median per size is reported.
"""
import json
import os
import random
import statistics
import sys
import time

import highspy
import pulp

SIZES = [(n, m) for n in (20, 50, 100, 200) for m in (10, 30, 60)]
PER_SIZE = 15
BATCH = (40, 20, 1000)
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "target", "ration-bench")


def problem(rng, pid, n, m):
    mix = [rng.random() for _ in range(n)]
    total = sum(mix)
    mix = [w / total for w in mix]
    ingredients = []
    for j in range(n):
        ingredients.append({
            "id": f"f{j}",
            "dm": round(rng.uniform(20, 95), 3),
            "cost": round(rng.uniform(50, 1500), 3),
            "nutrient_basis": "dm",
            "nutrients": {f"n{k}": round(rng.uniform(0, 60) if rng.random() < 0.7 else 0.0, 4) for k in range(m)},
        })
    constraints = [{"kind": "total", "value": 1}]
    for k in range(m):
        supply = sum(w * ing["nutrients"][f"n{k}"] for w, ing in zip(mix, ingredients))
        c = {"kind": "nutrient", "nutrient": f"n{k}", "min": round(supply * rng.uniform(0.8, 0.95), 6)}
        if rng.random() < 0.3:
            c["max"] = round(supply * rng.uniform(1.1, 1.3), 6)
        constraints.append(c)
    for j in rng.sample(range(n), max(1, n // 10)):
        constraints.append({"kind": "inclusion", "ingredient": f"f{j}", "max": round(max(mix[j] * 1.5, 0.05), 6)})
    return {"id": pid, "basis": "dm", "ingredients": ingredients, "constraints": constraints}


def dense(p):
    """Cost per kg DM and nutrient matrix on DM, as the Rust engine builds them."""
    ids = [i["id"] for i in p["ingredients"]]
    cost = [i["cost"] * 100.0 / i["dm"] for i in p["ingredients"]]
    return ids, cost


def solve_pulp(p):
    ids, cost = dense(p)
    lp = pulp.LpProblem(p["id"], pulp.LpMinimize)
    x = [pulp.LpVariable(i, lowBound=0) for i in ids]
    lp += pulp.lpSum(c * v for c, v in zip(cost, x))
    for c in p["constraints"]:
        if c["kind"] == "total":
            lp += pulp.lpSum(x) == c["value"]
        elif c["kind"] == "nutrient":
            row = pulp.lpSum(i["nutrients"].get(c["nutrient"], 0.0) * v for i, v in zip(p["ingredients"], x))
            if c.get("min") is not None:
                lp += row >= c["min"]
            if c.get("max") is not None:
                lp += row <= c["max"]
        elif c["kind"] == "inclusion":
            v = x[ids.index(c["ingredient"])]
            if c.get("max") is not None:
                lp += v <= c["max"]
    lp.solve(pulp.PULP_CBC_CMD(msg=0))
    assert pulp.LpStatus[lp.status] == "Optimal", pulp.LpStatus[lp.status]
    return pulp.value(lp.objective)


def solve_highs(p):
    ids, cost = dense(p)
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", 1)
    n = len(ids)
    inf = highspy.kHighsInf
    h.addVars(n, [0.0] * n, [inf] * n)
    h.changeColsCost(n, list(range(n)), cost)
    for c in p["constraints"]:
        if c["kind"] == "total":
            h.addRow(c["value"], c["value"], n, list(range(n)), [1.0] * n)
        elif c["kind"] == "nutrient":
            idx, val = [], []
            for j, i in enumerate(p["ingredients"]):
                v = i["nutrients"].get(c["nutrient"], 0.0)
                if v != 0.0:
                    idx.append(j)
                    val.append(v)
            lo = c["min"] if c.get("min") is not None else -inf
            hi = c["max"] if c.get("max") is not None else inf
            h.addRow(lo, hi, len(idx), idx, val)
        elif c["kind"] == "inclusion":
            j = ids.index(c["ingredient"])
            h.changeColBounds(j, 0.0, c["max"])
    h.run()
    assert h.getModelStatus() == highspy.HighsModelStatus.kOptimal
    return h.getInfo().objective_function_value


def timed(fn, p):
    start = time.perf_counter()
    value = fn(p)
    return value, time.perf_counter() - start


def main():
    os.makedirs(OUT, exist_ok=True)
    rng = random.Random(20261122)
    reference = {}
    for n, m in SIZES:
        problems = [problem(rng, f"{n}x{m}-{i}", n, m) for i in range(PER_SIZE)]
        with open(os.path.join(OUT, f"{n}x{m}.json"), "w") as f:
            json.dump({"problems": problems}, f)
        pulp_runs = [timed(solve_pulp, p) for p in problems]
        highs_runs = [timed(solve_highs, p) for p in problems]
        for p, (a, _), (b, _) in zip(problems, pulp_runs, highs_runs):
            assert abs(a - b) <= 1e-6 * (1 + abs(b)), (p["id"], a, b)
        reference[f"{n}x{m}"] = {
            "objectives": [b for b, _ in highs_runs],
            "pulp_cbc_median_s": statistics.median(t for _, t in pulp_runs),
            "highspy_median_s": statistics.median(t for _, t in highs_runs),
        }
        print(f"{n:>4} x {m:<3} pulp+cbc {reference[f'{n}x{m}']['pulp_cbc_median_s']*1e3:8.2f} ms   "
              f"highspy {reference[f'{n}x{m}']['highspy_median_s']*1e3:8.3f} ms", flush=True)
    n, m, count = BATCH
    batch = [problem(rng, f"batch-{i}", n, m) for i in range(count)]
    with open(os.path.join(OUT, "batch_40x20.json"), "w") as f:
        json.dump({"problems": batch}, f)
    start = time.perf_counter()
    highs_objectives = [solve_highs(p) for p in batch]
    highs_total = time.perf_counter() - start
    start = time.perf_counter()
    for p in batch[:100]:
        solve_pulp(p)
    pulp_total = (time.perf_counter() - start) * count / 100
    reference["batch_40x20"] = {"objectives": highs_objectives, "pulp_cbc_total_s": pulp_total, "highspy_total_s": highs_total}
    print(f"batch of {count} ({n} x {m}): pulp+cbc {pulp_total:.2f} s (extrapolated from 100), highspy {highs_total:.3f} s")
    with open(os.path.join(OUT, "reference.json"), "w") as f:
        json.dump(reference, f, indent=1)


if __name__ == "__main__":
    sys.exit(main())

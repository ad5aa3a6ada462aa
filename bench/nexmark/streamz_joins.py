"""streamz 0.6.4 + pandas counterpart of bench/nexmark Q3 and Q8 (joins of persons and auctions).

streamz has no joins; its nearest spelling pairs the two streams per batch (`zip`) and lets
pandas merge: Q3 keeps the table of local persons so far (`accumulate` + `pd.concat`) and merges
each auction batch with it (`zip_latest`); Q8 collects each 10 s window's persons and auctions and
merges them when the window is over. Reads the chunks bench/nexmark/join-run.ts wrote (JSON),
builds the pandas frames before timing, prints {query: {rowsPerSec, result}} as JSON: the best of
REPS runs (default 3) in CPU time (process_time), so the other load on a shared machine counts less.
Run with Debian's python: /usr/bin/python3 bench/nexmark/streamz_joins.py <file.json> [REPS]
"""
import json
import sys
import time

import pandas as pd
import streamz
from streamz import Stream

chunks = json.load(open(sys.argv[1]))
persons = [pd.DataFrame(c["persons"]) for c in chunks]
auctions = [pd.DataFrame(c["auctions"]) for c in chunks]
N = sum(len(p) + len(a) for p, a in zip(persons, auctions))
TEN_S = 10_000
REPS = int(sys.argv[2]) if len(sys.argv) > 2 else 3


def q3(ps, as_, out):
    local = ps.map(lambda p: p[p.state.isin(["OR", "ID", "CA"])]).accumulate(lambda acc, p: pd.concat([acc, p]), start=persons[0].iloc[:0])
    cat10 = as_.map(lambda a: a[a.category == 10])

    def merge(pair):
        a, p = pair
        m = pd.merge(a, p, left_on="seller", right_on="id", suffixes=("", "_person"))
        return m[m.dateTime_person <= m.dateTime][["name", "city", "state", "id"]]

    cat10.zip_latest(local).map(merge).sink(out.append)
    return lambda: None


def q8(ps, as_, out):
    state = {"start": None, "p": [], "a": []}

    def close():
        if state["p"] and state["a"]:
            p, a = pd.concat(state["p"]), pd.concat(state["a"])
            m = pd.merge(p, a, left_on="id", right_on="seller", suffixes=("", "_auction"))
            out.append(pd.DataFrame({"window_start": state["start"], "id": m.id, "name": m.name}))
        state["p"], state["a"] = [], []

    def step(_, pair):
        p, a = pair
        for start in sorted(set((p.dateTime // TEN_S * TEN_S).tolist()) | set((a.dateTime // TEN_S * TEN_S).tolist())):
            if state["start"] is not None and start > state["start"]:
                close()
            state["start"] = start
            state["p"].append(p[p.dateTime // TEN_S * TEN_S == start])
            state["a"].append(a[a.dateTime // TEN_S * TEN_S == start])
        return state

    ps.zip(as_).accumulate(step, start=state).sink(lambda _: None)
    return close


def summary(name, out):
    if not out:
        return []
    df = pd.concat(out)
    if name == "q3":
        return sorted([[float(r.id), r.name, r.city, r.state] for r in df.itertuples(index=False)], key=lambda r: (r[0], r[1]))
    df = df.drop_duplicates(["window_start", "id"])
    return sorted([[float(r.window_start), float(r.id)] for r in df.itertuples(index=False)])


def run(name, build):
    best = None
    for rep in range(REPS):
        ps, as_ = Stream(), Stream()
        out = []
        finish = build(ps, as_, out)
        start = time.process_time()
        for p, a in zip(persons, auctions):
            ps.emit(p)
            as_.emit(a)
        finish()
        dt = time.process_time() - start
        best = dt if best is None else min(best, dt)
    return {"rowsPerSec": N / best, "result": summary(name, out)}


results = {name: run(name, fn) for name, fn in [("q3", q3), ("q8", q8)]}
print(json.dumps({"queries": results, "streamz": streamz.__version__, "pandas": pd.__version__}))

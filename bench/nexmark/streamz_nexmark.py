"""streamz 0.6.4 + pandas counterpart of bench/nexmark (Q1, Q2, Q5, Q7 on the bid stream).

Reads the bids the TypeScript generator wrote (raw float64 columns), cuts them into batches of
ROWS rows, builds the pandas frames before timing (frame construction excluded, as allowed),
then times each query through a streamz pipeline. streamz has no event-time tumbling or hopping
windows, so Q5 and Q7 use its closest spelling: `accumulate` with pandas doing the per-window
work. Prints {query: {rowsPerSec, result}} as JSON; results are the checks bench/nexmark/run.ts compares.
Run with Debian's python: /usr/bin/python3 bench/nexmark/streamz_nexmark.py <dir> <rows> [q5,q7 [passes]]
"""
import json
import sys
import time

import numpy as np
import pandas as pd
import streamz
from streamz import Stream
from streamz.dataframe import DataFrame

data_dir, ROWS = sys.argv[1], int(sys.argv[2])
cols = {c: np.fromfile(f"{data_dir}/{c}.f64", dtype="<f8") for c in ["auction", "bidder", "price", "dateTime"]}
N = len(cols["auction"])
batches = [pd.DataFrame({c: v[s:s + ROWS] for c, v in cols.items()}) for s in range(0, N, ROWS)]
example = batches[0].iloc[:0]
TEN_S, TWO_S = 10_000, 2_000


def q1(sdf, out):
    sdf.assign(price=sdf.price * 0.908).stream.sink(out.append)
    return lambda: None


def q2(sdf, out):
    sdf[sdf.auction % 123 == 0][["auction", "price"]].stream.sink(out.append)
    return lambda: None


def q5(sdf, out):
    """Counts per 2 s pane and auction; a window [end - 10 s, end) closes when a bid at or after its end arrives."""
    state = {"panes": {}, "next_end": None}

    def emit_until(watermark):
        panes = state["panes"]
        while state["next_end"] is not None and state["next_end"] <= watermark:
            end = state["next_end"]
            parts = [panes[p] for p in range(int(end - TEN_S), int(end), TWO_S) if p in panes]
            if parts:
                counts = pd.concat(parts).groupby(level=0).sum()
                top = counts[counts == counts.max()]
                out.append(pd.DataFrame({"window_start": end - TEN_S, "auction": top.index, "count": top.values}))
            for p in [p for p in panes if p < end - TEN_S + TWO_S]:
                del panes[p]
            state["next_end"] = end + TWO_S if panes else None

    def step(_, df):
        pane = (df.dateTime // TWO_S) * TWO_S
        for p, counts in df.groupby(pane).auction.value_counts().groupby(level=0):
            counts = counts.droplevel(0)
            state["panes"][p] = state["panes"][p].add(counts, fill_value=0) if p in state["panes"] else counts
            if state["next_end"] is None or p + TWO_S < state["next_end"]:
                state["next_end"] = p + TWO_S
        emit_until(df.dateTime.max())
        return state

    sdf.stream.accumulate(step, start=state).sink(lambda _: None)  # a sink keeps the node alive (streamz holds downstreams weakly)
    return lambda: emit_until(float("inf"))


def q7(sdf, out):
    """Per 10 s window, the running max price and the bids at it; emitted when the window closes."""
    state = {"start": None, "rows": None}

    def close():
        if state["rows"] is not None:
            out.append(state["rows"].assign(window_start=state["start"]))

    def step(_, df):
        starts = (df.dateTime // TEN_S) * TEN_S
        for start, part in df.groupby(starts):
            if state["start"] is not None and start > state["start"]:
                close()
                state["rows"] = None
            state["start"] = start
            top = part[part.price == part.price.max()]
            rows = state["rows"]
            if rows is None or top.price.iloc[0] > rows.price.iloc[0]:
                state["rows"] = top
            elif top.price.iloc[0] == rows.price.iloc[0]:
                state["rows"] = pd.concat([rows, top])
        return state

    sdf.stream.accumulate(step, start=state).sink(lambda _: None)
    return close


def summary(name, out):
    if not out:
        return []
    df = pd.concat(out)
    if name == "q1":
        return [len(df), round(float(df.price.sum()) * 100) / 100]
    if name == "q2":
        return [len(df), float(df.auction.sum()), float(df.price.sum())]
    keep = ["window_start", "auction", "count"] if name == "q5" else ["window_start", "auction", "bidder", "price"]
    return sorted([[float(x) for x in r] for r in df[keep].itertuples(index=False)])


def run(name, build, passes):
    best = None
    for rep in range(passes):
        source = Stream()
        out = []
        finish = build(DataFrame(source, example=example), out)
        start = time.process_time()
        for b in batches:
            source.emit(b)
        finish()
        dt = time.process_time() - start
        best = dt if best is None else min(best, dt)
    return {"rowsPerSec": N / best, "result": summary(name, out)}


chosen = sys.argv[3].split(",") if len(sys.argv) > 3 else ["q1", "q2", "q5", "q7"]
passes = int(sys.argv[4]) if len(sys.argv) > 4 else 3
results = {name: run(name, fn, passes) for name, fn in [("q1", q1), ("q2", q2), ("q5", q5), ("q7", q7)] if name in chosen}
print(json.dumps({"queries": results, "streamz": streamz.__version__, "pandas": pd.__version__}))

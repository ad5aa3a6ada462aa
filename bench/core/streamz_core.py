"""The core benchmark's workloads in streamz, timed the same way: first pass result, best pass CPU time."""
import json
import sys
import time

from streamz import Stream


def map_filter_accumulate(out):
    source = Stream()
    source.map(lambda x: x + 1).filter(lambda x: x % 2 == 0).accumulate(lambda a, b: a + b, start=0).sink(out)
    return source


def sliding_window_sum(out):
    source = Stream()
    source.sliding_window(100).map(sum).sink(out)
    return source


WORKLOADS = {
    'map → filter(even) → accumulate(add)': (map_filter_accumulate, 1_000_000),
    'slidingWindow(100) → sum': (sliding_window_sum, 200_000),
}


def main():
    passes = int(sys.argv[1]) if len(sys.argv) > 1 else 2
    results = []
    for name, (build, events) in WORKLOADS.items():
        data = list(range(events))
        last = [None]
        source = build(lambda x: last.__setitem__(0, x))
        times, first = [], None
        for p in range(passes):
            start = time.process_time()
            for x in data:
                source.emit(x)
            times.append(time.process_time() - start)
            if p == 0:
                first = last[0]
        results.append({'name': name, 'events': events, 'seconds': min(times), 'result': first})
    json.dump(results, sys.stdout)


if __name__ == '__main__':
    main()

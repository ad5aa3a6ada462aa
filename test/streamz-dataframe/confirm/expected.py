"""Expected values of the parametrized DataFrame ports, computed with pandas 1.5.3 (Debian's
/usr/bin/python3) exactly as streamz's test_dataframes.py computes them:
/usr/bin/python3 test/streamz-dataframe/confirm/expected.py > test/streamz-dataframe/fixtures/expected.json"""
import json, math
import numpy as np, pandas as pd

def clean(v):
    if isinstance(v, (list, tuple)): return [clean(x) for x in v]
    if isinstance(v, dict): return {k: clean(x) for k, x in v.items()}
    v = float(v)
    return None if math.isnan(v) else v

def rows(x, key=None):
    """A pandas result as row dicts: a Series (named) or a DataFrame, its index as column `key`."""
    if isinstance(x, pd.Series): x = x.to_frame()
    if key is not None: x = x.reset_index()
    return [clean(r) for r in x.to_dict('records')]

out = {}

# test_groupby_aggregate: grouper 'x' (['x'] is the same), indexers y / g / g[['y']]
df = pd.DataFrame({'x': (np.arange(10) // 2).astype(float), 'y': [1.0, 2.0] * 5})
aggs = {'sum': lambda g: g.sum(), 'mean': lambda g: g.mean(), 'count': lambda g: g.count(),
        'var': lambda g: g.var(ddof=1), 'std': lambda g: g.std()}
out['groupby_aggregate'] = {op: {'first': rows(f(df.iloc[:3].groupby('x').y), 'x'), 'last': rows(f(df.groupby('x').y), 'x')}
                            for op, f in aggs.items()}

# test_rolling_count_aggregations: x over an hourly index (here a ts column), per-row outputs
index = pd.date_range(start='2000-01-01', end='2000-01-03', freq='1h')
rdf = pd.DataFrame({'x': np.arange(len(index))}, index=index)
rops = {'sum': {}, 'mean': {}, 'min': {}, 'median': {}, 'max': {}, 'var': {}, 'count': {}, 'std': {'ddof': 0}, 'quantile': {'quantile': 0.5}}
out['rolling'] = {'ts0': int(index[0].value // 10**6), 'n': len(index), 'cases': {}}
for window in [2, 7, '3h', '200min']:
    for op, kw in rops.items():
        r = getattr(rdf.x.rolling(window), op)(**kw)
        out['rolling']['cases'][f'{window}-{op}'] = clean(list(r))

# test_windowing_n: window(n) over batches of 3, functions of (window + 10)
wdf = pd.DataFrame({'x': list(range(10)), 'y': [1, 2] * 5})
wf = {'sum': lambda x: x.sum(), 'mean': lambda x: x.mean(), 'count': lambda x: x.count(), 'size': lambda x: x.size,
      'var1': lambda x: x.var(ddof=1), 'std1': lambda x: x.std(ddof=1), 'var0': lambda x: x.var(ddof=0)}
out['windowing_n'] = {}
for n in [1, 4]:
    for op, f in wf.items():
        first, last = wdf.iloc[max(0, 3 - n): 3] + 10, wdf.iloc[len(wdf) - n:] + 10
        out['windowing_n'][f'{n}-{op}'] = {
            'x': [clean(f(first.x)), clean(f(last.x))],
            'frame': [clean(f(first)) if op == 'size' else clean(f(first).to_dict()), clean(f(last)) if op == 'size' else clean(f(last).to_dict())]}

# test_groupby_windowing_n: grouper 'y', indexer x
gdf = pd.DataFrame({'x': np.arange(10, dtype=float), 'y': [1.0, 2.0] * 5})
gf = {'sum': lambda g: g.sum(), 'mean': lambda g: g.mean(), 'count': lambda g: g.count(), 'size': lambda g: g.size(),
      'var1': lambda g: g.var(ddof=1), 'std1': lambda g: g.std(ddof=1), 'var0': lambda g: g.var(ddof=0)}
out['groupby_windowing_n'] = {}
for n in [1, 4]:
    for op, f in gf.items():
        first, last = gdf.iloc[max(0, 3 - n): 3], gdf.iloc[len(gdf) - n:]
        res = [f(d.groupby('y').x) for d in (first, last)]
        out['groupby_windowing_n'][f'{n}-{op}'] = [rows(r.rename('x'), 'y') for r in res]

# test_groupby_windowing_value: hourly rows in batches of 13, grouper 'y', indexer x
vdf = pd.DataFrame({'x': np.arange(len(index), dtype=float), 'y': np.arange(len(index), dtype=float) % 2}, index=index)
vf = {'sum': lambda g: g.sum(), 'mean': lambda g: g.mean(), 'count': lambda g: g.count(),
      'var1': lambda g: g.var(ddof=1), 'std': lambda g: g.std(), 'var0': lambda g: g.var(ddof=0)}
def first_last(value):
    """The rows in the window after the first batch of 13 and after the last one."""
    td = pd.Timedelta(value)
    first = vdf.iloc[:13]
    return first[first.index.max() - td + pd.Timedelta('1ns'):], vdf.loc[index.max() - td + pd.Timedelta('1ns'):]
out['groupby_windowing_value'] = {f'{value}-{op}': [rows(f(d.groupby('y').x), 'y') for d in first_last(value)]
                                  for value in ['10h', '1d'] for op, f in vf.items()}

# test_groupby_windowing_value, grouper a.index (the DatetimeIndex, here the index column ts in ms)
def by_index(r):
    r = r.to_frame().reset_index()
    r['ts'] = r['index'].astype('int64') // 10**6
    return [clean(x) for x in r[['ts', 'x']].to_dict('records')]
out['groupby_windowing_value_index'] = {f'{value}-{op}': [by_index(f(d.groupby(d.index).x)) for d in first_last(value)]
                                        for value in ['10h', '1d'] for op, f in vf.items()}

# test_expanding: a one-row frame emitted 5 times
edf = pd.concat([pd.DataFrame({'x': [1.], 'y': [2.]})] * 5, ignore_index=True)
ef = {'sum': lambda e: e.sum(), 'mean': lambda e: e.mean(), 'count': lambda e: e.count(),
      'var_1': lambda e: e.var(ddof=1), 'std': lambda e: e.std(ddof=1), 'var_0': lambda e: e.var(ddof=0)}
out['expanding'] = {op: {c: clean(list(f(edf.expanding())[c])) for c in ['x', 'y']} for op, f in ef.items()}

print(json.dumps(out, indent=1))

"""Run a streamz test module under Debian's streamz 0.6.4 without pytest, to confirm the expected
values the ports use: /usr/bin/python3 run.py test_core.py [name-substring]
(test files: git show HEAD:streamz/tests/test_core.py from the python-streamz/streamz repository).
Only the core `stream` fixture is given (no dask); stubs/ stands in for pytest, dask's assert_eq and flaky."""
import asyncio, importlib.util, inspect, os, sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), 'stubs'))
import pytest
from streamz import Stream

def fixtures(name):
    if name == 'stream': return [Stream()]
    if name in ('clean', 'loop'): return [None]
    raise LookupError(name)

def expand(f):
    cases = [({}, '')]
    for names, values in reversed(f.__dict__.get('_params', [])):
        names = [n.strip() for n in names.split(',')] if isinstance(names, str) else list(names)
        new = []
        for kw, id_ in cases:
            for i, v in enumerate(values):
                marks = ()
                if isinstance(v, pytest._Param): marks, v = v.marks, v.values if len(names) > 1 else v.values[0]
                vals = v if len(names) > 1 else (v,)
                new.append(({**kw, **dict(zip(names, vals))}, id_ + '-%s%d' % (names[0], i)))
        cases = new
    return cases

spec = importlib.util.spec_from_file_location('t', sys.argv[1]); mod = importlib.util.module_from_spec(spec); spec.loader.exec_module(mod)
only = sys.argv[2] if len(sys.argv) > 2 else ''
passed = failed = skipped = 0
for name, f in list(vars(mod).items()):
    if not name.startswith('test_') or not callable(f) or only not in name: continue
    for kw, id_ in expand(f):
        try:
            params = [p for p in inspect.signature(f).parameters if p not in kw]
            extra = {}
            for p in params: extra[p] = fixtures(p)[0]
        except (LookupError, ValueError) as e:
            print('SKIP', name + id_, 'fixture', e); skipped += 1; continue
        try:
            r = f(**kw, **extra)
            if inspect.iscoroutine(r): asyncio.run(r)
            print('PASS', name + id_); passed += 1
        except Exception as e:
            print('FAIL', name + id_, type(e).__name__, str(e)[:200]); failed += 1
print('passed', passed, 'failed', failed, 'skipped', skipped)

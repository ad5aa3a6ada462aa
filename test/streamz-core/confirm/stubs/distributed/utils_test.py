def inc(x): return x + 1
loop = loop_in_thread = cleanup = None

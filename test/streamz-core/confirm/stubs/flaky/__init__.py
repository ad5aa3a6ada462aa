def flaky(**k): return lambda f: f

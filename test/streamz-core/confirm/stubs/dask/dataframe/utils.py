"""assert_eq as dask's: pandas objects compared with pandas.testing, returns True."""
import pandas as pd, numpy as np
def assert_eq(a, b, **kw):
    if isinstance(a, pd.DataFrame): pd.testing.assert_frame_equal(a, b, check_dtype=False, **kw)
    elif isinstance(a, pd.Series): pd.testing.assert_series_equal(a, b, check_dtype=False, **kw)
    elif isinstance(a, pd.Index): pd.testing.assert_index_equal(a, b, exact=False)
    elif isinstance(a, list): assert all(assert_eq(x, y) for x, y in zip(a, b)) and len(a) == len(b)
    else: assert a == b or (np.isnan(a) and np.isnan(b)), (a, b)
    return True

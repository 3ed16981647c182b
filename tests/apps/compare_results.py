"""Exit 0 iff two softpower result files hold bit-identical datasets.

Attributes that describe the execution (times, thread count, command line) may differ;
every dataset, and the scenario text, must not.
"""
import sys

import h5py
import numpy as np


def datasets(f):
    out = {}
    f.visititems(lambda name, obj: out.__setitem__(name, obj[()]) if isinstance(obj, h5py.Dataset) else None)
    return out


a, b = (datasets(h5py.File(p, "r")) for p in sys.argv[1:3])
if a.keys() != b.keys():
    sys.exit(f"different datasets: {sorted(a.keys() ^ b.keys())}")
for name in a:
    x, y = a[name], b[name]
    if np.isscalar(x) or isinstance(x, bytes):
        same = x == y
    elif x.dtype.kind == "O":  # strings (column labels)
        same = x.shape == y.shape and x.tolist() == y.tolist()
    else:  # bit patterns, so that NaN (an empty region's mean) equals itself
        same = x.dtype == y.dtype and x.shape == y.shape and x.tobytes() == y.tobytes()
    if not same:
        sys.exit(f"dataset {name} differs")
print(f"{len(a)} datasets identical")

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
    same = x == y if np.isscalar(x) or isinstance(x, bytes) else np.array_equal(x, y)
    if not same:
        sys.exit(f"dataset {name} differs")
print(f"{len(a)} datasets identical")

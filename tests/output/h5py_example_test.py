#!/usr/bin/env python3
"""Runs the h5py example of docs/output-format.md verbatim, so the documentation cannot rot.

usage: h5py_example_test.py RESULT_WRITER_TEST OUTPUT_FORMAT_MD

The gtest ResultWriterDocExample.WritesTheExampleFile writes results/baseline.h5 under
$SOFTPOWER_EXAMPLE_DIR; the example then runs in that directory. If xarray and h5netcdf are
installed, the file must also open as a netCDF dataset with named dimensions.
"""
import os
import re
import subprocess
import sys
import tempfile


def main() -> int:
    writer_test, doc_path = sys.argv[1], sys.argv[2]
    with open(doc_path, encoding="utf-8") as doc:
        blocks = re.findall(r"^```python\n(.*?)^```$", doc.read(), re.S | re.M)
    if len(blocks) != 1:
        print(f"{doc_path}: expected exactly one ```python block, found {len(blocks)}")
        return 1
    example = blocks[0]
    if len(example.strip().splitlines()) > 10:
        print(f"{doc_path}: the h5py example must stay within 10 lines")
        return 1

    with tempfile.TemporaryDirectory(prefix="softpower_h5py_") as tmp:
        subprocess.run([writer_test, "--gtest_filter=ResultWriterDocExample.WritesTheExampleFile"],
                       env=dict(os.environ, SOFTPOWER_EXAMPLE_DIR=tmp), check=True,
                       stdout=subprocess.DEVNULL)
        run = subprocess.run([sys.executable, "-c", example], cwd=tmp, capture_output=True,
                             text=True)
        print(run.stdout, end="")
        print(run.stderr, end="", file=sys.stderr)
        if run.returncode != 0:
            print("the documented h5py example failed")
            return 1
        expected = ["dims ['/metrics/run', '/metrics/step']", "run 2 (seed 42)", "6 items"]
        missing = [e for e in expected if e not in run.stdout]
        if missing:
            print(f"the example's output lacks {missing}")
            return 1

        try:
            import xarray
            import h5netcdf  # noqa: F401  (xarray's engine)
        except ImportError:
            print("xarray/h5netcdf not installed: netCDF view not checked")
            return 0
        path = os.path.join(tmp, "results", "baseline.h5")
        with xarray.open_dataset(path, engine="h5netcdf", group="metrics") as ds:
            if ds["opens"].dims != ("run", "step") or "time_hours" not in ds.coords:
                print(f"unexpected netCDF view:\n{ds}")
                return 1
            print(f"xarray: {dict(ds.sizes)}, coordinates {sorted(ds.coords)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

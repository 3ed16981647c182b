#!/usr/bin/env python3
"""Runs the h5py example of docs/output-format.md verbatim, so the documentation cannot rot.

usage: h5py_example_test.py RESULT_WRITER_TEST OUTPUT_FORMAT_MD

The gtests ResultWriterDocExample.WritesTheExampleFile (float series and attitude snapshots) and
...WritesTheExampleFileWithoutAttitudes (neither, like a file of a run without an attitude model)
each write results/baseline.h5 under $SOFTPOWER_EXAMPLE_DIR; the example then runs in that
directory and must work on both. If xarray and h5netcdf are installed, the first file must also
open as a netCDF dataset with named dimensions.
"""
import os
import re
import subprocess
import sys
import tempfile

COMMON = ["dims ['/metrics/run', '/metrics/step']", "run 2 (seed 42)", "6 items"]
CASES = [  # (gtest writing the file, what the example must print for it)
    ("ResultWriterDocExample.WritesTheExampleFile",
     COMMON + ["'attitude_by_region': (3, 48, 2)", "'attitude_mean': (3, 48)",
               "snapshots (3, 2, 5)"]),
    ("ResultWriterDocExample.WritesTheExampleFileWithoutAttitudes",
     COMMON + ["float series {} snapshots None"]),
]


def run_example(writer_test, gtest, example, expected, tmp):
    subprocess.run([writer_test, f"--gtest_filter={gtest}"],
                   env=dict(os.environ, SOFTPOWER_EXAMPLE_DIR=tmp), check=True,
                   stdout=subprocess.DEVNULL)
    run = subprocess.run([sys.executable, "-c", example], cwd=tmp, capture_output=True, text=True)
    print(run.stdout, end="")
    print(run.stderr, end="", file=sys.stderr)
    if run.returncode != 0:
        print(f"the documented h5py example failed on the file of {gtest}")
        return False
    missing = [e for e in expected if e not in run.stdout]
    if missing:
        print(f"on the file of {gtest}, the example's output lacks {missing}")
        return False
    return True


def check_netcdf_view(path):
    try:
        import xarray
        import h5netcdf  # noqa: F401  (xarray's engine)
    except ImportError:
        print("xarray/h5netcdf not installed: netCDF view not checked")
        return True
    with xarray.open_dataset(path, engine="h5netcdf", group="metrics") as ds:
        by_region = ds["attitude_by_region"]
        if (ds["opens"].dims != ("run", "step") or "time_hours" not in ds.coords
                or ds["attitude_mean"].dims != ("run", "step")
                or by_region.dims != ("run", "step", "attitude_by_region_columns")
                or list(by_region["attitude_by_region_columns"].values)
                != ["domestic", "international"]):
            print(f"unexpected netCDF view:\n{ds}")
            return False
        print(f"xarray: {dict(ds.sizes)}, coordinates {sorted(ds.coords)}")
    return True


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

    for gtest, expected in CASES:
        with tempfile.TemporaryDirectory(prefix="softpower_h5py_") as tmp:
            if not run_example(writer_test, gtest, example, expected, tmp):
                return 1
            if gtest == CASES[0][0] and not check_netcdf_view(
                    os.path.join(tmp, "results", "baseline.h5")):
                return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

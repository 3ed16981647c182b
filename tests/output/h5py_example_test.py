#!/usr/bin/env python3
"""Runs every ```python block of docs/output-format.md verbatim, so the documentation cannot rot.

usage: h5py_example_test.py RESULT_WRITER_TEST OUTPUT_FORMAT_MD

A block runs against the file it opens, which a gtest of RESULT_WRITER_TEST writes under
$SOFTPOWER_EXAMPLE_DIR (the block runs in that directory):

- results/baseline.h5: ResultWriterDocExample.WritesTheExampleFile (float series and attitude
  snapshots) and ...WritesTheExampleFileWithoutAttitudes (neither, like a file of a run without
  an attitude model); the one block reading it must work on both and stay within 10 lines. If
  xarray and h5netcdf are installed, the first file must also open as a netCDF dataset with
  named dimensions.
- results/sweep.h5: ResultWriterDocExample.WritesTheSweepExampleFile (3 points x 4 replicates of
  a two-axis sweep); the sweep recipes (h5py, then xarray) read it.
- results/events.h5: ResultWriterDocExample.WritesTheEventsExampleFile (3 runs with /events and
  its attitudes) and ...WritesTheEventsExampleFileWithoutAttitudes; the /events example reads it.

A block that imports xarray runs only where xarray and h5netcdf are installed. Each block must
print what EXPECTED lists for it, in document order per file.
"""
import os
import re
import subprocess
import sys
import tempfile

BASELINE = "results/baseline.h5"
SWEEP = "results/sweep.h5"
EVENTS = "results/events.h5"

EVENTS_COMMON = ["run 1: 6 reads, 1 shared",
                 "  user 0 opened item 0 at step 2 via push from 5 (hop 1)",
                 "  user 1 opened item 0 at step 3 via push from 5 (hop 1)",
                 "  user 2 opened item 0 at step 5 via moments from 1 (hop 2)",
                 "reached 5 of 6 vertices"]
COMMON = ["dims ['/metrics/run', '/metrics/step']", "run 2 (seed 42)", "6 items"]
CASES = {  # file -> [(gtest writing it, [what each block reading it must print])]
    BASELINE: [
        ("ResultWriterDocExample.WritesTheExampleFile",
         [COMMON + ["'attitude_by_region': (3, 48, 2)", "'attitude_mean': (3, 48)",
                    "snapshots (3, 2, 5)"]]),
        ("ResultWriterDocExample.WritesTheExampleFileWithoutAttitudes",
         [COMMON + ["float series {} snapshots None"]]),
    ],
    SWEEP: [
        ("ResultWriterDocExample.WritesTheSweepExampleFile", [
            ["sweep 5eed5eed5eed5eed 3 points x 4 replicates",
             "point 0 (censorship.strength=0.0, strategy.model=broadcast): 4 runs, final reach "
             "1512.0 [5%: 1447.2, 95%: 1576.8]",
             "point 2 (censorship.strength=1.0, strategy.model=targeted): 4 runs, final reach "
             "552.0 [5%: 487.2, 95%: 616.8]"],
            ["xarray: point 0 (strength 0.0): final reach 1512.0 [5%: 1447.2, 95%: 1576.8]",
             "xarray: point 1 (strength 0.5): final reach 1032.0 [5%: 967.2, 95%: 1096.8]"],
        ]),
    ],
    EVENTS: [
        ("ResultWriterDocExample.WritesTheEventsExampleFile",
         [EVENTS_COMMON + ["mean attitude shift +0.300"]]),
        ("ResultWriterDocExample.WritesTheEventsExampleFileWithoutAttitudes", [EVENTS_COMMON]),
    ],
}


def have_xarray():
    try:
        import xarray  # noqa: F401
        import h5netcdf  # noqa: F401  (xarray's engine)
    except ImportError:
        return False
    return True


def run_block(block, expected, tmp, gtest):
    if re.search(r"^\s*import xarray", block, re.M) and not have_xarray():
        print(f"xarray/h5netcdf not installed: the xarray block on the file of {gtest} not run")
        return True
    run = subprocess.run([sys.executable, "-c", block], cwd=tmp, capture_output=True, text=True)
    print(run.stdout, end="")
    print(run.stderr, end="", file=sys.stderr)
    if run.returncode != 0:
        print(f"a documented example failed on the file of {gtest}:\n{block}")
        return False
    missing = [e for e in expected if e not in run.stdout]
    if missing:
        print(f"on the file of {gtest}, the example's output lacks {missing}:\n{block}")
        return False
    return True


def check_netcdf_view(path):
    if not have_xarray():
        print("xarray/h5netcdf not installed: netCDF view not checked")
        return True
    import xarray
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
    by_file = {name: [] for name in CASES}
    for block in blocks:
        files = [name for name in CASES if f'"{name}"' in block]
        if len(files) != 1:
            print(f"{doc_path}: a python block must open exactly one of {list(CASES)}:\n{block}")
            return 1
        by_file[files[0]].append(block)
    if len(by_file[BASELINE][0].strip().splitlines()) > 10:
        print(f"{doc_path}: the h5py example must stay within 10 lines")
        return 1

    for name, cases in CASES.items():
        for gtest, expected in cases:
            if len(by_file[name]) != len(expected):
                print(f"{doc_path}: {len(by_file[name])} python blocks read {name}, the test "
                      f"knows what {len(expected)} must print")
                return 1
            with tempfile.TemporaryDirectory(prefix="softpower_h5py_") as tmp:
                subprocess.run([writer_test, f"--gtest_filter={gtest}"],
                               env=dict(os.environ, SOFTPOWER_EXAMPLE_DIR=tmp), check=True,
                               stdout=subprocess.DEVNULL)
                for block, block_expected in zip(by_file[name], expected):
                    if not run_block(block, block_expected, tmp, gtest):
                        return 1
                if gtest == CASES[BASELINE][0][0] and not check_netcdf_view(
                        os.path.join(tmp, BASELINE)):
                    return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

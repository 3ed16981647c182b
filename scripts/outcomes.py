#!/usr/bin/env python3
"""Headline outcomes of result files, one row per file (or per sweep point): reach, reads,
the platform filter's counts, and the soft-power index (peak over all users, over reached users
and over readers, and the all-users time integral), each the mean over runs with its standard error.

usage: /usr/bin/python3 scripts/outcomes.py RESULT.h5 [RESULT.h5 ...] [--json]
"""
import json
import math
import sys

import h5py
import numpy as np


def mean_se(values):
    v = np.asarray([x for x in values if not math.isnan(x)], dtype=float)
    if len(v) == 0:
        return {"mean": math.nan, "se": math.nan}
    se = float(v.std(ddof=1) / math.sqrt(len(v))) if len(v) > 1 else 0.0
    return {"mean": float(v.mean()), "se": se}


def peak(series):
    """Signed value of largest magnitude of each row, NaN ignored."""
    s = np.where(np.isnan(series), 0.0, series)
    idx = np.abs(s).argmax(axis=1)
    return s[np.arange(len(s)), idx]


def outcomes(path):
    with h5py.File(path, "r") as f:
        m = f["metrics"]
        step_days = float(f.attrs["step_hours"]) / 24.0 if "step_hours" in f.attrs else 1.0 / 24.0
        users = None
        row = {"file": path, "runs": int(m["reach_cumulative"].shape[0])}
        total = lambda name: m[name][...].sum(axis=1).astype(float)
        row["reach"] = mean_se(m["reach_cumulative"][:, -1].astype(float))
        for name in ["opens", "shares", "blocked", "taken_down", "shares_filtered", "shares_self_censored", "published"]:
            row[name] = mean_se(total(name))
        if "soft_power_index" in m:
            spi = m["soft_power_index"][...]
            row["spi_peak"] = mean_se(peak(spi))
            row["spi_integral"] = mean_se(np.nansum(spi, axis=1) * step_days)
            if "soft_power_index_reached" in m:
                row["spi_reached_peak"] = mean_se(peak(m["soft_power_index_reached"][...]))
            if "soft_power_index_readers" in m:
                row["spi_readers_peak"] = mean_se(peak(m["soft_power_index_readers"][...]))
        return row


def fmt(x, digits=3):
    return f"{x['mean']:.{digits}g} ± {x['se']:.2g}"


def main(argv):
    as_json = "--json" in argv
    rows = [outcomes(p) for p in argv if p != "--json"]
    if as_json:
        print(json.dumps(rows, indent=1))
        return 0
    cols = ["reach", "opens", "shares", "taken_down", "shares_filtered", "shares_self_censored",
            "spi_peak", "spi_reached_peak", "spi_readers_peak", "spi_integral"]
    print("file\truns\t" + "\t".join(cols))
    for r in rows:
        print(f"{r['file']}\t{r['runs']}\t" + "\t".join(fmt(r[c]) if c in r else "-" for c in cols))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

#!/usr/bin/env python3
"""Reach, reads, shares and the soft-power index fall as the platform filter's strength C rises.

Sweeps scenarios/censorship_strength.yaml (a sensitive topic mix under every filter mechanism)
over C = 0, 0.25, 0.5, 0.75, 1 on a 20,000-user graph for 28 days, 16 replicates per point with
common random numbers (`seeds: common`: replicate r draws the same streams at every C), so the
comparison between strengths is paired. For each outcome, with d the per-replicate difference
between two strengths and se its standard error over the 16 pairs:

- between neighbouring strengths the outcome must not rise: mean d <= 3 se (a one-sided test
  that a true rise of zero fails with probability 0.13%);
- from C = 0 to C = 1 it must fall: mean d < -3 se (the filter has an effect at all).

And exactly: at C = 0 nothing is blocked, taken down, filtered or self-censored.
The readers' index (the effect per reader) is printed, not tested: the filter removes readers,
not the effect of a read, so it has no reason to fall (docs/validation.md).

usage: censorship_response_test.py SOFTPOWER_CLI SOURCE_DIR
"""
import math
import os
import subprocess
import sys
import tempfile

import h5py
import numpy as np

cli, source = sys.argv[1], sys.argv[2]
strengths = [0, 0.25, 0.5, 0.75, 1]
replicates = 16

with open(os.path.join(source, "scenarios", "censorship_strength.yaml")) as f:
    base = "".join(line for line in f if not line.startswith("runs:"))
sweep = f"""
runs: {replicates}
sweep:
  seeds: common
  axes:
    censorship.strength: {strengths}
"""

with tempfile.TemporaryDirectory() as tmp:
    scenario, out = os.path.join(tmp, "response.yaml"), os.path.join(tmp, "response.h5")
    with open(scenario, "w") as f:
        f.write(base + sweep)
    subprocess.run([cli, "sweep", scenario, "--set", "graph.n=20000", "--set", "time.horizon_days=28",
                    "-o", out, "--quiet"], check=True)
    with h5py.File(out, "r") as f:
        m = f["metrics"]
        point = f["params"]["point"][:]
        assert list(f["params"]["censorship.strength"][:][point == 0][:1]) == [0.0]
        step_days = float(f.attrs["step_hours"]) / 24.0
        # Rows are point-major: run = point * replicates + replicate.
        by_point = lambda values: np.asarray(values, dtype=float).reshape(len(strengths), replicates)
        spi = m["soft_power_index"][...]
        outcomes = {
            "final reach": by_point(m["reach_cumulative"][:, -1]),
            "reads": by_point(m["opens"][...].sum(axis=1)),
            "shares": by_point(m["shares"][...].sum(axis=1)),
            "SPI peak, all users": by_point(np.abs(spi).max(axis=1)),
            "SPI integral (attitude days)": by_point(spi.sum(axis=1) * step_days),
            "SPI peak, reached users": by_point(np.nanmax(m["soft_power_index_reached"][...], axis=1)),
        }
        readers = by_point(np.nanmax(m["soft_power_index_readers"][...], axis=1))
        filter_counts = {name: by_point(m[name][...].sum(axis=1))
                         for name in ("blocked", "taken_down", "shares_filtered", "shares_self_censored")}

failures = []


def paired(a, b):
    d = b - a
    return d.mean(), d.std(ddof=1) / math.sqrt(len(d))


for name, y in outcomes.items():
    print(f"{name:30s} means by C: " + "  ".join(f"{v:.4g}" for v in y.mean(axis=1)))
    for k in range(len(strengths) - 1):
        mean, se = paired(y[k], y[k + 1])
        ok = mean <= 3 * se
        print(f"  {'ok  ' if ok else 'FAIL'} C {strengths[k]} -> {strengths[k + 1]}: change {mean:+.4g} (se {se:.2g}) <= 3 se")
        if not ok:
            failures.append(f"{name} rises from C = {strengths[k]} to {strengths[k + 1]}")
    mean, se = paired(y[0], y[-1])
    ok = mean < -3 * se
    print(f"  {'ok  ' if ok else 'FAIL'} C 0 -> 1: change {mean:+.4g} (se {se:.2g}) < -3 se")
    if not ok:
        failures.append(f"{name} does not fall from C = 0 to 1")

for name, counts in filter_counts.items():
    at_zero = counts[0].sum()
    print(f"{name:30s} total at C = 0: {at_zero:.0f}; means by C: " + "  ".join(f"{v:.3g}" for v in counts.mean(axis=1)))
    if at_zero != 0:
        failures.append(f"{name} is not zero at C = 0")
print("info SPI peak, readers          means by C: " + "  ".join(f"{v:.4g}" for v in readers.mean(axis=1)))

if failures:
    print("censorship response:", "; ".join(failures))
    sys.exit(1)

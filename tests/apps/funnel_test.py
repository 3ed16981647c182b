#!/usr/bin/env python3
"""The default scenario reproduces the published engagement funnel (docs/model.md, "Funnel").

Runs scenarios/default.yaml with 32 replicates and scenarios/polito_baseline.yaml as shipped (the
scenario of `make run`, 8 runs of 13 weeks), and checks each figure against its published value
or range (rows P4-P7, P21 and P22 of wechat-parameters.md), widened by 3 standard errors of the
estimate (a ratio estimator over runs, scripts/funnel.py); the ranges are not widened otherwise.

usage: funnel_test.py SOFTPOWER_CLI SOURCE_DIR
"""
import os
import subprocess
import sys
import tempfile

cli, source = sys.argv[1], sys.argv[2]
sys.path.insert(0, os.path.join(source, "scripts"))
from funnel import funnel  # noqa: E402

failures = []


def within(label, name, estimate, low, high):
    lo, hi = low - 3 * estimate["se"], high + 3 * estimate["se"]
    ok = lo <= estimate["value"] <= hi
    print(f"{'ok  ' if ok else 'FAIL'} {name:44s} {estimate['value']:.4f} (se {estimate['se']:.4f}) in [{low}, {high}] +- 3 se")
    if not ok:
        failures.append(f"{label}: {name}")


def check(label, scenario, extra):
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "funnel.h5")
        subprocess.run([cli, "run", os.path.join(source, "scenarios", scenario), *extra, "-o", out, "--quiet"],
                       check=True)
        f = funnel(out)
    print(f"{label} ({scenario} {' '.join(extra)}, {f['runs']} runs, {f['items']} items)")
    within(label, "P4 open rate of followers", f["open_rate"], 0.01, 0.03)
    within(label, "P5 share rate of readers (3.22%)", f["share_rate"], 0.0322, 0.0322)
    within(label, "P6 reads from the push", f["reads_by_channel"]["push"], 0.56, 0.68)
    within(label, "P6 reads from Moments", f["reads_by_channel"]["moments"], 0.06, 0.20)
    within(label, "P6 reads from chats and groups", f["chats_all"], 0.03, 0.08)
    within(label, "P6 reads from Wow / Top Stories", f["reads_by_channel"]["wow"], 0.0, 0.13)
    within(label, "P7 Moments among Moments+chat shares (23%)", f["moments_vs_chat_shares"], 0.23, 0.23)
    # P22 is the removal rate of ordinary content; sensitive topics are removed more often by
    # design (docs/model.md, "Platform filter"), so only ordinary items (s <= 0.1) are compared.
    within(label, "P22 ordinary items taken down", f["takedown_share_ordinary"], 0.0106, 0.0155)
    # P21: most cascades end within one hop. An item's cascade is its push plus the share trees
    # the push readers started; it ends within one hop when nobody read it through a share of a
    # share (depth <= 2). "Most" is a majority, with 3 standard errors to spare.
    shallow = f["items_within_one_share_hop"]
    ok = shallow["value"] - 3 * shallow["se"] > 0.5
    print(f"{'ok  ' if ok else 'FAIL'} {'P21 items ending within one share hop':44s} {shallow['value']:.4f} (se {shallow['se']:.4f}) - 3 se > 0.5")
    if not ok:
        failures.append(f"{label}: P21")
    later = f["later_per_first_hop_share"]
    print(f"info {'shares beyond the first hop per first-hop share':44s} {later['value']:.4f} (se {later['se']:.4f})")
    print(f"info {'all items taken down':44s} {f['takedown_share']['value']:.4f} (se {f['takedown_share']['se']:.4f})")


check("default", "default.yaml", ["--set", "runs=32"])
# The scenario `make run` runs, as shipped (8 runs of 13 weeks).
check("polito_baseline", "polito_baseline.yaml", [])

if failures:
    print("funnel outside the published ranges:", ", ".join(failures))
    sys.exit(1)

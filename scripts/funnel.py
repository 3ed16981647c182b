#!/usr/bin/env python3
"""Engagement funnel of a result file, to compare with the published one (docs/model.md):
open rate of followers (P4), share rate of readers (P5), where reads come from (P6), where
shares go (P7), and how far cascades go (P21). Each figure is pooled over runs (ratio of sums)
with the standard error of a ratio estimator over runs (delta method).

usage: /usr/bin/python3 scripts/funnel.py RESULT.h5 [--json]
"""
import json
import math
import sys

import h5py
import numpy as np
import yaml

CHANNELS = ["push", "moments", "chat", "group", "wow"]


def ratio(numerator, denominator):
    """Pooled ratio R = sum y / sum x of per-run arrays, with the standard error of a ratio
    estimator over runs as clusters (delta method):
    se^2 = sum (y_r - R x_r)^2 / (n (n - 1) mean(x)^2)."""
    y = np.asarray(numerator, dtype=float)
    x = np.asarray(denominator, dtype=float)
    n = len(x)
    if x.sum() == 0:
        return {"value": 0.0, "se": math.inf}
    r = y.sum() / x.sum()
    se = math.sqrt(((y - r * x) ** 2).sum() / (n * (n - 1))) / x.mean() if n > 1 else math.inf
    return {"value": float(r), "se": float(se)}


def per_run_count(items, runs, mask):
    return np.bincount(items["run"][mask].astype(np.int64), minlength=runs)


def funnel(path):
    with h5py.File(path, "r") as f:
        metrics = {name: f["metrics"][name][...].sum(axis=1)
                   for name in f["metrics"] if f["metrics"][name].dtype.kind == "i" and f["metrics"][name].ndim == 2}
        items = f["items"][...]
        runs = int(f.attrs["num_runs"])
        scenario = yaml.safe_load(f["scenario"][()])
    institution = scenario.get("institution", {})
    delivered = items[items["blocked"] == 0]
    per_run = lambda column: np.bincount(delivered["run"].astype(np.int64), weights=delivered[column].astype(float), minlength=runs)
    items_per_run = np.bincount(delivered["run"].astype(np.int64), minlength=runs)
    out = {
        "runs": runs,
        "items": int(len(delivered)),
        "share_rate": ratio(metrics["shares"], metrics["opens"]),
        "reads_by_channel": {c: ratio(metrics["opens_" + c], metrics["opens"]) for c in CHANNELS},
        "chats_all": ratio(metrics["opens_chat"] + metrics["opens_group"], metrics["opens"]),
        "shares_by_channel": {c: ratio(metrics["shares_" + c], metrics["shares"]) for c in CHANNELS[1:]},
        # P7 counts shares to Moments against shares to chats (1:1 and groups).
        "moments_vs_chat_shares": ratio(metrics["shares_moments"],
                                        metrics["shares_moments"] + metrics["shares_chat"] + metrics["shares_group"]),
    }
    if institution.get("placement") == "new":
        out["open_rate"] = ratio(metrics["opens_push"], items_per_run * institution["followers"])
    # P21: an item's cascade is the push plus the share trees it started; "within one hop" of
    # the push readers means nobody read it through a share of a share (depth <= 2).
    shallow = np.bincount(delivered["run"][delivered["depth"] <= 2].astype(np.int64), minlength=runs)
    out["items_within_one_share_hop"] = ratio(shallow, items_per_run)
    # P22 counts articles removed after publication among those published; "ordinary" items
    # (sensitivity <= 0.1) are the baseline P22's 1.06-1.55% describes.
    taken = per_run_count(delivered, runs, delivered["takedown_step"] >= 0)
    out["takedown_share"] = ratio(taken, items_per_run)
    ordinary = delivered["sensitivity"] <= 0.1
    out["takedown_share_ordinary"] = ratio(
        per_run_count(delivered, runs, ordinary & (delivered["takedown_step"] >= 0)),
        per_run_count(delivered, runs, ordinary))
    if "first_hop_shares" in delivered.dtype.names:
        first = per_run("first_hop_shares")
        out["later_per_first_hop_share"] = ratio(per_run("shares") - first, first)
    return out


if __name__ == "__main__":
    result = funnel(sys.argv[1])
    if "--json" in sys.argv:
        print(json.dumps(result))
    else:
        def show(name, r):
            print(f"{name:32s} {r['value']:.4f} ± {r['se']:.4f}")
        for key, value in result.items():
            if isinstance(value, dict) and "value" in value:
                show(key, value)
            elif isinstance(value, dict):
                for k, r in value.items():
                    show(f"{key}.{k}", r)
            else:
                print(f"{key:32s} {value}")

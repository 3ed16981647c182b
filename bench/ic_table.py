#!/usr/bin/python3
"""The side-by-side table of bench/ic_side_by_side.sh, from the per-run records.

Reads the rows cascade_bench and ic_graph_tool.py wrote (case, impl, threads, run, source, size,
seconds, cpu_seconds), and prints, as Markdown, per case: medians and means of the time per
cascade for each implementation and thread count, and the CPUs each actually had; the ratios
issue 11 sets targets for, from medians measured in the same process (engine and bare loop) or
the same bench invocation (graph-tool); and the final sizes. The engine and the bare loop draw
the same random numbers, so their sizes agree run by run (cascade_bench checks it); graph-tool
draws its own, so its sizes can only agree in distribution: means with their standard errors,
and the difference in standard errors.

A supercritical cascade from one vertex either dies out within a few hops or reaches a fixed
fraction of the users, so its time is bimodal. Implementations drawing different numbers land
different runs in each mode, and their medians over every run could compare a large cascade
with a small one; such cases (--large-only) are timed over their large cascades only.

Uses only the standard library, so it runs wherever `make bench` does.
"""
import argparse
import csv
import math
import statistics
import sys
from collections import defaultdict

# Issue 11's targets.
BARE_LIMIT = 1.2        # engine on 1 thread / bare loop, at most
SPEEDUP_TARGET = 1.7    # engine 1 thread / engine 2 threads, at least, supercritical
GRAPH_TOOL_TARGET = 6.0  # graph-tool 2 threads / engine 2 threads, at least
LARGE = 0.05            # a cascade reaching more than this fraction of the users is "large"


def read_records(paths):
    rows = []
    for path in paths:
        with open(path, newline="") as f:
            rows.extend(csv.DictReader(f, delimiter="\t"))
    return rows


def mean_se(values):
    m = statistics.fmean(values)
    se = statistics.stdev(values) / math.sqrt(len(values)) if len(values) > 1 else float("nan")
    return m, se


def fmt_time(s):
    return f"{s * 1e3:.2f} ms" if s < 1 else f"{s:.3f} s"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("records", nargs="+", help="record files (tab-separated)")
    ap.add_argument("--case", action="append", default=[], metavar="NAME=DESCRIPTION",
                    help="cases in table order, with the graph and p they ran on")
    ap.add_argument("--large-only", action="append", default=[], metavar="NAME",
                    help="time only this case's large cascades (a supercritical case, whose small "
                         "outbreaks would otherwise put medians of different implementations in "
                         "different modes)")
    ap.add_argument("--users", type=int, required=True, help="vertices of the graphs (for fractions)")
    ap.add_argument("--supercritical", default="er_p0.2", help="the case the 2-thread target applies to")
    ap.add_argument("--critical", default="er_p0.1", help="the case that must cost milliseconds")
    ap.add_argument("--graph-tool-missing", default="", help="why graph-tool did not run, if it did not")
    args = ap.parse_args()

    rows = read_records(args.records)
    cases = [c.split("=", 1) for c in args.case]
    large_size = LARGE * args.users
    times = defaultdict(list)   # (case, impl, threads) -> wall seconds of the timed runs
    cpus = defaultdict(list)    # (case, impl, threads) -> CPU seconds / wall seconds of those runs
    cpu_time = defaultdict(list)  # (case, impl, threads) -> CPU seconds of those runs
    sizes = defaultdict(list)   # (case, impl, threads) -> final sizes of every run
    by_run = defaultdict(dict)  # (case, run) -> {(impl, threads): seconds}, timed runs only
    for r in rows:
        key = (r["case"], r["impl"], int(r["threads"]))
        size = int(r["size"])
        sizes[key].append(size)
        if r["case"] in args.large_only and size <= large_size:
            continue
        if r["impl"] in ("bare", "engine"):
            by_run[(r["case"], r["run"])][(r["impl"], int(r["threads"]))] = float(r["seconds"])
        times[key].append(float(r["seconds"]))
        cpus[key].append(float(r["cpu_seconds"]) / float(r["seconds"]))
        cpu_time[key].append(float(r["cpu_seconds"]))
    # Per run, the engine's time over the bare loop's and over its own on 2 threads: cascade_bench
    # times them on the same cascade seconds apart, so these ratios do not drift with the
    # machine's load the way medians taken minutes apart do.
    paired = defaultdict(list)  # (case, what) -> ratios of the timed runs
    for (case, _), t in by_run.items():
        if ("engine", 1) in t and ("bare", 1) in t:
            paired[(case, "1t/bare")].append(t[("engine", 1)] / t[("bare", 1)])
        if ("engine", 1) in t and ("engine", 2) in t:
            paired[(case, "1t/2t")].append(t[("engine", 1)] / t[("engine", 2)])
    order = ["bare", "engine", "graph-tool"]
    impls = sorted({(i, t) for (_, i, t) in sizes}, key=lambda k: (order.index(k[0]), k[1]))
    med = {k: statistics.median(v) for k, v in times.items() if v}
    label = lambda i, t: "bare loop" if i == "bare" else f"{i} {t}t"

    out = []
    out.append("Time per cascade: median (mean) over the timed runs, and how many runs were timed. "
               "Cases marked * time only their large cascades (more than "
               f"{LARGE:.0%} of the users); the others, every run.\n")
    out.append("| case | " + " | ".join(label(i, t) for i, t in impls) + " |")
    out.append("|---|" + "---|" * len(impls))
    for name, desc in cases:
        cells = []
        for i, t in impls:
            v = times.get((name, i, t))
            cells.append(f"{fmt_time(statistics.median(v))} ({fmt_time(statistics.fmean(v))}), {len(v)}" if v else "—")
        mark = " *" if name in args.large_only else ""
        out.append(f"| {desc}{mark} | " + " | ".join(cells) + " |")
    if args.graph_tool_missing:
        out.append(f"\ngraph-tool skipped: {args.graph_tool_missing}")

    out.append("\nCPUs the process actually had while timed (its CPU time / wall time, median; the "
               "machine is shared, so a 2-thread run may get less than 2):\n")
    out.append("| case | " + " | ".join(label(i, t) for i, t in impls) + " |")
    out.append("|---|" + "---|" * len(impls))
    for name, desc in cases:
        cells = []
        for i, t in impls:
            v = cpus.get((name, i, t))
            cells.append(f"{statistics.median(v):.2f}" if v else "—")
        out.append(f"| {desc} | " + " | ".join(cells) + " |")
    out.append("\nCPU time the engine spends per cascade on 2 threads over that on 1 (median over the timed "
               "runs): the work a second thread adds (spinning, atomics, merging); near 1, a wall-time "
               "speedup short of 2 comes from CPUs the machine did not give, or from serial parts.\n")
    out.append("| case | engine CPU time 2t / 1t |")
    out.append("|---|---|")
    for name, desc in cases:
        a, b = cpu_time.get((name, "engine", 2)), cpu_time.get((name, "engine", 1))
        out.append(f"| {desc} | {statistics.median(a) / statistics.median(b):.2f} |" if a and b else f"| {desc} | — |")

    out.append("\nRatios of the medians above (targets of issue 11 in brackets):\n")
    out.append("| case | engine 1t / bare (<= 1.2) | engine 1t / engine 2t (>= 1.7 supercritical) "
               "| graph-tool 2t / engine 2t (>= 6) | graph-tool 1t / engine 1t |")
    out.append("|---|---|---|---|---|")
    verdicts = []
    for name, desc in cases:
        def ratio(a, b):
            return med[a] / med[b] if a in med and b in med else None

        r_bare = ratio((name, "engine", 1), (name, "bare", 1))
        r_threads = ratio((name, "engine", 1), (name, "engine", 2))
        r_gt2 = ratio((name, "graph-tool", 2), (name, "engine", 2))
        r_gt1 = ratio((name, "graph-tool", 1), (name, "engine", 1))
        cell = lambda x: f"{x:.2f}" if x is not None else "—"
        out.append(f"| {desc} | {cell(r_bare)} | {cell(r_threads)} | {cell(r_gt2)} | {cell(r_gt1)} |")
        if r_bare is not None:
            verdicts.append(f"{desc}: engine 1t within 1.2x of the bare loop: "
                            f"{'met' if r_bare <= BARE_LIMIT else 'NOT met'} ({r_bare:.2f})")
        if name == args.supercritical and r_threads is not None:
            verdicts.append(f"{desc}: engine 2t at least 1.7x faster than 1t: "
                            f"{'met' if r_threads >= SPEEDUP_TARGET else 'NOT met'} ({r_threads:.2f})")
        if r_gt2 is not None:
            verdicts.append(f"{desc}: at least 6x faster than graph-tool, 2 threads each: "
                            f"{'met' if r_gt2 >= GRAPH_TOOL_TARGET else 'NOT met'} ({r_gt2:.1f})")

    out.append("\nThe same two engine ratios paired: per run (the same cascade, timed seconds apart in one "
               "process), then the median and the range over the timed runs. On a machine whose speed "
               "drifts between minutes these are the steadier figures:\n")
    out.append("| case | engine 1t / bare, per run | engine 1t / engine 2t, per run |")
    out.append("|---|---|---|")
    for name, desc in cases:
        cells = []
        for what in ("1t/bare", "1t/2t"):
            v = paired.get((name, what))
            cells.append(f"{statistics.median(v):.2f} ({min(v):.2f}-{max(v):.2f}), {len(v)}" if v else "—")
        out.append(f"| {desc} | " + " | ".join(cells) + " |")
        v = paired.get((name, "1t/bare"))
        if v:
            verdicts.append(f"{desc}: engine 1t within 1.2x of the bare loop, paired per run: "
                            f"{'met' if statistics.median(v) <= BARE_LIMIT else 'NOT met'} ({statistics.median(v):.2f})")

    out.append("\nFinal size (source included) over every run, mean ± standard error; large = more than "
               f"{LARGE:.0%} of the users. The engine and the bare loop draw the same numbers (equal "
               "sizes, checked run by run); graph-tool draws its own, on each thread count:\n")
    out.append("| case | implementation | runs | mean ± se | large | mean fraction of the large | "
               "difference from the engine / se |")
    out.append("|---|---|---|---|---|---|---|")
    for name, desc in cases:
        ref = sizes.get((name, "bare", 1))
        for i, t in impls:
            if i == "engine":
                continue  # the same sizes as the bare loop
            v = sizes.get((name, i, t))
            if not v:
                continue
            m, se = mean_se(v)
            large = [x / args.users for x in v if x > large_size]
            diff = "—"
            if i != "bare" and ref:
                m0, se0 = mean_se(ref)
                s = math.hypot(se, se0)
                diff = f"{(m - m0) / s:+.2f}" if s > 0 else "0"
            who = "engine = bare loop" if i == "bare" else label(i, t)
            out.append(f"| {desc} | {who} | {len(v)} | {m:.0f} ± {se:.0f} | {len(large)}/{len(v)} | "
                       f"{statistics.fmean(large):.4f} | {diff} |" if large else
                       f"| {desc} | {who} | {len(v)} | {m:.1f} ± {se:.1f} | 0/{len(v)} | — | {diff} |")

    out.append("\nTargets:\n")
    out += [f"- {v}" for v in verdicts]
    for name, desc in cases:
        if name == args.critical:
            for t in (1, 2):
                v = times.get((name, "engine", t))
                if v:
                    out.append(f"- {desc}: engine {t}t costs {fmt_time(statistics.median(v))} median, "
                               f"{fmt_time(statistics.fmean(v))} mean, {fmt_time(max(v))} at most per cascade")
    print("\n".join(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())

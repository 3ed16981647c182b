#!/usr/bin/env python3
"""`softpower report` end to end: the report of a small run, of a small sweep (three swept keys,
more points than bands) and of a shard of a two-key sweep is one well-formed XHTML file
(xmllint --noout) with no external resource, and every figure's SVG holds data paths with
non-empty path data; bad input fails with one clear error and exit code 2, leaving no file.

usage: report_cli_test.py SOFTPOWER_EXE PROJECT_DIR
"""
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

SOFTPOWER, PROJECT = sys.argv[1], Path(sys.argv[2])
SVG = "{http://www.w3.org/2000/svg}"
XHTML = "{http://www.w3.org/1999/xhtml}"
SMALL = ["--set", "graph.n=2000", "--set", "institution.followers=200"]

TWO_KEY_SWEEP = """
name: two_key_sweep
seed: 7
time: {step_hours: 2, horizon_days: 3}
graph: {type: wechat_like, n: 1500, mean_degree: 30, community_size: 300, seed: 3}
institution: {placement: new, followers: 300}
diffusion: {model: wechat_feed}
strategy: {model: posting, push_every_hours: 24, articles_per_push: 2}
censorship: {strength: 0.5, takedown: {}, share_filter: {}}
sweep:
  replicates: 2
  axes:
    censorship.strength: [0, 0.5, 1]
    strategy.articles_per_push: [1, 3]
"""

failures = []


def check(condition, message):
    print(("ok   " if condition else "FAIL ") + message)
    if not condition:
        failures.append(message)


def softpower(*args):
    return subprocess.run([SOFTPOWER, *map(str, args)], capture_output=True, text=True)


def check_report(html, expect_figures, expect_heat_map):
    text = html.read_text(encoding="utf-8")
    lint = subprocess.run(["xmllint", "--noout", str(html)], capture_output=True, text=True)
    check(lint.returncode == 0, f"{html.name} is well-formed XML {lint.stderr.strip()[:300]}")
    check(not re.search(r"(src|href)=\"(https?:)?//", text) and "<script" not in text,
          f"{html.name} loads nothing from outside and has no script")
    root = ET.parse(html).getroot()
    figures = root.findall(f".//{XHTML}figure")
    ids = [f.get("id") for f in figures]
    for expected in expect_figures:
        check(expected in ids, f"{html.name} has figure {expected}")
    check(("sweep_heat_map" in ids) == expect_heat_map, f"{html.name} heat map present: {expect_heat_map}")
    for f in figures:
        svg = f.find(f"{SVG}svg")
        paths = [p for p in svg.iter(f"{SVG}path") if p.get("class") == "data"]
        filled = [p for p in paths if re.search(r"[MLHVhv][-\d.]+", p.get("d", ""))]
        check(svg is not None and svg.find(f"{SVG}title").text, f"{html.name}: {f.get('id')} has a titled svg")
        check(len(filled) > 0, f"{html.name}: {f.get('id')} has {len(filled)} data paths with path data")
    check("Effective scenario" in text and "graph checksum" in text, f"{html.name} shows the provenance")
    return text


with tempfile.TemporaryDirectory() as tmp:
    tmp = Path(tmp)
    # A run: 14 days so that counts are binned per day.
    run = tmp / "run.h5"
    r = softpower("run", PROJECT / "scenarios" / "polito_baseline.yaml", *SMALL, "--set", "time.horizon_days=14",
                  "--set", "runs=3", "-o", run, "--quiet")
    check(r.returncode == 0, f"softpower run {r.stderr.strip()}")
    r = softpower("report", run)
    check(r.returncode == 0 and (tmp / "run.html").exists(), f"report of a run, default output name {r.stdout.strip()} {r.stderr.strip()}")
    text = check_report(tmp / "run.html", ["reach", "opens_by_channel", "shares", "blocked_taken_down",
                                           "filtered_self_censored", "attitude_soft_power", "attitude_by_region",
                                           "attitude_distribution", "attitude_by_community", "cascade_ccdf",
                                           "censorship_funnel", "published_ranges"], False)
    check("not a sweep file" in text, "the run's report notes the heat map left out")
    check("per day" in text, "counts of a two-week run are per day")

    # A sweep of 2 x 2 x 5 points (more than the bands a figure draws) and 2 replicates.
    sweep = tmp / "sweep.h5"
    r = softpower("sweep", PROJECT / "scenarios" / "sweeps" / "strategy_x_censorship.yaml", *SMALL,
                  "--set", "time.horizon_days=4", "--set", "sweep.replicates=2", "-o", sweep, "--quiet")
    check(r.returncode == 0, f"softpower sweep {r.stderr.strip()}")
    out = tmp / "sweep_report.html"
    r = softpower("report", sweep, "-o", out, "--metric", "soft_power_index:peak")
    check(r.returncode == 0, f"report of a sweep with --metric {r.stderr.strip()}")
    text = check_report(out, ["reach", "censorship_funnel", "sweep_heat_map"], True)
    check("peak soft_power_index" in text, "the heat map shows the chosen outcome")
    check(text.count("<tr><td>") >= 20, "the table lists every point")
    check("one band per value of strategy.max_sensitivity" in text, "the grouping of 20 points is explained")

    # A shard of a two-key sweep (6 points, one band each).
    scenario = tmp / "two_key.yaml"
    scenario.write_text(TWO_KEY_SWEEP)
    shard = tmp / "shard.h5"
    r = softpower("sweep", scenario, "--shard", "0/2", "-o", shard, "--quiet")
    check(r.returncode == 0, f"softpower sweep --shard {r.stderr.strip()}")
    shard_file = next(tmp.glob("shard*.h5"))
    r = softpower("report", shard_file, "-o", tmp / "shard.html")
    check(r.returncode == 0, f"report of a shard {r.stderr.strip()}")
    check_report(tmp / "shard.html", ["reach", "sweep_heat_map"], True)

    # PNGs through rsvg-convert, or a clear error without it.
    pngs = tmp / "png"
    r = softpower("report", run, "-o", tmp / "with_png.html", "--png", pngs)
    if shutil.which("rsvg-convert"):
        files = sorted(pngs.glob("*.png"))
        check(r.returncode == 0 and len(files) >= 10, f"--png wrote {len(files)} PNG files {r.stderr.strip()}")
        check(all(f.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" for f in files), "the PNG files are PNG")
    else:
        check(r.returncode == 2 and "librsvg2-bin" in r.stderr, "--png without rsvg-convert names the package")

    # A missing folder is created, with a note (the rule of every writing command).
    r = softpower("report", run, "-o", tmp / "new" / "folder" / "r.html")
    check(r.returncode == 0 and (tmp / "new" / "folder" / "r.html").is_file() and "created folder" in r.stderr,
          f"a missing folder is created with a note: {r.stderr.strip()[:200]}")

    # Bad input: one clear error, exit code 2, no file left behind.
    fifo = tmp / "pipe.html"
    os.mkfifo(fifo)
    before = set(tmp.iterdir())
    bad = [
        (["report", tmp / "missing.h5"], "no such file"),
        (["report", scenario], "not"),
        (["report", run, "--metric", "nonsense"], "reach_cumulative"),
        (["report", run, "-o", run], "is also the result file"),
        (["report", run, "-o", run / "under_a_file.html"], "not a folder"),
        (["report", run, "-o", fifo], "FIFO"),
    ]
    for args, words in bad:
        r = softpower(*args)
        lines = [l for l in r.stderr.splitlines() if l.strip()]
        check(r.returncode == 2 and len(lines) == 1 and words in r.stderr,
              f"{' '.join(map(str, args[1:]))} -> exit {r.returncode}: {r.stderr.strip()[:200]}")
    check(set(tmp.iterdir()) == before, "failed reports leave no file")
    check(stat.S_ISFIFO(os.stat(fifo).st_mode), "the FIFO given as output is still a FIFO")

if failures:
    print(f"{len(failures)} failures")
    sys.exit(1)

#!/usr/bin/env python3
"""Opens reports of a small run and a small sweep in headless Chromium and checks that every
figure rendered: a test-only script, injected into a copy of each report, walks every
figure's <svg>, measures its data paths with getBBox() and writes a JSON verdict into the
DOM, which `chromium --dump-dom` prints. A figure passes with at least one data path of
non-empty box. A negative control (a copy with an extra figure holding no data) must fail,
so that the check is known to be able to fail.

Exits 77 (ctest SKIP_RETURN_CODE) with a message when Chromium is not installed or cannot
start; scripts/install-deps.sh installs Debian's `chromium`.

usage: report_chromium_test.py SOFTPOWER_EXE PROJECT_DIR
"""
import html
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

SOFTPOWER, PROJECT = sys.argv[1], Path(sys.argv[2])
SKIP = 77

PROBE = """<script>
(function () {
  var verdict = [];
  var figures = document.querySelectorAll("figure");
  for (var i = 0; i < figures.length; i++) {
    var svg = figures[i].querySelector("svg");
    var rendered = 0, marks = svg ? svg.querySelectorAll("path.data, rect, polyline") : [];
    for (var j = 0; j < marks.length; j++) {
      if (marks[j].tagName !== "path") continue;
      var box = marks[j].getBBox();
      if (box.width > 0 || box.height > 0) rendered++;
    }
    var outer = svg ? svg.getBoundingClientRect() : {width: 0, height: 0};
    verdict.push({id: figures[i].id, marks: marks.length, rendered: rendered,
                  width: outer.width, height: outer.height});
  }
  var pre = document.createElement("pre");
  pre.id = "render-verdict";
  pre.textContent = JSON.stringify(verdict);
  document.body.appendChild(pre);
})();
</script>"""

EMPTY_FIGURE = ('<figure id="negative_control"><svg xmlns="http://www.w3.org/2000/svg" width="100" '
                'height="50"><title>no data</title><path class="data" d=""/></svg></figure>')


def skip(message):
    print(f"SKIP: {message}")
    sys.exit(SKIP)


def chromium_binary():
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    return None


def dump_dom(browser, page, profile):
    args = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            f"--user-data-dir={profile}", "--dump-dom", page.as_uri()]
    try:
        r = subprocess.run(args, capture_output=True, text=True, timeout=120)
    except subprocess.TimeoutExpired:
        return None, "timed out after 120 s"
    if r.returncode != 0 or "<html" not in r.stdout:
        return None, f"exit {r.returncode}: {r.stderr.strip()[-400:]}"
    return r.stdout, ""


def verdict_of(dom):
    m = re.search(r'<pre id="render-verdict">(.*?)</pre>', dom, re.S)
    return json.loads(html.unescape(m.group(1))) if m else None


def probed_copy(report, target, extra=""):
    text = report.read_text(encoding="utf-8")
    target.write_text(text.replace("</body>", extra + PROBE + "</body>"), encoding="utf-8")
    return target


browser = chromium_binary()
if browser is None:
    skip("chromium is not installed (scripts/install-deps.sh installs Debian's chromium)")

failures = []
with tempfile.TemporaryDirectory() as tmp:
    tmp = Path(tmp)
    reports = []
    run = tmp / "run.h5"
    subprocess.run([SOFTPOWER, "run", PROJECT / "scenarios" / "polito_baseline.yaml", "--set", "graph.n=2000",
                    "--set", "institution.followers=200", "--set", "time.horizon_days=14", "--set", "runs=2",
                    "-o", run, "--quiet"], check=True)
    subprocess.run([SOFTPOWER, "report", run, "-o", tmp / "run.html"], check=True, capture_output=True)
    reports.append(tmp / "run.html")
    sweep = tmp / "sweep.h5"
    subprocess.run([SOFTPOWER, "sweep", PROJECT / "scenarios" / "sweeps" / "strategy_x_censorship.yaml",
                    "--set", "graph.n=2000", "--set", "institution.followers=200", "--set", "time.horizon_days=3",
                    "--set", "sweep.replicates=1", "-o", sweep, "--quiet"], check=True)
    subprocess.run([SOFTPOWER, "report", sweep, "-o", tmp / "sweep.html"], check=True, capture_output=True)
    reports.append(tmp / "sweep.html")

    # The negative control first: if Chromium cannot start at all, skip; if it starts, the
    # empty figure must be reported as not rendered.
    control = probed_copy(reports[0], tmp / "control.html", EMPTY_FIGURE)
    dom, error = dump_dom(browser, control, tmp / "profile-control")
    if dom is None:
        skip(f"chromium cannot start here ({error})")
    verdict = verdict_of(dom)
    if verdict is None:
        print("FAIL the probe script did not run (no verdict in the DOM)")
        sys.exit(1)
    bad = [v["id"] for v in verdict if v["rendered"] == 0]
    ok = bad == ["negative_control"]
    print(f"{'ok  ' if ok else 'FAIL'} negative control: figures without rendered data {bad}")
    if not ok:
        failures.append("negative control")

    for report in reports:
        page = probed_copy(report, tmp / ("probed-" + report.name))
        dom, error = dump_dom(browser, page, tmp / ("profile-" + report.stem))
        if dom is None:
            failures.append(f"{report.name}: chromium failed ({error})")
            continue
        verdict = verdict_of(dom)
        if not verdict:
            failures.append(f"{report.name}: no verdict")
            continue
        for v in verdict:
            ok = v["rendered"] > 0 and v["width"] > 0 and v["height"] > 0
            print(f"{'ok  ' if ok else 'FAIL'} {report.name}: {v['id']}: {v['rendered']} rendered data paths, "
                  f"{v['width']:.0f}x{v['height']:.0f} px")
            if not ok:
                failures.append(f"{report.name}: {v['id']}")

if failures:
    print("not rendered:", ", ".join(failures))
    sys.exit(1)

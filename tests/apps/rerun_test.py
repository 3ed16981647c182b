"""End-to-end tests of `softpower rerun` and of `softpower export` regenerating events.

usage: rerun_test.py SOFTPOWER_EXE PROJECT_DIR [unittest args]

A result file run again from its stored scenario must reproduce every dataset bit for bit: with
any thread count, for single runs, sweeps, shard files and merged files. The tests also check
that rerun can fail: one value changed in a copy of a file (with h5py) must give exit 1 naming
the dataset and run; a changed graph file exit 2 naming the file and both checksums. Exporting a
run recorded without an `export:` section regenerates its events; the GEXF must equal the one
of a run that recorded them.
"""
import os
import shutil
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

import h5py

SOFTPOWER = os.path.abspath(sys.argv[1])
PROJECT = Path(sys.argv[2])

# Feeds, attitudes with snapshots, censorship: every kind of dataset, in a second or two.
SCENARIO = """
name: tiny_rerun
seed: 5
runs: 3
time: {step_hours: 2, horizon_days: 5}
graph: {type: wechat_like, n: 2000, mean_degree: 20, community_size: 200, international_fraction: 0.2, seed: 4}
institution: {placement: new, followers: 300}
strategy: {model: posting, account_type: subscription, push_every_hours: 24, articles_per_push: 2}
diffusion: {model: wechat_feed, share_probability: 0.5}
attitude: {model: bounded_confidence, snapshot_every_hours: 48}
censorship: {strength: 0.5, share_filter: {}, takedown: {}}
"""


def softpower(*args, check=True, **kwargs):
    done = subprocess.run([SOFTPOWER, *map(str, args)], capture_output=True, text=True, **kwargs)
    if check and done.returncode != 0:
        raise AssertionError(f"softpower {' '.join(map(str, args))} failed ({done.returncode}):\n{done.stderr}")
    return done


def files_in(folder):
    return sorted(p.name for p in Path(folder).iterdir())


class RerunTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.dir = Path(cls.tmp.name)
        (cls.dir / "tiny.yaml").write_text(SCENARIO)
        cls.result = cls.dir / "tiny.h5"
        softpower("run", cls.dir / "tiny.yaml", "-o", cls.result, "--threads", "2", "-q")

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def changed_copy(self, name, change):
        copy = self.dir / name
        shutil.copy(self.result, copy)
        with h5py.File(copy, "r+") as f:
            change(f)
        return copy

    def test_an_untouched_file_is_reproduced_with_any_thread_count(self):
        before = (files_in(self.dir), self.result.stat().st_mtime_ns)
        for threads in (1, 2):
            done = softpower("rerun", self.result, "--threads", threads)
            self.assertIn("identical", done.stdout)
            for dataset in ("/params", "/metrics/opens", "/metrics/attitude_mean", "/attitude/snapshots", "/items"):
                self.assertRegex(done.stdout, rf"ok +{dataset} +3 runs")
        # Nothing is written next to the input, and the input is untouched.
        self.assertEqual((files_in(self.dir), self.result.stat().st_mtime_ns), before)

    def test_a_changed_metric_value_fails_naming_dataset_run_and_step(self):
        def change(f):
            f["metrics/opens"][1, 7] += 1
        copy = self.changed_copy("metric.h5", change)
        with h5py.File(self.result, "r") as f:
            stored = int(f["metrics/opens"][1, 7])
        done = softpower("rerun", copy, check=False)
        self.assertEqual(done.returncode, 1, done.stderr)
        self.assertIn(f"/metrics/opens", done.stderr)
        self.assertIn("(run 1)", done.stderr)
        self.assertRegex(done.stdout, rf"DIFFERS +/metrics/opens +run 1, step 7: stored {stored + 1}, recomputed {stored}")
        self.assertRegex(done.stdout, r"ok +/metrics/shares +3 runs")
        # Only the run that differs is named; checking other runs passes.
        softpower("rerun", copy, "--runs", "0,2")
        done = softpower("rerun", copy, "--run", 1, check=False)
        self.assertEqual(done.returncode, 1)

    def test_a_changed_item_snapshot_or_series_fails(self):
        def change(f):
            items = f["items"][:]
            items["reach"][0] += 1
            f["items"][:] = items
            f["attitude/snapshots"][2, 1, 10] += 0.5
            f["metrics/attitude_mean"][0, 3] = -0.0 if f["metrics/attitude_mean"][0, 3] == 0 else 0.0
        done = softpower("rerun", self.changed_copy("items.h5", change), check=False)
        self.assertEqual(done.returncode, 1, done.stderr)
        self.assertRegex(done.stdout, r"DIFFERS +/items +run 0, item 0, reach")
        self.assertRegex(done.stdout, r"DIFFERS +/attitude/snapshots +run 2, snapshot 1, user 10")
        self.assertRegex(done.stdout, r"DIFFERS +/metrics/attitude_mean +run 0, step 3")

    def test_bad_input_exits_2(self):
        text = self.dir / "not-a-result.h5"
        text.write_text("hello\n")
        for args, message in ((["rerun", text], "not-a-result.h5"),
                              (["rerun", self.dir / "missing.h5"], "missing.h5"),
                              (["rerun", self.result, "--runs", "2-5"], "has no run 3"),
                              (["rerun", self.result, "--runs", "x"], "--runs x")):
            done = softpower(*args, check=False)
            self.assertEqual(done.returncode, 2, (args, done.stderr))
            self.assertIn(message, done.stderr)

    def test_a_changed_graph_file_exits_2_naming_file_and_checksums(self):
        edges = self.dir / "edges.txt"
        edges.write_text("".join(f"{i} {(i * 7 + 1) % 300}\n" for i in range(300)))
        scenario = self.dir / "edges.yaml"
        scenario.write_text("name: edges\nruns: 2\ntime: {horizon_days: 2}\ngraph: {type: edge_list, path: edges.txt}\n"
                            "institution: {placement: new, followers: 60}\n")
        result = self.dir / "edges.h5"
        softpower("run", scenario, "-o", result, "-q")
        softpower("rerun", result, cwd="/")  # the scenario's folder is recorded
        with h5py.File(result, "r") as f:
            recorded = f"{int(f.attrs['graph_checksum']):016x}"
        with open(edges, "a") as f:
            f.write("3 150\n")
        done = softpower("rerun", result, check=False)
        self.assertEqual(done.returncode, 2, done.stderr)
        self.assertIn(str(edges), done.stderr)
        self.assertIn(f"recorded {recorded}", done.stderr)
        self.assertRegex(done.stderr, r"checksum [0-9a-f]{16}, recorded")

    def test_sweeps_shards_and_merged_files(self):
        sweep = self.dir / "sweep.yaml"
        sweep.write_text(SCENARIO.replace("horizon_days: 5", "horizon_days: 3")
                         + "export: {}\nsweep: {replicates: 2, axes: {graph.seed: [4, 5], censorship.strength: [0, 1]}}\n")
        single = self.dir / "sweep.h5"
        softpower("sweep", sweep, "-o", single, "--threads", 2, "-q")
        done = softpower("rerun", single, "--sample", 3, "--threads", 1)
        self.assertIn("3 of its 8 runs (runs 0, 3, 7)", done.stdout)
        self.assertRegex(done.stdout, r"ok +/events/reads +3 runs")
        for shard in (0, 1):
            softpower("sweep", sweep, "-o", self.dir / "sweep-{shard}.h5", "--shard", f"{shard}/2", "-q")
        done = softpower("rerun", self.dir / "sweep-1.h5")
        self.assertIn("4 of its 4 runs", done.stdout)
        merged = self.dir / "merged.h5"
        softpower("merge", self.dir / "sweep-0.h5", self.dir / "sweep-1.h5", "-o", merged)
        softpower("rerun", merged, "--runs", "2-5")

        copy = self.dir / "sweep-events.h5"
        shutil.copy(merged, copy)
        with h5py.File(copy, "r+") as f:
            start = int(f["events/read_count"][:5].sum())
            reads = f["events/reads"][start:start + 1]
            reads["step"] += 1
            f["events/reads"][start:start + 1] = reads
            params = f["params"][:]
            params["institution"][6] += 1
            f["params"][:] = params
        done = softpower("rerun", copy, check=False)
        self.assertEqual(done.returncode, 1, done.stderr)
        self.assertIn("/events/reads (run 5)", done.stderr)
        self.assertIn("/params (run 6)", done.stderr)
        self.assertRegex(done.stdout, r"DIFFERS +/params +run 6, institution")

    def test_export_regenerates_the_events_of_a_run_without_them(self):
        with_events = self.dir / "events.yaml"
        with_events.write_text(SCENARIO + "export: {}\n")
        recorded = self.dir / "events.h5"
        softpower("run", with_events, "-o", recorded, "-q")
        for name, args in (("static", []), ("dynamic", ["--dynamic"])):
            a, b = self.dir / f"recorded-{name}.gexf", self.dir / f"regenerated-{name}.gexf"
            softpower("export", recorded, "--run", 2, "--gexf", a, *args)
            done = softpower("export", self.result, "--run", 2, "--gexf", b, *args)
            self.assertIn("regenerating them by running run 2 again", done.stderr)
            self.assertRegex(done.stderr, r"regenerated run 2's events in [0-9.]+ s")
            self.assertEqual(a.read_bytes(), b.read_bytes(), name)
        tree = self.dir / "tree.graphml"
        softpower("export", self.result, "--run", 1, "--cascade", 0, "--graphml", tree, "-q")
        self.assertTrue(tree.exists())

    def test_export_refuses_a_run_that_does_not_reproduce(self):
        def change(f):
            f["metrics/shares"][0, 30] += 2
        copy = self.changed_copy("export-changed.h5", change)
        target = self.dir / "never.gexf"
        done = softpower("export", copy, "--gexf", target, check=False)
        self.assertEqual(done.returncode, 1, done.stderr)
        self.assertIn("does not reproduce the stored run", done.stderr)
        self.assertIn("/metrics/shares step 30", done.stderr)
        self.assertFalse(target.exists())

    def test_a_file_of_format_1_still_reproduces_and_exports(self):
        # Written by softpower 0.1.0, whose graph checksums were FNV-1a (tests/fixtures/format1).
        fixture = PROJECT / "tests" / "fixtures" / "format1" / "result_v1.h5"
        with h5py.File(fixture, "r") as f:
            self.assertEqual(f.attrs["format_version"], 1)
            recorded = int(f.attrs["graph_checksum"])
        done = softpower("rerun", fixture)
        self.assertIn(f"checksum {recorded:016x} reproduced", done.stdout)
        self.assertIn("ok         /events/graph_checksum", done.stdout)
        gexf = self.dir / "format1.gexf"
        softpower("export", fixture, "--run", 1, "--gexf", gexf, "-q")
        self.assertIn("<gexf", gexf.read_text()[:400])

        def change(f):
            checksums = f["events/graph_checksum"]
            checksums[1] = checksums[1] ^ checksums.dtype.type(1)
        copy = self.dir / "format1-changed.h5"
        shutil.copy(fixture, copy)
        with h5py.File(copy, "r+") as f:
            change(f)
        done = softpower("rerun", copy, check=False)
        self.assertEqual(done.returncode, 1, done.stderr + done.stdout)
        self.assertIn("/events/graph_checksum", done.stdout + done.stderr)


if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0], *sys.argv[3:]], verbosity=2)

"""End-to-end tests of `softpower export` and of the scenario's `export:` section.

usage: export_test.py SOFTPOWER_EXE PROJECT_DIR [unittest args]

A small run records events; every file exported from it (GEXF 1.3 and 1.2draft, static and
dynamic, GraphML, samples, cascade trees) must validate against the GEXF schemas and read back in
NetworkX with the counts and values the result file holds (read with h5py). Bad input must give
one clear error and no file; a full disk must leave neither the file nor its .partial.
"""
import os
import re
import resource
import signal
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

import h5py
import networkx as nx
import numpy as np

SOFTPOWER = os.path.abspath(sys.argv[1])
PROJECT = Path(sys.argv[2])
SCHEMAS = PROJECT / "viz_export" / "schemas"

# Feeds, attitudes with snapshots, censorship: every attribute of the export has values.
SCENARIO = """
name: tiny_export
seed: 11
runs: 2
time: {step_hours: 1, horizon_days: 6}
graph: {type: wechat_like, n: 1500, mean_degree: 12, community_size: 100, international_fraction: 0.2, seed: 2}
institution: {placement: new, followers: 400}
strategy: {model: posting, account_type: subscription, push_every_hours: 24, articles_per_push: 2}
diffusion: {model: wechat_feed, share_probability: 0.5}
attitude: {model: bounded_confidence}
censorship: {strength: 0.5, share_filter: {}, self_censorship: {}}
export: {run: 1, gexf: net.gexf, graphml: net.graphml, cascades: 2}
"""


def run(*args, check=True, **kwargs):
    done = subprocess.run([SOFTPOWER, *map(str, args)], capture_output=True, text=True, **kwargs)
    if check and done.returncode != 0:
        raise AssertionError(f"softpower {' '.join(map(str, args))} failed ({done.returncode}):\n{done.stderr}")
    return done


def xmllint(*args):
    return subprocess.run(["xmllint", "--noout", *map(str, args)], capture_output=True, text=True)


def strip_viz(path, out):
    # The 1.2draft schema rejects viz:* elements although the 1.2draft spec defines them
    # (viz_export/schemas/README.txt); validate the rest of the document without them.
    text = Path(path).read_text(encoding="utf-8")
    text = re.sub(r"<viz:[a-z]+ [^>]*/>", "", text)
    Path(out).write_text(text, encoding="utf-8")


def validate_gexf(test, path):
    text = Path(path).read_text(encoding="utf-8")
    if 'version="1.3"' in text:
        test.assertIn('xmlns="http://gexf.net/1.3"', text)
        test.assertNotIn("schemaLocation", text)
        done = xmllint("--relaxng", SCHEMAS / "1.3" / "gexf.rng", path)
    else:
        test.assertIn('xmlns="http://www.gexf.net/1.2draft"', text)
        stripped = str(path) + ".noviz"
        strip_viz(path, stripped)
        done = xmllint("--relaxng", SCHEMAS / "1.2draft" / "gexf.rng", stripped)
    test.assertEqual(done.returncode, 0, f"{path}: {done.stderr[-2000:]}")


class ExportTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.dir = Path(cls.tmp.name)
        (cls.dir / "tiny.yaml").write_text(SCENARIO)
        cls.result = cls.dir / "out" / "tiny.h5"
        cls.run_output = run("run", cls.dir / "tiny.yaml", "-o", cls.result, "--threads", "2")
        with h5py.File(cls.result, "r") as f:
            cls.num_vertices = int(f.attrs["num_vertices"])
            cls.num_arcs = int(f.attrs["num_arcs"])
            cls.num_users = f["events/attitude_final"].shape[1]
            row = list(f["params"]["run"]).index(1)
            cls.first_exposure = f["events/first_exposure"][row]
            cls.attitude_final = f["events/attitude_final"][row]
            counts = f["events/read_count"][:]
            start = int(counts[:row].sum())
            cls.reads = f["events/reads"][start:start + int(counts[row])]
            items = f["items"][:]
            cls.items = items[items["run"] == 1]

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def export(self, name, *args):
        path = self.dir / name
        option = "--graphml" if name.endswith(".graphml") else "--gexf"
        run("export", self.result, "--run", 1, option, path, *args)
        return path

    def expected_counts(self):
        reads = np.bincount(self.reads["user"], minlength=self.num_vertices)
        shared = np.isin(self.reads["outcome"], [1, 2])
        shares = np.bincount(self.reads["user"][shared], minlength=self.num_vertices)
        parents = self.reads["parent"]
        passed_on = np.bincount(parents[parents < self.num_vertices], minlength=self.num_vertices)
        return reads, shares, passed_on

    def check_network(self, g, dynamic=False):
        self.assertEqual(g.number_of_nodes(), self.num_vertices)
        self.assertEqual(g.number_of_edges(), self.num_arcs)
        reads, shares, passed_on = self.expected_counts()
        for v in range(self.num_vertices):
            node = g.nodes[str(v)]
            if not dynamic:
                self.assertEqual(node["first_exposure"], self.first_exposure[v])
            self.assertEqual(node["reads"], reads[v])
            self.assertEqual(node["shares"], shares[v])
            self.assertEqual(node["passed_on"], passed_on[v])
            if v < self.num_users:
                self.assertEqual(node["attitude_final"], float(self.attitude_final[v]))
                self.assertIn(node["region"], ("domestic", "international"))
            else:
                self.assertEqual(node["role"], "institution")
        # Arc weights: 1 + reads carried; the carried reads add up to the reads credited along arcs.
        carried = sum(d["weight"] - 1 for _, _, d in g.edges(data=True))
        self.assertGreater(carried, 0)
        self.assertLessEqual(carried, len(self.reads))

    def test_run_writes_the_files_of_its_export_section(self):
        out = self.result.parent
        self.assertIn("wrote", self.run_output.stderr)
        for name in ("net.gexf", "net.graphml"):
            self.assertTrue((out / name).exists(), name)
        trees = sorted(out.glob("net.cascade-*.gexf"))
        self.assertEqual(len(trees), 2)
        self.assertEqual(len(sorted(out.glob("net.cascade-*.graphml"))), 2)
        # The two items of largest reach.
        top = sorted(self.items, key=lambda i: (-int(i["reach"]), -int(i["reads"]), int(i["item"])))[:2]
        self.assertEqual({int(re.search(r"cascade-(\d+)", t.name).group(1)) for t in trees},
                         {int(i["item"]) for i in top})
        for path in [out / "net.gexf", *trees]:
            validate_gexf(self, path)
        self.assertEqual(list(out.glob("*.partial")), [])

    def test_static_gexf_1_2draft_and_graphml_read_back_in_networkx(self):
        g12 = nx.read_gexf(self.export("static12.gexf", "--gexf-version", "1.2draft"))
        validate_gexf(self, self.dir / "static12.gexf")
        self.check_network(g12)
        gml = nx.read_graphml(self.export("static.graphml"))
        self.check_network(gml)
        validate_gexf(self, self.export("static13.gexf"))

    def test_dynamic_gexf_carries_awareness_over_time(self):
        validate_gexf(self, self.export("dyn13.gexf", "--dynamic"))
        path = self.export("dyn12.gexf", "--dynamic", "--gexf-version", "1.2draft")
        validate_gexf(self, path)
        g = nx.read_gexf(path)
        self.check_network(g, dynamic=True)
        checked = 0
        for v in range(self.num_users):
            first = int(self.first_exposure[v])
            aware = g.nodes[str(v)]["aware"]  # NetworkX: [(value, start, end), ...]
            became = [start for value, start, _ in aware if value]
            if first < 0:
                self.assertEqual(became, [])
            else:
                self.assertEqual([int(float(s)) for s in became], [first])
                checked += 1
        self.assertGreater(checked, 100)

    def test_samples_keep_the_arcs_between_their_vertices(self):
        institution = self.num_vertices - 1
        for args, limit in ((["--sample", "ego", "--depth", "1"], 401),
                            (["--sample", "top_items", "--top-items", "2"], None),
                            (["--sample", "k_core", "--k", "8"], None),
                            (["--sample", "random", "--vertices", "300"], 301)):
            name = f"sample-{args[1]}.gexf"
            path = self.export(name, *args, "--gexf-version", "1.2draft")
            validate_gexf(self, path)
            g = nx.read_gexf(path)
            self.assertIn(str(institution), g)
            if limit:
                self.assertEqual(g.number_of_nodes(), limit, args)
            self.assertLess(g.number_of_nodes(), self.num_vertices, args)
            self.assertGreater(g.number_of_edges(), 0, args)
        ego = nx.read_gexf(self.dir / "sample-ego.gexf")
        self.assertEqual(set(ego.successors(str(institution))), set(ego.nodes) - {str(institution)})

    def test_cascade_tree_is_who_passed_it_to_whom(self):
        item = int(max(self.items, key=lambda i: int(i["reach"]))["item"])
        rows = self.reads[self.reads["item"] == item]
        path = self.export("tree.graphml", "--cascade", item)
        tree = nx.read_graphml(path)
        self.assertEqual(tree.number_of_edges(), len(rows))
        self.assertEqual({(str(r["parent"]), str(r["user"])) for r in rows}, set(tree.edges()))
        for r in rows:
            self.assertEqual(tree.nodes[str(r["user"])]["step"], r["step"])
        self.assertTrue(nx.is_forest(tree.to_undirected()))
        for name, extra in (("tree13.gexf", []), ("tree12.gexf", ["--gexf-version", "1.2draft"]),
                            ("treedyn.gexf", ["--dynamic"])):
            validate_gexf(self, self.export(name, "--cascade", item, *extra))

    def test_export_is_deterministic(self):
        a = self.export("again-a.gexf", "--dynamic").read_bytes()
        b = self.export("again-b.gexf", "--dynamic").read_bytes()
        self.assertEqual(a, b)

    def test_bad_input_is_one_clear_error(self):
        cases = [
            (["--run", 7, "--gexf", self.dir / "x.gexf"], "has no run 7"),
            (["--run", 1, "--gexf", self.dir / "x.txt"], "--gexf: " + str(self.dir / "x.txt") + " is not a .gexf file"),
            (["--run", 1, "--graphml", self.dir / "x.gexf"], "--graphml: " + str(self.dir / "x.gexf") + " is not a .graphml file"),
            (["--run", 1], "give --gexf FILE"),
            (["--run", 1, "--cascade", 9999, "--gexf", self.dir / "x.gexf"], "has no item 9999"),
        ]
        for args, message in cases:
            done = run("export", self.result, *args, check=False)
            self.assertEqual(done.returncode, 2, done.stderr)
            self.assertIn(message, done.stderr)
            self.assertEqual(done.stderr.count("error"), 1, done.stderr)
        self.assertFalse((self.dir / "x.gexf").exists())
        # A scenario's export section is checked before the run, naming the scenario and key.
        done = run("run", self.dir / "tiny.yaml", "--set", "export.graphml=g.gexf", "-o", self.dir / "never.h5",
                   check=False)
        self.assertEqual(done.returncode, 2, done.stderr)
        self.assertIn(f"{self.dir / 'tiny.yaml'}: export.graphml: g.gexf is not a .graphml file", done.stderr)
        self.assertFalse((self.dir / "never.h5").exists())

    def test_a_file_without_events_has_them_regenerated(self):
        # tests/apps/rerun_test.py checks that the files equal those of a run that recorded events.
        plain = self.dir / "plain.yaml"
        plain.write_text(SCENARIO.replace("export: {run: 1, gexf: net.gexf, graphml: net.graphml, cascades: 2}", "")
                         .replace("runs: 2", "runs: 1").replace("horizon_days: 6", "horizon_days: 1"))
        result = self.dir / "plain.h5"
        run("run", plain, "-o", result, "-q")
        done = run("export", result, "--gexf", self.dir / "plain.gexf")
        self.assertIn("holds no per-user events", done.stderr)
        self.assertIn("regenerated run 0's events", done.stderr)
        validate_gexf(self, self.dir / "plain.gexf")

    def test_a_changed_graph_file_is_refused(self):
        edges = self.dir / "edges.txt"
        edges.write_text("".join(f"{i} {(i * 7 + 1) % 200}\n" for i in range(200)))
        scenario = self.dir / "edges.yaml"
        scenario.write_text("name: edges\ntime: {horizon_days: 1}\ngraph: {type: edge_list, path: edges.txt}\n"
                            "institution: {placement: new, followers: 50}\nexport: {}\n")
        result = self.dir / "edges.h5"
        # A scenario named without a folder: its folder is the working directory.
        run("run", scenario.name, "-o", result, "-q", cwd=self.dir)
        # The folder of the scenario is recorded: export works from any working directory.
        run("export", result, "--gexf", self.dir / "edges.gexf", cwd="/")
        with open(edges, "a") as f:
            f.write("3 150\n")
        done = run("export", result, "--gexf", self.dir / "edges2.gexf", check=False)
        self.assertEqual(done.returncode, 2, done.stderr)
        self.assertIn("is not the graph run 0 ran on", done.stderr)
        self.assertFalse((self.dir / "edges2.gexf").exists())

    def test_sweep_events_survive_threads_shards_and_merge_and_export(self):
        # Two graphs (graph.seed is swept), so export must rebuild the right one for each point.
        sweep = self.dir / "sweep.yaml"
        sweep.write_text(SCENARIO.replace("export: {run: 1, gexf: net.gexf, graphml: net.graphml, cascades: 2}",
                                          "export: {}\nsweep: {replicates: 2, axes: {graph.seed: [2, 3]}}")
                         .replace("horizon_days: 6", "horizon_days: 3"))
        single = self.dir / "sweep-single.h5"
        run("sweep", sweep, "-o", single, "--threads", "1", "-q")
        for shard in (0, 1):
            run("sweep", sweep, "-o", self.dir / "sweep-{shard}.h5", "--shard", f"{shard}/2", "--threads", "2", "-q")
        merged = self.dir / "sweep-merged.h5"
        run("merge", self.dir / "sweep-0.h5", self.dir / "sweep-1.h5", "-o", merged)
        compare = subprocess.run([sys.executable, PROJECT / "tests" / "apps" / "compare_results.py", single, merged],
                                 capture_output=True, text=True)
        self.assertEqual(compare.returncode, 0, compare.stdout + compare.stderr)
        with h5py.File(merged, "r") as f:
            self.assertEqual(f["events/read_count"].shape, (4,))
            checksums = f["events/graph_checksum"][:]
        self.assertEqual(checksums[0], checksums[1])
        self.assertNotEqual(checksums[1], checksums[2])
        for run_id in (0, 3):
            path = self.dir / f"sweep-run{run_id}.gexf"
            run("export", merged, "--run", run_id, "--gexf", path, "--gexf-version", "1.2draft", "-q")
            self.assertEqual(nx.read_gexf(path).number_of_nodes(), 1501)

    def test_a_full_disk_leaves_no_file(self):
        def small_files():
            resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, 64 * 1024))
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # write() fails with EFBIG instead

        target = self.dir / "full.gexf"
        done = subprocess.run([SOFTPOWER, "export", str(self.result), "--run", "1", "--gexf", str(target)],
                              capture_output=True, text=True, preexec_fn=small_files)
        self.assertEqual(done.returncode, 1, done.stderr)
        self.assertIn("full.gexf: cannot write", done.stderr)
        self.assertFalse(target.exists())
        self.assertFalse(Path(str(target) + ".partial").exists())


if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0], *sys.argv[3:]], verbosity=2)

"""End-to-end tests of output paths (issue 15): what every writing command refuses before any
work, how it writes through symlinks, creates missing folders and fails on a full disk.

usage: output_paths_test.py SOFTPOWER_EXE PROJECT_DIR [unittest args]

Safety: nothing here may damage the machine. Devices, FIFOs and sockets under test are made in
a temporary folder (mknod needs root; skipped otherwise). The real /dev/null and /dev/full are
used only by test_dev_full_from_the_issue, only as outputs to be refused, and only after the
same command has refused a FIFO and a device node in the temporary folder; afterwards they must
still be character devices. Every softpower call has a timeout, so an open() of a FIFO fails
the test instead of hanging it. The full-disk test mounts a 64 KiB tmpfs (root only) and
unmounts it in a cleanup that always runs.
"""
import os
import socket
import stat
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

SOFTPOWER = sys.argv[1]
PROJECT = Path(sys.argv[2])
TIMEOUT = 120  # seconds; a blocked open() of a FIFO would otherwise hang forever

SMALL = """name: small
seed: 3
runs: 2
time: {horizon_days: 1}
graph: {type: erdos_renyi, n: 2000, mean_degree: 10, seed: 2}
institution: {placement: new, followers: 200}
strategy: {account_type: subscription, first_push_hour: 1, push_every_hours: 12}
diffusion: {open_probability: 0.1, share_probability: 0.5, activity: 0.8}
"""

SWEEP = SMALL.replace("runs: 2\n", "") + "sweep:\n  replicates: 2\n  axes:\n    censorship.strength: [0, 1]\n"

EDGES = "# friends\n0 1\n1 2\n2 3\n3 0\n0 2\n"


def softpower(*args, cwd=None):
    return subprocess.run([SOFTPOWER, *map(str, args)], capture_output=True, text=True, timeout=TIMEOUT, cwd=cwd)


def kind(path):
    """What `path` is, symlinks not followed: 'file', 'dir', 'fifo', 'chr', 'link', 'sock', None."""
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return None
    for test, name in ((stat.S_ISLNK, "link"), (stat.S_ISREG, "file"), (stat.S_ISDIR, "dir"),
                       (stat.S_ISFIFO, "fifo"), (stat.S_ISCHR, "chr"), (stat.S_ISSOCK, "sock")):
        if test(mode):
            return name
    return "other"


class OutputPathsTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="softpower_outpaths_")
        self.dir = Path(self.tmp.name)
        self.scenario = self.dir / "small.yaml"
        self.scenario.write_text(SMALL)
        self.addCleanup(self.tmp.cleanup)

    # ---- helpers -------------------------------------------------------------------------

    def assertRefused(self, proc, *words):
        """Exit 2 with a message naming each of `words` (the path, what it is)."""
        self.assertEqual(proc.returncode, 2, proc.stdout + proc.stderr)
        for w in words:
            self.assertIn(str(w), proc.stderr)

    def assertNoPartials(self):
        left = sorted(p.name for p in self.dir.rglob("*.partial"))
        self.assertEqual(left, [], "a .partial file was left behind")

    def fifo(self, name):
        path = self.dir / name
        os.mkfifo(path)
        return path

    def device(self, name):
        """A character device node like /dev/null, in the temporary folder (root only)."""
        path = self.dir / name
        try:
            os.mknod(path, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
        except (PermissionError, OSError) as e:
            self.skipTest(f"cannot mknod a character device here ({e})")
        return path

    def result(self, name="r.h5"):
        out = self.dir / name
        proc = softpower("run", self.scenario, "-q", "-o", out)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        return out

    def shards(self):
        sweep = self.dir / "sweep.yaml"
        sweep.write_text(SWEEP)
        files = []
        for k in range(2):
            out = self.dir / f"s{k}.h5"
            proc = softpower("sweep", sweep, "-q", "--shard", f"{k}/2", "-o", self.dir / "s{shard}.h5")
            self.assertEqual(proc.returncode, 0, proc.stderr)
            files.append(out)
        return files

    def writing_commands(self, out):
        """Every command that writes, each writing `out`: (name, argv)."""
        edges = self.dir / "edges.txt"
        edges.write_text(EDGES)
        sweep = self.dir / "sweep.yaml"
        sweep.write_text(SWEEP)
        return [
            ("run", ["run", self.scenario, "-o", out]),
            ("sweep", ["sweep", sweep, "-o", out]),
            ("graph generate", ["graph", "generate", "--set", "graph.n=500", "-o", out]),
            ("graph import", ["graph", "import", edges, "-o", out]),
        ]

    # ---- non-regular outputs -------------------------------------------------------------

    def test_fifo_output_is_refused_without_opening_it(self):
        fifo = self.fifo("out.h5")
        for name, argv in self.writing_commands(fifo):
            with self.subTest(command=name):
                self.assertRefused(softpower(*argv), fifo, "FIFO")
                self.assertEqual(kind(fifo), "fifo")
        s0, s1 = self.shards()
        self.assertRefused(softpower("merge", s0, s1, "-o", fifo), fifo, "FIFO")
        gexf = self.fifo("net.gexf")
        self.assertRefused(softpower("export", self.result(), "--gexf", gexf), gexf, "FIFO")
        self.assertEqual(kind(gexf), "fifo")
        self.assertNoPartials()

    def test_directory_output_is_refused(self):
        folder = self.dir / "a_folder"
        folder.mkdir()
        (folder / "keep").write_text("x")
        for name, argv in self.writing_commands(folder):
            with self.subTest(command=name):
                self.assertRefused(softpower(*argv), folder, "a folder")
        s0, s1 = self.shards()
        self.assertRefused(softpower("merge", s0, s1, "-o", folder), folder, "a folder")
        self.assertEqual(sorted(p.name for p in folder.iterdir()), ["keep"])
        self.assertRefused(softpower("run", self.scenario, "-o", str(self.dir) + "/"), "names a folder")

    def test_character_device_output_is_refused_and_stays_a_device(self):
        node = self.device("null")
        for name, argv in self.writing_commands(node):
            with self.subTest(command=name):
                self.assertRefused(softpower(*argv), node, "character device")
                self.assertEqual(kind(node), "chr")
        gexf = self.device("net.gexf")
        self.assertRefused(softpower("export", self.result(), "--gexf", gexf), gexf, "character device")
        self.assertEqual(kind(gexf), "chr")

    def test_socket_output_is_refused(self):
        path = self.dir / "s.h5"
        with socket.socket(socket.AF_UNIX) as s:
            s.bind(str(path))
            self.assertRefused(softpower("run", self.scenario, "-o", path), path, "socket")
            self.assertEqual(kind(path), "sock")

    def test_dev_full_from_the_issue(self):
        # The same command must first refuse safe stand-ins in the temporary folder: if it did
        # not, /dev/full is never put at risk.
        args = ["run", PROJECT / "scenarios/validation/independent_cascade.yaml", "--set", "graph.n=20000",
                "--set", "runs=2", "-o"]
        self.assertRefused(softpower(*args, self.fifo("stand_in")), "FIFO")
        self.assertRefused(softpower(*args, self.device("stand_in_chr")), "character device")
        for dev in ("/dev/full", "/dev/null"):
            if kind(dev) != "chr":
                self.skipTest(f"{dev} is not a character device on this machine")
            with self.subTest(device=dev):
                self.assertRefused(softpower(*args, dev), dev, "character device")
                self.assertEqual(kind(dev), "chr", f"{dev} is no longer a character device")
                self.assertIsNone(kind(dev + ".partial"))

    def test_partial_name_in_the_way_is_refused(self):
        out = self.dir / "r.h5"
        fifo = self.fifo("r.h5.partial")
        self.assertRefused(softpower("run", self.scenario, "-o", out), fifo, "FIFO")
        self.assertIsNone(kind(out))

    def test_sweep_checkpoint_and_shard_names_are_checked(self):
        sweep = self.dir / "sweep.yaml"
        sweep.write_text(SWEEP)
        out = self.dir / "sw.h5"
        checkpoint = self.fifo("sw.h5.checkpoint")
        self.assertRefused(softpower("sweep", sweep, "--resume", "-o", out), checkpoint, "FIFO")
        shard = self.fifo("sh.shard-1-of-2.h5")
        self.assertRefused(softpower("sweep", sweep, "--shard", "1/2", "-o", self.dir / "sh.h5"), shard, "FIFO")
        self.assertEqual(kind(shard), "fifo")

    # ---- outputs that are inputs ---------------------------------------------------------

    def test_output_equal_to_the_scenario_is_refused_under_any_spelling(self):
        text = self.scenario.read_text()
        sub = self.dir / "sub"
        sub.mkdir()
        moved = sub / "small.yaml"
        self.scenario.rename(moved)
        hard = self.dir / "hard.yaml"
        os.link(moved, hard)
        for spelling in (moved, self.dir / "sub/../sub/small.yaml", hard):
            with self.subTest(output=str(spelling)):
                self.assertRefused(softpower("run", moved, "-o", spelling), "the scenario", spelling)
                self.assertEqual(moved.read_text(), text)
        self.assertRefused(softpower("graph", "generate", moved, "-o", hard), "the scenario")
        self.assertNoPartials()

    def test_output_equal_to_the_graph_file_cache_or_node_table_is_refused(self):
        edges = self.dir / "edges.txt"
        edges.write_text(EDGES)
        nodes = self.dir / "nodes.txt"
        nodes.write_text("id region community\n0 0 0\n1 1 0\n2 0 1\n3 1 1\n")
        self.assertRefused(softpower("graph", "import", edges, "-o", self.dir / "." / "edges.txt"), "the graph file")
        self.assertRefused(softpower("graph", "import", edges, "--nodes", nodes, "-o", nodes), "the node table")
        self.assertEqual(edges.read_text(), EDGES)
        cache = self.dir / "g.h5"
        self.assertEqual(softpower("graph", "import", edges, "-o", cache).returncode, 0)
        scenario = self.dir / "cached.yaml"
        scenario.write_text("graph: {type: cache, path: g.h5}\ninstitution: {placement: fixed, vertex: 0}\n"
                            "strategy: {model: fixed_schedule, hours: [0]}\n")
        before = cache.read_bytes()
        os.link(cache, self.dir / "g_link.h5")
        for spelling in (cache, self.dir / "g_link.h5"):
            self.assertRefused(softpower("run", scenario, "-o", spelling), "the graph cache")
        # A sweep's -o and a graph-generating scenario that reads the cache it would write.
        self.assertRefused(softpower("graph", "generate", scenario, "-o", cache), "the graph cache")
        self.assertEqual(cache.read_bytes(), before)

    def test_merge_output_equal_to_an_input_is_refused(self):
        s0, s1 = self.shards()
        before = s1.read_bytes()
        os.link(s1, self.dir / "s1_link.h5")
        for spelling in (s1, self.dir / "x" / ".." / "s1.h5", self.dir / "s1_link.h5"):
            (self.dir / "x").mkdir(exist_ok=True)
            with self.subTest(output=str(spelling)):
                self.assertRefused(softpower("merge", s0, s1, "-o", spelling), "an input of the merge")
        self.assertEqual(s1.read_bytes(), before)

    def test_export_output_equal_to_the_result_is_refused(self):
        result = self.result("r.gexf")  # a result file with an export extension, as a typo makes
        before = result.read_bytes()
        self.assertRefused(softpower("export", result, "--gexf", result), "the result being exported")
        self.assertEqual(result.read_bytes(), before)

    def test_two_outputs_with_one_name_are_refused(self):
        scenario = self.dir / "exports.yaml"
        scenario.write_text(SMALL + "export: {gexf: r.h5}\n")
        self.assertRefused(softpower("run", scenario, "-o", self.dir / "r.h5"), "export.gexf")

    # ---- symlinks --------------------------------------------------------------------------

    def test_symlink_output_is_written_through_and_stays_a_link(self):
        real = self.dir / "store" / "real.h5"
        real.parent.mkdir()
        real.write_text("an old file, to be replaced")
        link = self.dir / "link.h5"
        link.symlink_to("store/real.h5")  # relative, resolved against the link's folder
        proc = softpower("run", self.scenario, "-q", "-o", link)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(kind(link), "link")
        self.assertEqual(os.readlink(link), "store/real.h5")
        self.assertEqual(real.read_bytes()[:8], b"\x89HDF\r\n\x1a\n")
        self.assertEqual(softpower("info", link).returncode, 0)
        self.assertNoPartials()
        # A dangling link: its target is created.
        dangling = self.dir / "dangling.h5"
        dangling.symlink_to(self.dir / "store" / "new.h5")
        self.assertEqual(softpower("run", self.scenario, "-q", "-o", dangling).returncode, 0)
        self.assertEqual(kind(dangling), "link")
        self.assertEqual(kind(self.dir / "store" / "new.h5"), "file")

    def test_symlink_to_a_fifo_or_a_loop_is_refused(self):
        fifo = self.fifo("pipe")
        link = self.dir / "to_pipe.h5"
        link.symlink_to(fifo)
        self.assertRefused(softpower("run", self.scenario, "-o", link), link, "a symlink to", "FIFO")
        self.assertEqual(kind(link), "link")
        loop = self.dir / "loop.h5"
        loop.symlink_to(self.dir / "loop.h5")
        self.assertRefused(softpower("run", self.scenario, "-o", loop), "symbolic links")

    def test_symlink_to_the_scenario_is_refused(self):
        link = self.dir / "sneaky.h5"
        link.symlink_to(self.scenario)
        self.assertRefused(softpower("run", self.scenario, "-o", link), "the scenario")
        self.assertEqual(self.scenario.read_text(), SMALL)

    def test_export_through_a_symlink(self):
        result = self.result()
        real = self.dir / "real.gexf"
        real.write_text("old")
        link = self.dir / "link.gexf"
        link.symlink_to(real)
        proc = softpower("export", result, "-q", "--gexf", link)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(kind(link), "link")
        self.assertTrue(real.read_text().startswith("<?xml"))

    # ---- folders -------------------------------------------------------------------------

    def test_missing_folder_is_created_with_a_note(self):
        out = self.dir / "new" / "deeper" / "r.h5"
        proc = softpower("run", self.scenario, "-o", out)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertIn(f"softpower: note: created folder {out.parent} for -o {out}", proc.stderr)
        self.assertEqual(kind(out), "file")
        quiet = softpower("run", self.scenario, "-q", "-o", self.dir / "other" / "r.h5")
        self.assertEqual((quiet.returncode, quiet.stderr), (0, ""))
        cache = softpower("graph", "generate", "--set", "graph.n=300", "-o", self.dir / "caches" / "g.h5")
        self.assertIn("created folder", cache.stderr)

    def test_a_file_where_a_folder_should_be_is_refused(self):
        (self.dir / "file").write_text("x")
        self.assertRefused(softpower("run", self.scenario, "-o", self.dir / "file" / "sub" / "r.h5"),
                           self.dir / "file", "not a folder")
        self.assertEqual((self.dir / "file").read_text(), "x")

    # ---- full disk -----------------------------------------------------------------------

    def small_disk(self):
        """A 64 KiB tmpfs, unmounted by a cleanup that always runs; skips unless root can mount."""
        if os.geteuid() != 0:
            self.skipTest("the full-disk test mounts a tmpfs, which needs root")
        mount = self.dir / "small_disk"
        mount.mkdir()
        proc = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mount)],
                              capture_output=True, text=True, timeout=60)
        if proc.returncode != 0:
            self.skipTest(f"cannot mount a tmpfs here: {proc.stderr.strip()}")
        self.addCleanup(subprocess.run, ["umount", "-l", str(mount)], timeout=60)
        return mount

    def test_full_disk_exits_1_naming_the_path_and_leaves_no_final_file(self):
        disk = self.small_disk()
        out = disk / "big.h5"
        proc = softpower("run", PROJECT / "scenarios/validation/independent_cascade.yaml", "-q", "--set",
                         "graph.n=20000", "--set", "runs=8", "-o", out)
        self.assertEqual(proc.returncode, 1, proc.stderr)
        self.assertIn("the disk is full", proc.stderr)
        self.assertIn(f"{out} needs more than", proc.stderr)
        self.assertIn("bytes", proc.stderr)
        self.assertIsNone(kind(out))
        # The .partial is removed to give the space back: nothing resumes from it.
        self.assertIn(f"{out}.partial was removed", proc.stderr)
        self.assertEqual(sorted(os.listdir(disk)), [])
        # A sweep: the same, and its checkpoint folder stays for --resume.
        sweep = self.dir / "big_sweep.yaml"
        sweep.write_text((PROJECT / "scenarios/validation/independent_cascade.yaml").read_text())
        out = disk / "sweep.h5"
        proc = softpower("sweep", sweep, "-q", "--set", "graph.n=20000", "--set", "runs=8", "-o", out)
        self.assertEqual(proc.returncode, 1, proc.stderr)
        self.assertIn("the disk is full", proc.stderr)
        self.assertIsNone(kind(out))
        self.assertIsNone(kind(f"{out}.partial"))
        subprocess.run(["rm", "-rf", f"{out}.checkpoint"], check=True, timeout=60)
        # A graph cache and an export file.
        cache = disk / "g.h5"
        proc = softpower("graph", "generate", "--set", "graph.n=20000", "-o", cache)
        self.assertEqual(proc.returncode, 1, proc.stderr)
        self.assertIn("the disk is full", proc.stderr)
        self.assertIn(str(cache), proc.stderr)
        self.assertIsNone(kind(cache))
        self.assertIsNone(kind(f"{cache}.partial"))
        result = self.result()
        gexf = disk / "net.gexf"
        proc = softpower("export", result, "-q", "--gexf", gexf)
        self.assertEqual(proc.returncode, 1, proc.stderr)
        self.assertIn("the disk is full", proc.stderr)
        self.assertIn(str(gexf), proc.stderr)
        self.assertEqual(sorted(os.listdir(disk)), [])


if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0], *sys.argv[3:]])

"""End-to-end tests of `softpower sweep` and `softpower merge` on a real process.

usage: sweep_test.py SOFTPOWER_EXE PROJECT_DIR [unittest args]

The sweep's result must not depend on how it was executed: thread count, shards (merged),
or an interruption (SIGKILL at any moment, SIGTERM, SIGUSR1) followed by --resume. Every
comparison is of every dataset, bit for bit (tests/apps/compare_results.py).
"""
import os
import signal
import subprocess
import sys
import tempfile
import time
import unittest
from pathlib import Path

import h5py
import numpy as np

SOFTPOWER = sys.argv[1]
PROJECT = Path(sys.argv[2])
COMPARE = PROJECT / "tests" / "apps" / "compare_results.py"
INTERRUPTED = 75  # apps/stop_signals.hpp: kExitInterrupted
# mpiexec of the build's MPI; empty without MPI. Ranks may exceed cores (--oversubscribe), and
# root may run them (--allow-run-as-root, harmless for other users).
MPIEXEC = os.environ.get("SOFTPOWER_MPIEXEC", "")


def mpirun(ranks):
    return [MPIEXEC, "--allow-run-as-root", "--oversubscribe", "-n", str(ranks)]


# The interrupted sweeps: long enough (several seconds) to be caught between checkpoints.
LONG_DAYS, LONG_REPLICATES = 28, 8

# Small enough for seconds, rich enough to exercise every dataset: feeds, attitudes with
# snapshots, censorship, items.
SCENARIO = """
name: tiny_sweep
seed: 7
runs: 3
time: {{step_hours: 2, horizon_days: {days}}}
graph: {{type: wechat_like, n: 3000, mean_degree: 30, community_size: 300, seed: 3}}
institution: {{placement: new, followers: 400}}
diffusion: {{model: wechat_feed}}
attitude: {{model: bounded_confidence, snapshot_every_hours: 168}}
strategy:
  model: posting
  push_every_hours: 24
  articles_per_push: 2
censorship:
  strength: 0.5
  takedown: {{}}
  share_filter: {{}}
sweep:
  replicates: {replicates}
  axes:
    censorship.strength: [0, 0.5, 1]
    strategy.articles_per_push: {{from: 1, to: 3, step: 2}}
"""


def write_scenario(folder, days=7, replicates=3):
    path = Path(folder) / "tiny_sweep.yaml"
    path.write_text(SCENARIO.format(days=days, replicates=replicates))
    return path


def softpower(*args, check=True, **kwargs):
    proc = subprocess.run([SOFTPOWER, *map(str, args)], capture_output=True, text=True, **kwargs)
    if check and proc.returncode != 0:
        raise AssertionError(f"softpower {' '.join(map(str, args))} exited {proc.returncode}:\n{proc.stderr}")
    return proc


def identical(a, b):
    proc = subprocess.run(["/usr/bin/python3", str(COMPARE), str(a), str(b)], capture_output=True, text=True)
    return proc.returncode == 0, proc.stdout + proc.stderr


class SweepTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = Path(self.tmp.name)

    def tearDown(self):
        self.tmp.cleanup()

    def assertIdentical(self, a, b):
        same, message = identical(a, b)
        self.assertTrue(same, message)

    def test_params_table_lists_points_replicates_and_swept_values(self):
        scenario = write_scenario(self.dir)
        out = self.dir / "one.h5"
        softpower("sweep", scenario, "-o", out, "--threads", "2", "-q")
        with h5py.File(out, "r") as f:
            params = f["params"][()]
            self.assertEqual(list(params["run"]), list(range(18)))
            self.assertEqual(list(params["point"]), [r // 3 for r in range(18)])
            self.assertEqual(list(params["replicate"]), [r % 3 for r in range(18)])
            # factorial, first axis slowest
            self.assertEqual(list(params["censorship.strength"][::3]), [0, 0, 0.5, 0.5, 1, 1])
            self.assertEqual(list(params["strategy.articles_per_push"][::3]), [1, 3, 1, 3, 1, 3])
            self.assertEqual(f["metrics/reach_cumulative"].shape[0], 18)
            self.assertEqual(f.attrs["sweep_runs"], 18)
            # replicates differ (independent seeds), and stronger censorship never helps reach
            reach = f["metrics/reach_cumulative"][:, -1]
            self.assertGreater(len(set(reach[:3])), 1)
        self.assertFalse(Path(str(out) + ".checkpoint").exists())
        self.assertFalse(Path(str(out) + ".partial").exists())

    def test_same_datasets_with_one_and_two_threads_and_three_merged_shards(self):
        scenario = write_scenario(self.dir)
        one, two = self.dir / "t1.h5", self.dir / "t2.h5"
        softpower("sweep", scenario, "-o", one, "--threads", "1", "-q")
        softpower("sweep", scenario, "-o", two, "--threads", "2", "-q")
        self.assertIdentical(one, two)
        for k in range(3):
            softpower("sweep", scenario, "-o", self.dir / "s.h5", "--shard", f"{k}/3", "-q")
        shards = sorted(self.dir.glob("s.shard-*-of-3.h5"))
        self.assertEqual(len(shards), 3)
        with h5py.File(shards[1], "r") as f:
            self.assertEqual(list(f["params"]["run"]), list(range(1, 18, 3)))
        merged = self.dir / "merged.h5"
        softpower("merge", *shards, "-o", merged)
        self.assertIdentical(one, merged)

    def test_slurm_array_variables_choose_the_shard(self):
        scenario = write_scenario(self.dir)
        env = dict(os.environ, SLURM_ARRAY_TASK_ID="5", SLURM_ARRAY_TASK_MIN="4",
                   SLURM_ARRAY_TASK_MAX="5", SLURM_ARRAY_TASK_COUNT="2")
        softpower("sweep", scenario, "-o", self.dir / "x.h5", "-q", env=env)
        with h5py.File(self.dir / "x.shard-1-of-2.h5", "r") as f:
            self.assertEqual(list(f["params"]["run"]), list(range(1, 18, 2)))
            self.assertEqual(f.attrs["shard"], 1)
            self.assertEqual(f.attrs["num_shards"], 2)

    def test_bad_shards_are_input_errors(self):
        scenario = write_scenario(self.dir)
        cases = [
            (["--shard", "3/3"], {}, "0 <= K < N"),
            (["--shard", "1"], {}, "expected K/N"),
            (["--shard", "0/19"], {}, "only 18 runs"),
            ([], {"SLURM_ARRAY_TASK_ID": "3", "SLURM_ARRAY_TASK_MIN": "1", "SLURM_ARRAY_TASK_MAX": "7",
                  "SLURM_ARRAY_TASK_STEP": "2", "SLURM_ARRAY_TASK_COUNT": "4"}, "--shard K/N explicitly"),
        ]
        for extra, env, message in cases:
            proc = softpower("sweep", scenario, "-o", self.dir / "x.h5", *extra, check=False,
                             env=dict(os.environ, **env))
            self.assertEqual(proc.returncode, 2, (extra, env, proc.stderr))
            self.assertIn(message, proc.stderr)
            self.assertEqual(list(self.dir.glob("x*")), [])

    def test_merge_refuses_an_incomplete_set_of_shards(self):
        scenario = write_scenario(self.dir)
        for k in (0, 2):
            softpower("sweep", scenario, "-o", self.dir / "s{shard}.h5", "--shard", f"{k}/3", "-q")
        proc = softpower("merge", self.dir / "s0.h5", self.dir / "s2.h5", "-o", self.dir / "m.h5", check=False)
        self.assertEqual(proc.returncode, 2, proc.stderr)
        self.assertIn("1", proc.stderr)
        self.assertFalse((self.dir / "m.h5").exists())

    def run_until_checkpointed(self, args, new_segments, sig):
        """Starts a sweep, waits until it has added `new_segments` checkpoint segments, sends `sig`."""
        checkpoint = Path(str(args[args.index("-o") + 1]) + ".checkpoint")
        segments = lambda: len(list(checkpoint.glob("seg-*.runs"))) if checkpoint.exists() else 0
        before = segments()
        proc = subprocess.Popen([SOFTPOWER, *map(str, args)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and proc.poll() is None and segments() < before + new_segments:
            time.sleep(0.01)
        self.assertIsNone(proc.poll(), "the sweep finished before it could be interrupted")
        sent = time.monotonic()
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=60)
        return proc.returncode, time.monotonic() - sent, err

    def reference(self, scenario):
        ref = self.dir / "reference.h5"
        if not ref.exists():
            softpower("sweep", scenario, "-o", ref, "--threads", "2", "-q")
        return ref

    def test_sigkill_then_resume_twice_gives_the_uninterrupted_result(self):
        scenario = write_scenario(self.dir, days=LONG_DAYS, replicates=LONG_REPLICATES)
        ref = self.reference(scenario)
        out = self.dir / "killed.h5"
        args = ["sweep", scenario, "-o", out, "--threads", "2", "-q"]
        code, _, _ = self.run_until_checkpointed(args, 1, signal.SIGKILL)
        self.assertEqual(code, -signal.SIGKILL)
        self.assertFalse(out.exists())
        # Without --resume the checkpoint is not silently thrown away.
        proc = softpower(*args, check=False)
        self.assertEqual(proc.returncode, 2)
        self.assertIn("--resume", proc.stderr)
        # Kill the resumed sweep too: the checkpoint keeps what both attempts finished.
        code, _, _ = self.run_until_checkpointed(args + ["--resume"], 2, signal.SIGKILL)
        self.assertEqual(code, -signal.SIGKILL)
        softpower(*args, "--resume")
        self.assertIdentical(ref, out)
        self.assertFalse(Path(str(out) + ".checkpoint").exists())
        again = softpower(*args[:-1], "--resume")
        self.assertIn("already complete", again.stdout)

    def test_sigterm_and_sigusr1_stop_within_seconds_with_a_distinct_exit_code(self):
        scenario = write_scenario(self.dir, days=LONG_DAYS, replicates=LONG_REPLICATES)
        ref = self.reference(scenario)
        for sig in (signal.SIGTERM, signal.SIGUSR1):
            out = self.dir / f"stopped-{sig.name}.h5"
            args = ["sweep", scenario, "-o", out, "--threads", "2"]
            code, seconds, err = self.run_until_checkpointed(args, 1, sig)
            self.assertEqual(code, INTERRUPTED, err)
            self.assertLess(seconds, 5)  # issue 12: exit 75 within 5 s
            self.assertIn(sig.name, err)
            self.assertIn("--resume", err)
            self.assertFalse(out.exists())
            softpower(*args, "--resume", "-q")
            self.assertIdentical(ref, out)

    @unittest.skipUnless(MPIEXEC, "built without MPI (or under the sanitizers)")
    def test_mpirun_with_two_and_three_ranks_writes_the_single_process_file(self):
        scenario = write_scenario(self.dir)
        single = self.dir / "single.h5"
        softpower("sweep", scenario, "-o", single, "-q")
        for ranks in (2, 3):
            out = self.dir / f"mpi{ranks}.h5"
            proc = subprocess.run([*mpirun(ranks), SOFTPOWER, "sweep", scenario, "-o", out, "--threads", "1"],
                                  capture_output=True, text=True, timeout=300)
            self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
            self.assertIn(f"{ranks} processes x 1 threads", proc.stdout)
            self.assertIdentical(single, out)

    @unittest.skipUnless(MPIEXEC, "built without MPI (or under the sanitizers)")
    def test_mpirun_forwards_sigusr1_and_the_sweep_resumes_identically(self):
        scenario = write_scenario(self.dir, days=LONG_DAYS, replicates=LONG_REPLICATES)
        ref = self.reference(scenario)
        out = self.dir / "mpi-stopped.h5"
        args = [*mpirun(2), SOFTPOWER, "sweep", scenario, "-o", out, "--threads", "1"]
        checkpoint = Path(str(out) + ".checkpoint")
        proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and proc.poll() is None and not list(checkpoint.glob("seg-*.runs")):
            time.sleep(0.01)
        self.assertIsNone(proc.poll(), "the sweep finished before it could be interrupted")
        proc.send_signal(signal.SIGUSR1)
        _, err = proc.communicate(timeout=60)
        self.assertEqual(proc.returncode, INTERRUPTED, err)
        self.assertFalse(out.exists())
        resumed = subprocess.run([*mpirun(2), SOFTPOWER, "sweep", scenario, "-o", out, "--threads", "1", "--resume"],
                                 capture_output=True, text=True, timeout=300)
        self.assertEqual(resumed.returncode, 0, resumed.stderr)
        self.assertIdentical(ref, out)

    def test_many_points_built_at_once(self):
        # 200 points of one short run each: point contexts are built concurrently all the time.
        # Building them used to read the shared YAML of the base scenario from several threads
        # and crashed yaml-cpp (every time, on 2 threads).
        scenario = self.dir / "many_points.yaml"
        scenario.write_text("""
name: many_points
seed: 7
time: {step_hours: 2, horizon_days: 1}
graph: {type: erdos_renyi, n: 200, mean_degree: 4, seed: 3}
institution: {placement: new, followers: 20}
diffusion: {model: wechat_feed}
strategy: {model: posting, push_every_hours: 24, articles_per_push: 2}
censorship: {strength: 0.5, takedown: {}, share_filter: {}}
sweep:
  replicates: 1
  axes:
    censorship.strength: {from: 0, to: 1, count: 200}
""")
        for threads in (2, 8):
            out = self.dir / f"many-{threads}.h5"
            softpower("sweep", scenario, "-o", out, "--threads", threads, "-q")
            with h5py.File(out, "r") as f:
                self.assertEqual(len(f["params"]), 200)
        self.assertIdentical(self.dir / "many-2.h5", self.dir / "many-8.h5")

    def test_progress_lines_in_a_batch_log(self):
        scenario = write_scenario(self.dir)
        proc = softpower("sweep", scenario, "-o", self.dir / "p.h5", "--log-interval", "0.1")
        lines = [l for l in proc.stderr.splitlines() if " sweep " in l and "runs" in l]
        self.assertTrue(lines, proc.stderr)
        self.assertRegex(lines[-1], r"sweep 18/18 runs \(100\.0%\), [0-9.]+ runs/s, in [0-9]+")
        self.assertIn("wrote", proc.stdout)

    def test_run_refuses_a_sweep_scenario(self):
        scenario = write_scenario(self.dir)
        proc = softpower("run", scenario, "-o", self.dir / "r.h5", check=False)
        self.assertEqual(proc.returncode, 2)
        self.assertIn("softpower sweep", proc.stderr)

    def test_a_scenario_without_sweep_block_sweeps_its_replicates_like_run(self):
        plain = self.dir / "plain.yaml"
        plain.write_text(SCENARIO.format(days=7, replicates=3).split("sweep:")[0])
        softpower("run", plain, "-o", self.dir / "run.h5", "-q")
        softpower("sweep", plain, "-o", self.dir / "sweep.h5", "-q")
        with h5py.File(self.dir / "run.h5", "r") as a, h5py.File(self.dir / "sweep.h5", "r") as b:
            for name in ("metrics/reach_cumulative", "metrics/soft_power_index", "items", "attitude/snapshots"):
                self.assertTrue(np.array_equal(a[name][()], b[name][()], equal_nan=name != "items"), name)


if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0], *sys.argv[3:]], verbosity=2)

"""The hostile-input corpus (issue 12): every case is a bad input that softpower must refuse
cleanly. One driver runs them all.

usage: run_corpus.py SOFTPOWER_EXE [--timeout SECONDS] [--jobs N] [--only ID_OR_CATEGORY ...] [-v]

Layout: tests/bad_inputs/<category>/cases.tsv lists the cases of a category; the other files of
the folder are their inputs. Every case runs in its own temporary folder holding a copy of its
category's files, with that folder as the working directory, so the paths of a command line and
the file names of a message are relative to it.

cases.tsv: one case per line, tab-separated, `#` starts a comment line:

    id  exit  fragment  command  [setup]

- id: unique over the corpus.
- exit: the expected exit code, 1 (runtime failure) or 2 (bad input); nothing else is allowed.
- fragment: text stderr must contain. Several fragments separated by ` ... ` must appear in this
  order. It names the file, and the line, column and key where there is one. Alternatives
  separated by ` || ` (each with its own ` ... ` parts) pass if any one of them matches: only for
  a damaged file whose crash inside libhdf5 depends on the allocator, so that the release build
  and the sanitizer builds refuse it with different, equally correct, messages.
- command: the softpower arguments (subcommand first), split like a shell would (shlex).
- setup: inputs made at test time instead of committed, separated by ` ;; `, each `verb args`
  (shlex): `write FILE EXPR` (FILE gets EXPR, a Python expression of bytes or str, e.g.
  b"1 " + b"x" * 10**7), `fifo FILE`, `mkdir DIR`, `cache FILE` (a copy of a real graph cache made
  once per corpus run), `result FILE` (a copy of a real result file), `sweep FILE` (a copy of a
  real sweep result), `truncate FILE BYTES`,
  `flip FILE OFFSET` (invert 64 bytes at OFFSET), `h5 FILE KIND` (an HDF5 file written with h5py,
  KIND one of the forge_* functions below), `alter FILE KIND` (change a copied real file with
  h5py, KIND one of the alter_* functions), `symlink LINK TARGET`, `readonly DIR` (the folder
  becomes read-only; as root the case then runs as the user nobody, for whom that holds),
  `fsize BYTES` (the case runs with a file size limit: writes beyond it fail as on a full disk),
  `env NAME=VALUE` (the case runs with that environment variable set).

Each case must: exit with its expected code (1 or 2), within the time limit, not by a signal;
write stderr holding the fragment and none of "terminate called", "Aborted", "Segmentation",
"AddressSanitizer", "runtime error:"; print one clear error: one `softpower: error:` line (or a
command-line parser's message) and at most 3 lines besides `softpower: note:` lines; and leave no
file with a final output name (the values of -o, --output, --gexf, --graphml): an output that did
not exist must still not exist, one that existed (an input given as the output, /dev/full) must be
unchanged. A bad input (exit 2) must also leave no NAME.partial behind.
"""
import argparse
import concurrent.futures
import hashlib
import os
import pwd
import shlex
import shutil
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
BANNED = ("terminate called", "Aborted", "Segmentation", "AddressSanitizer", "runtime error:",
          "LeakSanitizer", "core dumped",
          "SECRET-CONTENT")  # graphml/secret.txt and secret.dtd: external entities are never read
OUTPUT_OPTIONS = ("-o", "--output", "--gexf", "--graphml")
MAX_LINES = 3

FIXTURE_SCENARIO = """name: fixture
seed: 3
runs: 2
time: {horizon_days: 1}
graph: {type: erdos_renyi, n: 300, mean_degree: 8, seed: 2}
institution: {placement: new, followers: 30}
strategy: {account_type: subscription, first_push_hour: 1, push_every_hours: 12}
diffusion: {open_probability: 0.1, share_probability: 0.5, activity: 0.8}
"""


class Case:
    def __init__(self, category, line_no, fields):
        self.category = category
        self.where = f"{category}/cases.tsv:{line_no}"
        if len(fields) not in (4, 5):
            raise SystemExit(f"{self.where}: expected 4 or 5 tab-separated fields, found {len(fields)}")
        self.id, exit_code, fragment, command = fields[:4]
        self.setup = [s for s in fields[4].split(" ;; ") if s.strip()] if len(fields) == 5 else []
        if exit_code not in ("1", "2"):
            raise SystemExit(f"{self.where}: the expected exit code must be 1 or 2, not {exit_code!r}")
        self.exit = int(exit_code)
        self.alternatives = [alternative.split(" ... ") for alternative in fragment.split(" || ")]
        if not all(all(parts) for parts in self.alternatives):
            raise SystemExit(f"{self.where}: empty fragment")
        self.argv = shlex.split(command)


def missing_fragment(stderr, parts):
    """What stderr lacks of one alternative's ordered parts, or None when it holds them all."""
    at = 0
    for part in parts:
        found = stderr.find(part, at)
        if found < 0:
            return f"stderr lacks {part!r}" + (" (after the previous fragment)" if at else "")
        at = found + len(part)
    return None


def load_cases():
    cases = []
    for manifest in sorted(HERE.glob("*/cases.tsv")):
        category = manifest.parent.name
        for line_no, line in enumerate(manifest.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip() or line.startswith("#"):
                continue
            cases.append(Case(category, line_no, line.split("\t")))
    ids = [c.id for c in cases]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise SystemExit(f"duplicate case ids: {dupes}")
    return cases


# ---- forged HDF5 files (h5py) ----------------------------------------------------------------

def forge_empty(h5py, np, path):
    """A valid HDF5 file with nothing in it: written by another program."""
    with h5py.File(path, "w"):
        pass


def forge_foreign(h5py, np, path):
    """Another program's data: a dataset and attributes, no softpower markers."""
    with h5py.File(path, "w") as f:
        f.attrs["creator"] = "someone else"
        f["data"] = np.arange(100, dtype=np.float64)


def forge_kind_is_a_number(h5py, np, path):
    with h5py.File(path, "w") as f:
        f.attrs["file_kind"] = np.int64(7)


def forge_cache_no_datasets(h5py, np, path):
    with h5py.File(path, "w") as f:
        cache_attrs(f, np, 10, 20)


def cache_attrs(f, np, n, m):
    f.attrs["file_kind"] = "softpower-graph"
    f.attrs["format_version"] = np.uint32(1)
    f.attrs["softpower_version"] = "forged"
    f.attrs["description"] = "forged"
    f.attrs["checksum"] = np.uint64(0)
    f.attrs["num_vertices"] = np.uint32(n)
    f.attrs["num_arcs"] = np.uint64(m)


def forge_cache_target_out_of_range(h5py, np, path):
    with h5py.File(path, "w") as f:
        cache_attrs(f, np, 3, 3)
        f["offsets"] = np.array([0, 1, 2, 3], dtype=np.uint64)
        f["targets"] = np.array([1, 2, 4000000000], dtype=np.uint32)


def forge_cache_offsets_decrease(h5py, np, path):
    with h5py.File(path, "w") as f:
        cache_attrs(f, np, 3, 3)
        f["offsets"] = np.array([0, 3, 1, 3], dtype=np.uint64)
        f["targets"] = np.array([1, 2, 0], dtype=np.uint32)


def forge_cache_wrong_shape(h5py, np, path):
    with h5py.File(path, "w") as f:
        cache_attrs(f, np, 3, 3)
        f["offsets"] = np.zeros((2, 2), dtype=np.uint64)
        f["targets"] = np.array([1, 2, 0], dtype=np.uint32)


def forge_cache_wrong_type(h5py, np, path):
    with h5py.File(path, "w") as f:
        cache_attrs(f, np, 3, 3)
        f["offsets"] = np.array(["a", "b", "c", "d"], dtype="S1")
        f["targets"] = np.array([1, 2, 0], dtype=np.uint32)


def forge_cache_huge_claim(h5py, np, path):
    """Claims 4e9 vertices and 1e18 arcs; its datasets are empty and unallocated (a tiny file)."""
    with h5py.File(path, "w") as f:
        cache_attrs(f, np, 4000000000, 10**18)
        f.create_dataset("offsets", shape=(4000000001,), dtype=np.uint64, chunks=(1 << 16,))
        f.create_dataset("targets", shape=(10**12,), dtype=np.uint32, chunks=(1 << 16,))


def forge_cache_newer_format(h5py, np, path):
    with h5py.File(path, "w") as f:
        cache_attrs(f, np, 3, 3)
        f.attrs["format_version"] = np.uint32(999)


def forge_result_kind_only(h5py, np, path):
    with h5py.File(path, "w") as f:
        f.attrs["file_kind"] = "softpower-result"


def forge_result_huge_params(h5py, np, path):
    """A result file's marker and a /params table of 1e12 rows, unallocated (a tiny file)."""
    with h5py.File(path, "w") as f:
        f.attrs["file_kind"] = "softpower-result"
        dt = np.dtype([("run", np.uint64), ("point", np.uint64), ("replicate", np.uint64)])
        f.create_dataset("params", shape=(10**12,), dtype=dt, chunks=(1024,))


FORGERS = {name[len("forge_"):]: fn for name, fn in globals().items() if name.startswith("forge_")}


# ---- real files altered (h5py) ----------------------------------------------------------------

def alter_result_huge_params(h5py, np, path):
    """/params claims 1e12 rows: an unallocated dataset, so the file stays small."""
    with h5py.File(path, "r+") as f:
        dtype = f["params"].dtype
        del f["params"]
        f.create_dataset("params", shape=(10**12,), dtype=dtype, chunks=(1024,))


def alter_result_huge_runs(h5py, np, path):
    """num_runs and /params agree on 1e12 runs, all unwritten: tiny on disk, 48 TB in memory."""
    alter_result_huge_params(h5py, np, path)
    with h5py.File(path, "r+") as f:
        f.attrs["num_runs"] = np.uint64(10**12)


def alter_result_no_metrics(h5py, np, path):
    with h5py.File(path, "r+") as f:
        del f["metrics"]


def alter_result_metric_shape(h5py, np, path):
    with h5py.File(path, "r+") as f:
        del f["metrics/reach_cumulative"]
        f["metrics/reach_cumulative"] = np.zeros((1, 1), dtype=np.int64)


def alter_result_metric_type(h5py, np, path):
    with h5py.File(path, "r+") as f:
        shape = f["metrics/reach_cumulative"].shape
        del f["metrics/reach_cumulative"]
        f["metrics/reach_cumulative"] = np.full(shape, b"x", dtype="S1")


def alter_result_num_runs_huge(h5py, np, path):
    with h5py.File(path, "r+") as f:
        f.attrs["num_runs"] = np.uint64(10**12)


def alter_result_num_steps(h5py, np, path):
    with h5py.File(path, "r+") as f:
        f.attrs["num_steps"] = np.int64(5)


def alter_result_scenario_garbage(h5py, np, path):
    """The stored scenario, which rerun and export run again, is not YAML."""
    with h5py.File(path, "r+") as f:
        del f["scenario"]
        f["scenario"] = "graph: {n: [unclosed\n"


def alter_result_no_scenario(h5py, np, path):
    with h5py.File(path, "r+") as f:
        del f["scenario"]


def alter_result_newer_format(h5py, np, path):
    with h5py.File(path, "r+") as f:
        f.attrs["format_version"] = np.uint32(999)


def alter_cache_checksum(h5py, np, path):
    """One arc moved to another (existing) vertex: every array is valid, the checksum is not."""
    with h5py.File(path, "r+") as f:
        targets = f["targets"][:]
        targets[0] = (targets[0] + 1) % f.attrs["num_vertices"]
        del f["targets"]
        f["targets"] = targets


def alter_cache_huge_claim(h5py, np, path):
    """Claims 1e12 arcs (the memory check reads the attribute)."""
    with h5py.File(path, "r+") as f:
        f.attrs["num_arcs"] = np.uint64(10**12)


def alter_cache_label_offsets_past_the_text(h5py, np, path):
    with h5py.File(path, "r+") as f:
        n = int(f.attrs["num_vertices"])
        f["label_text"] = np.frombuffer(b"abc", dtype=np.uint8)
        f["label_offsets"] = np.arange(n + 1, dtype=np.uint64) * 1000


ALTERERS = {name[len("alter_"):]: fn for name, fn in globals().items() if name.startswith("alter_")}


# ---- per-case setup -------------------------------------------------------------------------

class Fixtures:
    """Real softpower files made once per corpus run, copied into the cases that need them."""

    def __init__(self, exe, root):
        self.exe = exe
        self.root = root
        self.made = {}

    def get(self, kind):
        if kind not in self.made:
            self.made[kind] = self.make(kind)
        return self.made[kind]

    def make(self, kind):
        out = self.root / f"fixture_{kind}.h5"
        if kind == "cache":
            argv = [self.exe, "graph", "generate", "--set", "graph.n=300", "-o", str(out)]
        elif kind == "sweep":
            scenario = self.root / "fixture_sweep.yaml"
            scenario.write_text(FIXTURE_SCENARIO.replace("runs: 2\n", "") +
                                "sweep:\n  replicates: 2\n  axes:\n    censorship.strength: [0, 1]\n")
            argv = [self.exe, "sweep", str(scenario), "-q", "--threads", "1", "-o", str(out)]
        elif kind == "result":
            scenario = self.root / "fixture.yaml"
            scenario.write_text(FIXTURE_SCENARIO)
            argv = [self.exe, "run", str(scenario), "-q", "--threads", "1", "-o", str(out)]
        else:
            raise SystemExit(f"unknown fixture {kind}")
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=300)
        if proc.returncode != 0:
            raise SystemExit(f"cannot make the {kind} fixture: {proc.stderr}")
        return out


def apply_setup(case, folder, fixtures, state):
    for recipe in case.setup:
        verb = recipe.split(None, 1)[0]
        # `write FILE EXPR`: EXPR is Python, kept verbatim; other verbs split like a shell.
        args = recipe.split(None, 2)[1:] if verb == "write" else shlex.split(recipe)[1:]
        target = folder / args[0] if args else None
        if verb == "write":
            value = eval(args[1], {"__builtins__": {}}, {"bytes": bytes, "range": range, "str": str})
            target.write_bytes(value.encode() if isinstance(value, str) else value)
        elif verb == "fifo":
            os.mkfifo(target)
        elif verb == "mkdir":
            target.mkdir(parents=True, exist_ok=True)
        elif verb in ("cache", "result", "sweep"):
            shutil.copyfile(fixtures.get(verb), target)
        elif verb == "truncate":
            with open(target, "r+b") as f:
                f.truncate(int(args[1]))
        elif verb == "flip":
            data = bytearray(target.read_bytes())
            at = int(args[1])
            for i in range(at, min(at + 64, len(data))):
                data[i] ^= 0xFF
            target.write_bytes(bytes(data))
        elif verb == "h5":
            import h5py
            import numpy as np
            FORGERS[args[1]](h5py, np, target)
        elif verb == "alter":
            import h5py
            import numpy as np
            ALTERERS[args[1]](h5py, np, target)
        elif verb == "symlink":
            target.symlink_to(args[1])
        elif verb == "env":
            name, _, value = args[0].partition("=")
            state.setdefault("env", {})[name] = value
        elif verb == "fsize":
            state["fsize"] = int(args[0])
        elif verb == "readonly":
            target.chmod(0o555)
            state["readonly"] = True
        else:
            raise SystemExit(f"{case.where}: unknown setup verb {verb!r}")


def output_paths(argv):
    outs = []
    for i, a in enumerate(argv):
        if a in OUTPUT_OPTIONS and i + 1 < len(argv):
            outs.append(argv[i + 1])
        for opt in OUTPUT_OPTIONS:
            if opt.startswith("--") and a.startswith(opt + "="):
                outs.append(a[len(opt) + 1:])
    return outs


def snapshot(path):
    """What is at `path` now: None, or (kind, size, hash of a small regular file)."""
    try:
        st = os.lstat(path)
    except OSError:  # missing, under a file, a name too long
        return None
    digest = None
    if stat.S_ISREG(st.st_mode) and st.st_size < (64 << 20):
        digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()
    return (stat.S_IFMT(st.st_mode), st.st_size, digest)


def run_case(case, exe, fixtures, timeout, keep):
    problems = []
    tmp = tempfile.mkdtemp(prefix=f"softpower_corpus_{case.id}_")
    folder = Path(tmp)
    state = {}
    try:
        src = HERE / case.category
        for item in src.iterdir():
            if item.name != "cases.tsv":
                (shutil.copytree if item.is_dir() else shutil.copyfile)(item, folder / item.name)
        apply_setup(case, folder, fixtures, state)
        outs = output_paths(case.argv)
        before = {o: snapshot(folder / o) for o in outs}
        partials_before = set(folder.rglob("*.partial"))
        argv = [exe, *case.argv]
        preexec = None
        if state.get("readonly") and os.geteuid() == 0:
            # Root writes anywhere: drop to nobody, for whom the read-only folder is read-only.
            nobody = pwd.getpwnam("nobody")
            os.chmod(folder, 0o755)
            for p in folder.rglob("*"):
                if not p.is_symlink():
                    p.chmod(p.stat().st_mode | 0o444 | (0o111 if p.is_dir() else 0))
            uid, gid = nobody.pw_uid, nobody.pw_gid

            def preexec():
                os.setgroups([])
                os.setgid(gid)
                os.setuid(uid)
        if "fsize" in state:
            # A file size limit, like a disk that fills up: writes past it fail with EFBIG once
            # SIGXFSZ, which would otherwise kill the process, is ignored.
            limit, drop = state["fsize"], preexec

            def preexec():
                import resource
                import signal
                signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
                resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
                if drop:
                    drop()
        env = dict(os.environ, LC_ALL="C", **state.get("env", {}))
        started = time.monotonic()
        try:
            proc = subprocess.run(argv, cwd=folder, capture_output=True, timeout=timeout, env=env,
                                  stdin=subprocess.DEVNULL, preexec_fn=preexec)
        except subprocess.TimeoutExpired:
            return case, [f"did not finish within {timeout} s (a hang)"], "", timeout
        elapsed = time.monotonic() - started
        stderr = proc.stderr.decode("utf-8", "replace")
        if proc.returncode < 0:
            problems.append(f"killed by signal {-proc.returncode}")
        elif proc.returncode != case.exit:
            problems.append(f"exit {proc.returncode}, expected {case.exit}")
        misses = [missing_fragment(stderr, parts) for parts in case.alternatives]
        if all(misses):
            problems.append(" or ".join(misses))
        for word in BANNED:
            if word in stderr:
                problems.append(f"stderr contains {word!r}")
        lines = [l for l in stderr.splitlines() if l.strip() and not l.startswith("softpower: note:")]
        errors = [l for l in lines if l.startswith("softpower: error:")]
        if len(errors) > 1:
            problems.append(f"{len(errors)} 'softpower: error:' lines, expected one")
        if not lines:
            problems.append("no error message")
        elif len(lines) > MAX_LINES:
            problems.append(f"{len(lines)} lines of message, expected at most {MAX_LINES}")
        for out in outs:
            now = snapshot(folder / out)
            if before[out] is None and now is not None:
                problems.append(f"the output {out} exists afterwards")
            elif before[out] is not None and now != before[out]:
                problems.append(f"the existing {out} was changed")
        if case.exit == 2:
            partials = sorted(str(p.relative_to(folder)) for p in set(folder.rglob("*.partial")) - partials_before)
            if partials:
                problems.append(f"left {partials} behind")
        return case, problems, stderr, elapsed
    finally:
        if keep:
            print(f"kept {folder}")
        else:
            for p in [folder, *folder.rglob("*")]:
                try:
                    if p.is_dir() and not p.is_symlink():
                        p.chmod(0o755)
                except OSError:
                    pass
            shutil.rmtree(folder, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("exe")
    parser.add_argument("--timeout", type=float, default=20.0, help="per-case limit in seconds")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--only", nargs="*", default=[], help="case ids or categories")
    parser.add_argument("--keep", action="store_true", help="keep each case's folder")
    parser.add_argument("-v", "--verbose", action="store_true", help="print every case's stderr")
    args = parser.parse_args()
    exe = str(Path(args.exe).resolve())
    if not os.access(exe, os.X_OK):
        print(f"{exe}: no softpower executable there; build the target softpower first")
        return 1
    cases = load_cases()
    everything = len(cases)
    if args.only:
        cases = [c for c in cases if c.id in args.only or c.category in args.only]
    started = time.monotonic()
    fixtures_dir = Path(tempfile.mkdtemp(prefix="softpower_corpus_fixtures_"))
    fixtures = Fixtures(exe, fixtures_dir)
    for kind in ("cache", "result", "sweep"):  # made before the cases run in parallel
        if any(v.split()[0] == kind for c in cases for v in c.setup):
            fixtures.get(kind)
    failed = []
    by_category = {}
    slowest = (0.0, "")
    try:
        with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
            futures = [pool.submit(run_case, c, exe, fixtures, args.timeout, args.keep) for c in cases]
            for fut in futures:
                case, problems, stderr, elapsed = fut.result()
                by_category[case.category] = by_category.get(case.category, 0) + 1
                slowest = max(slowest, (elapsed, case.id))
                if args.verbose:
                    print(f"--- {case.id} ({elapsed:.2f} s): {stderr.strip()}")
                if problems:
                    failed.append(case)
                    print(f"FAIL {case.id} ({case.where}): softpower {shlex.join(case.argv)}")
                    for p in problems:
                        print(f"     {p}")
                    print("     stderr: " + (stderr.strip().replace("\n", "\n             ")[:2000] or "(empty)"))
    finally:
        shutil.rmtree(fixtures_dir, ignore_errors=True)
    total = time.monotonic() - started
    print(f"{len(cases)} cases ({', '.join(f'{k} {v}' for k, v in sorted(by_category.items()))}); "
          f"{len(cases) - len(failed)} passed, {len(failed)} failed, in {total:.1f} s "
          f"(slowest {slowest[1]}: {slowest[0]:.2f} s)")
    if not args.only and everything < 150:
        print(f"the corpus has {everything} cases; issue 12 asks for at least 150")
        return 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

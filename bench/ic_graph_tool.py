#!/usr/bin/python3
"""graph-tool's SIRState as an independent cascade, on a softpower graph cache.

With gamma = 1 an infectious vertex recovers after exactly one synchronous sweep, so each
infected vertex tries each of its edges once with probability beta: the independent cascade
(bond percolation) that bench/cascade_bench.cpp runs in the engine, with beta = p.

The graph is read from the same cache file cascade_bench loads (/offsets, /targets: CSR of
arcs, docs/graph-import.md) and built as an *undirected* graph-tool Graph with one edge per
friendship. That is equivalent to the two arcs softpower stores, because the script checks
that every arc u->v has its reverse v->u, and an undirected SIR lets infection cross an edge
either way with the same beta. It is also graph-tool's fastest form: a directed graph holding
both arcs keeps four adjacency entries per friendship instead of two.

Cascades start from the source vertices cascade_bench used (--sources), one per run. Each run
is timed from building the SIRState (graph-tool allocates and shuffles its active list there,
as the engine allocates its per-run state inside Engine::run) to the sweep that changes
nothing; the sweeps alone are recorded too. Rows go to --records in cascade_bench's format.

If graph-tool cannot be imported the script says why on stdout and exits with status 3, and
the caller leaves graph-tool's column out.
"""
import argparse
import sys
import time


def load_undirected_edges(path, np, h5py):
    with h5py.File(path, "r") as f:
        offsets = f["offsets"][...].astype(np.int64)
        targets = f["targets"][...].astype(np.int64)
    n = len(offsets) - 1
    sources = np.repeat(np.arange(n, dtype=np.int64), np.diff(offsets))
    forward = sources < targets
    backward = sources > targets
    keys_forward = np.sort(sources[forward] * n + targets[forward])
    keys_backward = np.sort(targets[backward] * n + sources[backward])
    if forward.sum() + backward.sum() != len(targets) or not np.array_equal(keys_forward, keys_backward):
        raise SystemExit(f"{path}: arcs are not symmetric (or hold self-loops); an undirected graph-tool "
                         "graph would not be the same graph")
    edges = np.empty((len(keys_forward), 2), dtype=np.int64)
    edges[:, 0] = keys_forward // n
    edges[:, 1] = keys_forward % n
    return n, edges


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--graph", required=True, help="softpower graph cache (.h5)")
    ap.add_argument("--p", type=float, required=True, help="transmission probability (beta)")
    ap.add_argument("--sources", required=True, help="one source vertex per line, one run each")
    ap.add_argument("--threads", type=int, nargs="+", default=[2])
    ap.add_argument("--case", default="cascade")
    ap.add_argument("--records", required=True)
    ap.add_argument("--seed", type=int, default=42)
    args = ap.parse_args()

    try:
        import graph_tool
        from graph_tool.dynamics import SIRState
    except Exception as e:  # ImportError, or a broken install failing inside the import
        print(f"graph-tool unavailable: {type(e).__name__}: {e}")
        return 3
    import h5py
    import numpy as np

    t0 = time.perf_counter()
    n, edges = load_undirected_edges(args.graph, np, h5py)
    g = graph_tool.Graph(directed=False)
    g.add_vertex(n)
    g.add_edge_list(edges)
    del edges
    t1 = time.perf_counter()
    print(f"graph-tool {graph_tool.__version__}: {g.num_vertices()} vertices, {g.num_edges()} undirected edges "
          f"from {args.graph} in {t1 - t0:.2f} s; OpenMP enabled: {graph_tool.openmp_enabled()}")

    graph_tool.seed_rng(args.seed)
    np.random.seed(args.seed)
    sources = [int(line) for line in open(args.sources) if line.strip()]
    with open(args.records, "w") as out:
        out.write("case\timpl\tthreads\trun\tsource\tsize\tseconds\tcpu_seconds\tsweep_seconds\tsweeps\n")
        for run, source in enumerate(sources):
            for threads in args.threads:
                graph_tool.openmp_set_num_threads(threads)
                cpu = time.process_time()  # every thread of the process
                a = time.perf_counter()
                state = SIRState(g, beta=args.p, gamma=1.0, v0=g.vertex(source))
                b = time.perf_counter()
                sweeps = 0
                while state.iterate_sync() > 0:
                    sweeps += 1
                c = time.perf_counter()
                cpu = time.process_time() - cpu
                s = state.get_state().fa
                if (s == 1).any():
                    raise SystemExit(f"run {run}: infectious vertices left after the last sweep")
                size = int((s == 2).sum())
                out.write(f"{args.case}\tgraph-tool\t{threads}\t{run}\t{source}\t{size}\t{c - a:.9f}\t{cpu:.9f}\t"
                          f"{c - b:.9f}\t{sweeps}\n")
                out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())

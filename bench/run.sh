#!/usr/bin/env bash
# `make bench`: the scale benchmarks of the independent cascade engine, then micro benchmarks.
# Usage: bench/run.sh BUILD_DIR
set -euo pipefail
build=${1:-build/release}
echo "== Erdos-Renyi generation: 1,000,000 vertices, 10,000,000 edges (mean degree 20)"
/usr/bin/time -f "wall %e s, max RSS %M KiB" "$build/apps/softpower" graph generate \
  --set graph.n=1000000 --set graph.mean_degree=20 -o /tmp/softpower_bench_er.h5
rm -f /tmp/softpower_bench_er.h5
echo
echo "== Independent cascade, n = 1,000,000, mean degree 10, T = 0.2, 10 seeds"
/usr/bin/time -f "wall %e s, max RSS %M KiB" "$build/bench/cascade_bench" 1000000 10 0.2 10 1 2
echo
echo "== Independent cascade, n = 4,000,000, mean degree 20, T = 0.1, 10 seeds"
/usr/bin/time -f "wall %e s, max RSS %M KiB" "$build/bench/cascade_bench" 4000000 20 0.1 10 1 2
echo
echo "== Micro benchmarks"
"$build/bench/micro_bench" --benchmark_min_time=0.2
echo
echo "== softpower sweep against softpower run, the same 8 runs of scenarios/default.yaml"
bash "$(dirname "$0")/sweep_overhead.sh" "$build" 3
echo
echo "== softpower export of a 1,000,000-vertex graph, against generating that graph"
bash "$(dirname "$0")/export_scale.sh" "$build" 3

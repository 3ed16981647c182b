#!/usr/bin/env bash
# `make bench`: the scale benchmarks of the independent cascade engine (beside graph-tool and a
# bare loop), then micro benchmarks, sweep overhead and export cost.
# Usage: bench/run.sh BUILD_DIR
set -euo pipefail
build=${1:-build/release}
echo "== Erdos-Renyi generation: 1,000,000 vertices, 10,000,000 edges (mean degree 20)"
/usr/bin/time -f "wall %e s, max RSS %M KiB" "$build/apps/softpower" graph generate \
  --set graph.n=1000000 --set graph.mean_degree=20 -o /tmp/softpower_bench_er.h5
rm -f /tmp/softpower_bench_er.h5
echo
echo "== Independent cascade side by side: engine, bare loop, graph-tool (bench/ic_side_by_side.sh)"
bash "$(dirname "$0")/ic_side_by_side.sh" "$build"
echo
echo "== Independent cascade, n = 4,000,000, mean degree 20, p = 0.1, 5 runs"
/usr/bin/time -f "wall %e s, max RSS %M KiB" "$build/bench/cascade_bench" --n 4000000 --mean-degree 20 --p 0.1 \
  --runs 5 --threads 1 2
echo
echo "== Micro benchmarks"
"$build/bench/micro_bench" --benchmark_min_time=0.2
echo
echo "== Sweep overhead: 1,000 runs at 10,000 users (--profile), and sweep against run"
bash "$(dirname "$0")/sweep_overhead.sh" "$build" 3
echo
echo "== softpower export of a 1,000,000-vertex graph, against generating that graph"
bash "$(dirname "$0")/export_scale.sh" "$build" 3
echo
echo "== The full model at scale: wechat_like generation, the 1e6-user baseline, 1e7 users (bench/full_model_scale.sh)"
bash "$(dirname "$0")/full_model_scale.sh" "$build" 3 --large
echo
echo "== Graph loading: a 5e6-edge list, its cache, a 1.5e8-arc cache"
bash "$(dirname "$0")/load_scale.sh" "$build" 3

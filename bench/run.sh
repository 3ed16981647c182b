#!/usr/bin/env bash
# `make bench`: the scale benchmarks of the independent cascade engine (beside graph-tool and a
# bare loop), then micro benchmarks, sweep overhead and export cost, the full model at scale
# and graph loading. Everything it prints also goes to bench/results/<date>-<host>-make-bench.log,
# headed by the commit, the machine and its load, so every figure of a run stays on disk beside
# the cascade table (bench/results/<date>-<host>.md).
# Usage: bench/run.sh BUILD_DIR
set -euo pipefail
build=${1:-build/release}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$here/results"
log=$here/results/$(date +%F)-$(hostname -s)-make-bench.log
exec > >(tee "$log") 2>&1
tee_pid=$!
echo "# make bench (bench/run.sh $build), started $(date -Is)"
echo "# commit $(git -C "$here" rev-parse --short HEAD 2>/dev/null || echo unknown)$(git -C "$here" diff --quiet HEAD -- . ':!bench/results' 2>/dev/null || echo ' plus uncommitted changes')"
echo "# $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores available, $(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo), $(uname -sr)"
echo "# load average (1, 5, 15 min) at the start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
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
echo
echo "# finished $(date -Is); load average (1, 5, 15 min) at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# this log: $log"
exec >&- 2>&-
wait "$tee_pid"  # the log is complete when make returns

#!/usr/bin/env bash
# What `softpower sweep` costs on top of `softpower run` for the same runs: the checkpoint
# journal (compression, fsync), the writer thread and the per-point contexts. Both commands run
# the 8 replicates of scenarios/default.yaml (no sweep block: one point), alternately, REPEATS
# times; prints each time, the medians and their ratio. Same datasets either way (sweep_test).
# Usage: bench/sweep_overhead.sh BUILD_DIR [REPEATS]
set -euo pipefail
build=${1:-build/release}
repeats=${2:-3}
softpower=$build/apps/softpower
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
args=(scenarios/default.yaml --set runs=8 -q)
run_times=()
sweep_times=()
seconds() { /usr/bin/time -f "%e" "$@" 2>&1 >/dev/null | tail -n 1; }
for i in $(seq 1 "$repeats"); do
  run_times+=("$(seconds "$softpower" run "${args[@]}" -o "$work/run.h5")")
  sweep_times+=("$(seconds "$softpower" sweep "${args[@]}" -o "$work/sweep.h5")")
  echo "repeat $i: run ${run_times[-1]} s, sweep ${sweep_times[-1]} s"
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
run_median=$(median "${run_times[@]}")
sweep_median=$(median "${sweep_times[@]}")
awk -v r="$run_median" -v s="$sweep_median" \
  'BEGIN {printf "median: run %.2f s, sweep %.2f s, sweep/run %.3f\n", r, s, s / r}'

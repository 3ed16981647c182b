#!/usr/bin/env bash
# What a sweep spends outside its runs: start-up, the graph, scheduling, the checkpoint journal
# (compression, fsync), the writer thread and the final file. Runs `softpower sweep --profile`
# on 1,000 replicates of scenarios/default.yaml at 10,000 users, REPEATS times, and prints each
# profile line and the median share of the wall time spent outside the runs' step loops
# (issue 11 asks for at most 5%). Then, as a cross-check of the same overhead from outside the
# process, `softpower run` against `softpower sweep` on 8 runs of the shipped default (same
# datasets either way, see sweep_test).
# Usage: bench/sweep_overhead.sh BUILD_DIR [REPEATS] [RUNS]
set -euo pipefail
build=${1:-build/release}
repeats=${2:-3}
runs=${3:-1000}
softpower=$build/apps/softpower
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }

echo "-- softpower sweep --profile: $runs runs of scenarios/default.yaml at 10,000 users"
shares=()
for i in $(seq 1 "$repeats"); do
  rm -rf "$work/sweep.h5" "$work/sweep.h5.checkpoint"
  profile=$("$softpower" sweep scenarios/default.yaml --set graph.n=10000 --set institution.followers=200 \
    --set runs="$runs" -o "$work/sweep.h5" -q --profile)
  echo "repeat $i:"
  echo "$profile"
  shares+=("$(echo "$profile" | sed -n 's/.* = \([0-9.]*\)% of the wall/\1/p')")
done
echo "median share of the wall outside the runs: $(median "${shares[@]}")% (${shares[*]})"

echo
echo "-- softpower run against softpower sweep, the same 8 runs of scenarios/default.yaml"
args=(scenarios/default.yaml --set runs=8 -q)
run_times=()
sweep_times=()
seconds() { /usr/bin/time -f "%e" "$@" 2>&1 >/dev/null | tail -n 1; }
for i in $(seq 1 "$repeats"); do
  run_times+=("$(seconds "$softpower" run "${args[@]}" -o "$work/run.h5")")
  rm -rf "$work/sweep8.h5"
  sweep_times+=("$(seconds "$softpower" sweep "${args[@]}" -o "$work/sweep8.h5")")
  echo "repeat $i: run ${run_times[-1]} s, sweep ${sweep_times[-1]} s"
done
run_median=$(median "${run_times[@]}")
sweep_median=$(median "${sweep_times[@]}")
awk -v r="$run_median" -v s="$sweep_median" \
  'BEGIN {printf "median: run %.2f s, sweep %.2f s, sweep/run %.3f\n", r, s, s / r}'

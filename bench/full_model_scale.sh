#!/usr/bin/env bash
# The full model at scale (issues 11 and 17), each command under /usr/bin/time -v:
#   - wechat_like generation of 1e6 users / 1.5e8 arcs into a cache (`softpower graph generate`);
#   - the default WeChat model (scenarios/polito_baseline.yaml) on those 1e6 users, one run of
#     30 days, with the graph built in the run and `--profile`'s phases;
#   - with --large, the same model on 1e7 users and 5e8 arcs (mean degree 50) for 7 days: the
#     peak memory at that scale (about 7 GB and a minute here; run once).
# Prints per command the wall time and peak resident memory of every repeat, their medians, the
# peak in bytes per arc, and the phase profile of the median run.
# Usage: bench/full_model_scale.sh BUILD_DIR [REPEATS] [--large]
set -euo pipefail
build=${1:-build/release}
repeats=${2:-3}
large=${3:-}
softpower=$(realpath "$build/apps/softpower")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }

# measure NAME ARCS COMMAND...: runs COMMAND REPEATS times under /usr/bin/time -v.
measure() {
  local name=$1 arcs=$2
  shift 2
  local walls=() peaks=() i
  echo "-- $name"
  echo "   command: softpower ${*:2}"
  for i in $(seq 1 "$repeats"); do
    /usr/bin/time -v -o "$work/time.txt" "$@" >"$work/out.$i.txt" 2>&1
    local wall peak
    wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$work/time.txt" |
      awk -F: '{s = 0; for (k = 1; k <= NF; ++k) s = s * 60 + $k; print s}')
    peak=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$work/time.txt")
    walls+=("$wall")
    peaks+=("$peak")
    echo "   repeat $i: wall $wall s, peak $(awk -v k="$peak" 'BEGIN {printf "%.2f GB", k * 1024 / 1e9}')$(grep -m1 '^profile    graph' "$work/out.$i.txt" | sed 's/^profile   /;/' || true)"
  done
  local wall_median peak_median
  wall_median=$(median "${walls[@]}")
  peak_median=$(median "${peaks[@]}")
  echo "   median: wall $wall_median s, peak $(awk -v k="$peak_median" 'BEGIN {printf "%.2f GB", k * 1024 / 1e9}'), $(awk -v k="$peak_median" -v m="$arcs" 'BEGIN {printf "%.1f", k * 1024 / m}') bytes per arc, all included"
  # The phase profile of the repeat whose wall time is closest to the median (with an even
  # number of repeats the median is no repeat's own).
  local closest
  closest=$(printf '%s\n' "${walls[@]}" | awk -v m="$wall_median" \
    '{d = $1 - m; if (d < 0) d = -d; if (NR == 1 || d < best) {best = d; at = NR}} END {print at}')
  if grep -q '^profile' "$work/out.$closest.txt"; then
    echo "   profile of repeat $closest:"
    sed -n '/^profile/,$p' "$work/out.$closest.txt" | sed 's/^/   /'
  fi
}

scenario=$(dirname "$0")/../scenarios/polito_baseline.yaml
measure "wechat_like generation, 1e6 users, 1.5e8 arcs, written to a cache" 150000000 \
  "$softpower" graph generate "$scenario" --set graph.n=1e6 -o "$work/wl1m.h5"
measure "polito_baseline, 1e6 users, 1 run x 30 days, graph generated in the run" 150000000 \
  "$softpower" run "$scenario" --set graph.n=1e6 --set time.horizon_days=30 --set runs=1 \
  -o "$work/run1m.h5" --profile -q
if [ "$large" = "--large" ]; then
  repeats=1 measure "polito_baseline, 1e7 users, 5e8 arcs (mean degree 50), 1 run x 7 days" 500000000 \
    "$softpower" run "$scenario" --set graph.n=1e7 --set graph.mean_degree=50 --set time.horizon_days=7 \
    --set runs=1 -o "$work/run10m.h5" --profile -q
fi

#!/usr/bin/env bash
# What `softpower export` costs on a 1,000,000-vertex graph. One run of an independent cascade
# on an Erdos-Renyi graph (mean degree 6: 6,000,000 arcs) records its events; then, REPEATS
# times, alternately:
#   graph    `softpower graph generate` of the same graph: the baseline, since an export
#            rebuilds the graph from the stored scenario and checks its checksum;
#   full     the whole graph as static GEXF 1.3 (every vertex and arc);
#   dynamic  the whole graph as dynamic GEXF 1.3;
#   sample   a random sample of 50,000 users (what Gephi takes comfortably).
# Prints each time and peak RSS, the medians and their ratios to the baseline, and the sizes.
# Usage: bench/export_scale.sh BUILD_DIR [REPEATS]
set -euo pipefail
build=${1:-build/release}
repeats=${2:-3}
softpower=$build/apps/softpower
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
graph=(--set graph.type=erdos_renyi --set graph.n=1000000 --set graph.mean_degree=6 --set graph.seed=3)
cat > "$work/scale.yaml" <<'EOF'
name: export_scale
seed: 5
time: {step_hours: 1, horizon_days: 2}
institution: {placement: new, followers: 2000}
diffusion: {model: independent_cascade, open_probability: 0.5, share_probability: 0.4, activity: 1.0}
strategy: {model: posting, account_type: subscription, push_every_hours: 24, articles_per_push: 2}
export: {}
EOF
"$softpower" run "$work/scale.yaml" "${graph[@]}" -o "$work/scale.h5" -q
# wall seconds and peak RSS (KiB) of one command
measure() { /usr/bin/time -f "%e %M" "$@" 2>&1 >/dev/null | tail -n 1; }
declare -A times rss
for i in $(seq 1 "$repeats"); do
  line="repeat $i:"
  for kind in graph full dynamic sample; do
    case $kind in
      graph) cmd=("$softpower" graph generate "${graph[@]}" -o "$work/graph.h5") ;;
      full) cmd=("$softpower" export "$work/scale.h5" --gexf "$work/full.gexf" -q) ;;
      dynamic) cmd=("$softpower" export "$work/scale.h5" --gexf "$work/dynamic.gexf" --dynamic -q) ;;
      sample) cmd=("$softpower" export "$work/scale.h5" --gexf "$work/sample.gexf" --sample random --vertices 50000 -q) ;;
    esac
    read -r t m < <(measure "${cmd[@]}")
    times[$kind]+="$t "
    rss[$kind]="$m"
    line+=" $kind $t s ($((m / 1024)) MiB)"
  done
  echo "$line"
done
median() { printf '%s\n' $1 | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
base=$(median "${times[graph]}")
for kind in graph full dynamic sample; do
  m=$(median "${times[$kind]}")
  awk -v k="$kind" -v m="$m" -v b="$base" -v r="${rss[$kind]}" \
    'BEGIN {printf "median %-8s %6.2f s  x%.2f of graph generation  peak RSS %d MiB\n", k, m, m / b, r / 1024}'
done
ls -l "$work"/*.gexf | awk '{printf "%s: %.0f MB\n", $NF, $5 / 1e6}'

#!/usr/bin/env bash
# Writes the HDF5 seed corpus of fuzz_graph_cache and fuzz_result_reader with a softpower build:
# small graph caches (plain, weighted and labelled, with regions and communities) and small
# result files (a run with attitude snapshots, a sweep, a run with events). Rerun after a
# change of either file layout.
# Usage: fuzz/make_corpus.sh SOFTPOWER_EXE
set -euo pipefail
exe=${1:?usage: fuzz/make_corpus.sh SOFTPOWER_EXE}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
caches=$here/corpus/graph_cache
results=$here/corpus/result_reader
mkdir -p "$caches" "$results"

"$exe" graph generate --set graph.type=erdos_renyi --set graph.n=24 --set graph.mean_degree=3 -o "$caches/erdos_renyi" >/dev/null
"$exe" graph generate --set graph.type=wechat_like --set graph.n=40 --set graph.mean_degree=4 \
  --set graph.community_size=10 -o "$caches/wechat_like" >/dev/null
printf 'a b 1.5\nb c 2\nc a 0.5\nd a 1\n' >"$work/edges.txt"
printf 'id region community\na 0 0\nb 1 0\nc 0 1\nd 1 1\n' >"$work/nodes.txt"
"$exe" graph import "$work/edges.txt" --weighted --nodes "$work/nodes.txt" -o "$caches/labelled_weighted_attributes" >/dev/null

cat >"$work/tiny.yaml" <<'YAML'
name: tiny
seed: 3
runs: 2
time: {step_hours: 24, horizon_days: 3}
graph: {type: erdos_renyi, n: 30, mean_degree: 4, seed: 1}
institution: {placement: new, followers: 10}
diffusion: {model: wechat_feed}
attitude: {model: bounded_confidence, snapshot_every_hours: 48}
strategy: {model: posting, push_every_hours: 24, articles_per_push: 2}
censorship: {strength: 0.5, takedown: {}, share_filter: {}}
YAML
"$exe" run "$work/tiny.yaml" -q -o "$results/run_attitude" >/dev/null
cat "$work/tiny.yaml" - >"$work/sweep.yaml" <<'YAML'
sweep:
  replicates: 1
  axes:
    censorship.strength: [0, 1]
YAML
"$exe" sweep "$work/sweep.yaml" -q -o "$results/sweep" >/dev/null
cat "$work/tiny.yaml" - >"$work/events.yaml" <<'YAML'
export: {gexf: tiny.gexf}
YAML
"$exe" run "$work/events.yaml" -q --set runs=1 -o "$results/run_events" >/dev/null
rm -f "$work"/*.gexf "$results"/*.gexf
ls -l "$caches" "$results"

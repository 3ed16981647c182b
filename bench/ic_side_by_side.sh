#!/usr/bin/env bash
# The independent cascade side by side (issue 11): the engine on 1 and 2 threads and the bare
# serial CSR loop (bench/cascade_bench, one process per case), and graph-tool's SIRState with
# gamma = 1 on 1 and 2 threads (bench/ic_graph_tool.py, one process per case), on the same
# graph caches and from the same source vertices:
#   er_p0.2  Erdos-Renyi n = 1e6, mean degree 10, p = 0.2 (supercritical, final fraction 0.797)
#   er_p0.1  the same graph, p = 0.1 (critical: c p = 1)
#   ba_p0.1  Barabasi-Albert n = 1e6, m = 5, p = 0.1
# Prints the table (bench/ic_table.py) and writes it, with the machine description and the
# commands, to bench/results/<date>-<host>.md. Without graph-tool its columns say why.
# Runs per case: 11 at p = 0.2 (about 9 large cascades), 21 elsewhere (BA at p = 0.1 turns
# large about 4 times in 10; critical cascades are cheap); RUNS replaces all three.
# Usage: bench/ic_side_by_side.sh BUILD_DIR [RUNS]
set -euo pipefail
build=${1:-build/release}
runs_override=${2:-}
here=$(cd "$(dirname "$0")" && pwd)
softpower=$build/apps/softpower
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
n=1000000
python=${PYTHON:-/usr/bin/python3}  # the Debian interpreter, where python3-graph-tool installs

echo "== graphs (softpower graph generate, once; both sides load these files)"
"$softpower" graph generate --set graph.type=erdos_renyi --set graph.n=$n --set graph.mean_degree=10 \
  --set graph.seed=1 -o "$work/er.h5"
"$softpower" graph generate --set graph.type=barabasi_albert --set graph.n=$n --set graph.m=5 \
  --set graph.seed=1 -o "$work/ba.h5"

cases=("er_p0.2 er 0.2 11" "er_p0.1 er 0.1 21" "ba_p0.1 ba 0.1 21")
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
graph_tool_missing=
records=()
for c in "${cases[@]}"; do
  read -r name graph p runs <<<"$c"
  runs=${runs_override:-$runs}
  echo
  echo "== $name: engine (1, 2 threads) and bare loop, $runs runs"
  "$build/bench/cascade_bench" --graph "$work/$graph.h5" --p "$p" --runs "$runs" --threads 1 2 \
    --case "$name" --records "$work/$name.engine.tsv" --sources-out "$work/$name.sources"
  records+=("$work/$name.engine.tsv")
  [ -n "$graph_tool_missing" ] && continue
  echo "== $name: graph-tool SIRState(beta=$p, gamma=1) (1, 2 threads), the same sources"
  status=0
  OMP_NUM_THREADS=2 "$python" "$here/ic_graph_tool.py" --graph "$work/$graph.h5" --p "$p" \
    --sources "$work/$name.sources" --threads 1 2 --case "$name" --records "$work/$name.gt.tsv" \
    >"$work/gt.log" 2>&1 || status=$?
  cat "$work/gt.log"
  if [ "$status" -eq 0 ]; then
    records+=("$work/$name.gt.tsv")
  elif [ "$status" -eq 3 ]; then
    graph_tool_missing=$(grep -m1 'graph-tool unavailable' "$work/gt.log" || echo "import failed")
  else
    graph_tool_missing="ic_graph_tool.py failed with status $status (log above)"
  fi
done

load_after=$(cut -d' ' -f1-3 /proc/loadavg)
date=$(date +%F)
host=$(hostname -s)
mkdir -p "$here/results"
result=$here/results/$date-$host.md
compiler=$(sed -n 's/^CMAKE_CXX_COMPILER:[A-Z]*=//p' "$build/CMakeCache.txt")
gt_version=$("$python" -c 'import graph_tool; print(graph_tool.__version__)' 2>/dev/null || echo "not installed")
{
  echo "# Independent cascade side by side: $date on $host"
  echo
  echo "Produced by \`make bench\` (bench/ic_side_by_side.sh $build${runs_override:+ $runs_override}), commit $(git -C "$here" rev-parse --short HEAD 2>/dev/null || echo unknown)."
  echo
  echo "## Machine"
  echo
  echo "- CPU: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores available ($(lscpu | sed -n 's/^CPU(s): *//p') CPUs, $(lscpu | sed -n 's/^Thread(s) per core: *//p') thread(s) per core)"
  echo "- memory: $(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)"
  echo "- kernel: $(uname -sr)"
  echo "- compiler: $("$compiler" --version | head -n 1)"
  echo "- load average (1, 5, 15 min) before: $load_before; after: $load_after (other users of the machine)"
  echo "- graph-tool: $gt_version; Python $("$python" -c 'import platform; print(platform.python_version())')"
  echo
  echo "## Commands"
  echo
  echo '```'
  echo "softpower graph generate --set graph.type=erdos_renyi --set graph.n=$n --set graph.mean_degree=10 --set graph.seed=1 -o er.h5"
  echo "softpower graph generate --set graph.type=barabasi_albert --set graph.n=$n --set graph.m=5 --set graph.seed=1 -o ba.h5"
  for c in "${cases[@]}"; do
    read -r name graph p runs <<<"$c"
    runs=${runs_override:-$runs}
    echo "cascade_bench --graph $graph.h5 --p $p --runs $runs --threads 1 2 --case $name --records $name.engine.tsv --sources-out $name.sources"
    echo "OMP_NUM_THREADS=2 python3 bench/ic_graph_tool.py --graph $graph.h5 --p $p --sources $name.sources --threads 1 2 --case $name --records $name.gt.tsv"
  done
  echo '```'
  echo
  echo "## Results"
  echo
  "$python" "$here/ic_table.py" "${records[@]}" --users $n \
    --case "er_p0.2=ER <k>=10, p=0.2 (supercritical)" \
    --case "er_p0.1=ER <k>=10, p=0.1 (critical)" \
    --case "ba_p0.1=BA m=5, p=0.1" \
    --large-only er_p0.2 --large-only ba_p0.1 \
    --graph-tool-missing "$graph_tool_missing"
} >"$result"
echo
cat "$result"
echo
echo "written to $result"

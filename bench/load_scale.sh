#!/usr/bin/env bash
# Graph loading at scale (issues 11 and 17): a 5,000,000-edge text list (1,000,000 vertices,
# random pairs), the graph cache of that list, and the cache of a wechat_like graph with 1e6
# users and 1.5e8 arcs. Each is loaded by `softpower run --profile` of a one-day scenario, which
# prints the graph's build time (load, checks, checksum, the institution's vertex): medians
# of REPEATS, each load run with huge pages (the default) and with SOFTPOWER_HUGE_PAGES=0,
# alternating, so the two columns share the machine's state. Needs /usr/bin/python3 with numpy
# to write the list, and about 3 GB of memory.
# Usage: bench/load_scale.sh BUILD_DIR [REPEATS]
set -euo pipefail
build=${1:-build/release}
repeats=${2:-3}
softpower=$(realpath "$build/apps/softpower")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }

/usr/bin/python3 - "$work/edges.txt" <<'PY'
import sys
import numpy as np
rng = np.random.default_rng(1)
pairs = rng.integers(0, 1_000_000, size=(5_000_000, 2))
np.savetxt(sys.argv[1], pairs, fmt="%d", delimiter=" ")
PY
"$softpower" graph import "$work/edges.txt" -o "$work/edges.h5" >/dev/null
"$softpower" graph generate --set graph.type=wechat_like --set graph.n=1e6 --set graph.mean_degree=150 \
  -o "$work/wl1m.h5" >/dev/null

graph_seconds() {  # scenario graph block -> seconds to build the graph, from --profile
  printf 'name: load\nruns: 1\ntime: {horizon_days: 1}\ninstitution: {placement: new, followers: 1000}\ngraph: %s\n' \
    "$1" >"$work/load.yaml"
  SOFTPOWER_HUGE_PAGES=$HP "$softpower" run "$work/load.yaml" -o "$work/out.h5" --profile -q | sed -n 's/^profile    graph \([0-9.]*\) s.*/\1/p'
}
for case in "edge list, 5e6 lines|{type: edge_list, path: edges.txt}" \
            "cache of that list|{type: cache, path: edges.h5}" \
            "wechat_like cache, 1e6 users, 1.5e8 arcs|{type: cache, path: wl1m.h5}"; do
  name=${case%%|*}
  on=(); off=()
  for i in $(seq 1 "$repeats"); do
    off+=("$(HP=0 graph_seconds "${case#*|}")"); on+=("$(HP=1 graph_seconds "${case#*|}")")
  done
  echo "$name: huge pages $(median "${on[@]}") s (${on[*]}); 4 KiB pages $(median "${off[@]}") s (${off[*]})"
done

#!/usr/bin/env bash
# Integration test against a real Slurm: a private one-node cluster (tests/support/
# slurm_one_node.sh) runs the shipped array script scripts/slurm/sweep.sbatch; the merged shards
# must equal a single-process sweep, dataset for dataset. Then a job is sent SIGUSR1 the way
# Slurm does before a time limit (scancel --signal=USR1 --batch): it must exit with status 75
# and keep its checkpoint, and resubmitting the same script must finish the identical file.
#
# usage: slurm_test.sh SOFTPOWER_EXE PROJECT_DIR PYTHON
# Needs root (slurmd launches jobs as root here). Exit 77 (skipped) when not root.
set -euo pipefail
softpower=$(readlink -f "$1")
project=$(readlink -f "$2")
python=$3
harness=$project/tests/support/slurm_one_node.sh
compare=$project/tests/apps/compare_results.py
export PATH="$PATH:/usr/sbin:/sbin"

if [ "$(id -u)" -ne 0 ]; then
  echo "slurm_test: skipped: the one-node cluster needs root" >&2
  exit 77
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/softpower-slurm.XXXXXX")
chmod 755 "$work"  # munged refuses a socket under a folder that not everyone can enter
cluster=$work/cluster
cleanup() {
  bash "$harness" stop "$cluster" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
fail() {
  echo "slurm_test: FAIL: $*" >&2
  for f in "$work"/*.out; do [ -f "$f" ] && { echo "---- $f" >&2; tail -n 20 "$f" >&2; }; done
  [ -f "$cluster/log/jobcomp.txt" ] && { echo "---- jobcomp" >&2; cat "$cluster/log/jobcomp.txt" >&2; }
  exit 1
}

cluster_env=$(bash "$harness" start "$cluster") || fail "the one-node Slurm cluster did not start"
eval "$cluster_env"

cat >"$work/s.yaml" <<'YAML'
name: slurm_sweep
seed: 11
time: {step_hours: 2, horizon_days: 14}
graph: {type: wechat_like, n: 3000, mean_degree: 30, community_size: 300, seed: 3}
institution: {placement: new, followers: 400}
diffusion: {model: wechat_feed}
attitude: {model: bounded_confidence, snapshot_every_hours: 168}
strategy: {model: posting, push_every_hours: 24, articles_per_push: 2}
censorship: {strength: 0.5, takedown: {}, share_filter: {}}
sweep:
  replicates: 4
  axes:
    censorship.strength: [0, 1]
    strategy.articles_per_push: [1, 3]
YAML

"$softpower" sweep "$work/s.yaml" -o "$work/reference.h5" --threads 2 -q

# Waits until job $1 has left the queue; prints its final state line from the job log.
wait_job() {
  local deadline=$((SECONDS + 180))
  while squeue -h -j "$1" 2>/dev/null | grep -q .; do
    [ $SECONDS -lt $deadline ] || fail "job $1 still queued after 180 s"
    sleep 0.3
  done
}

# --- 1. an array of 3 shards, merged --------------------------------------------------------
submit=(sbatch --parsable --chdir="$work" --output="$work/array-%A_%a.out" --cpus-per-task=1
        --mem-per-cpu=200M)
jid=$(SOFTPOWER="$softpower" "${submit[@]}" --array=0-2 "$project/scripts/slurm/sweep.sbatch" \
      "$work/s.yaml" "$work/sharded.h5")
wait_job "$jid"
for k in 0 1 2; do
  [ -f "$work/sharded.shard-$k-of-3.h5" ] || fail "shard $k of job $jid is missing"
done
"$softpower" merge "$work"/sharded.shard-*-of-3.h5 -o "$work/merged.h5"
"$python" "$compare" "$work/reference.h5" "$work/merged.h5" || fail "merged shards differ from the single-process sweep"
echo "slurm_test: array of 3 shards merged into the single-process result"

# --- 2. SIGUSR1 to the batch step, then resubmit ----------------------------------------------
sed -e 's/horizon_days: 14/horizon_days: 56/' -e 's/replicates: 4/replicates: 8/' "$work/s.yaml" >"$work/long.yaml"
"$softpower" sweep "$work/long.yaml" -o "$work/long-reference.h5" --threads 2 -q
jid=$(SOFTPOWER="$softpower" "${submit[@]}" --array=0 "$project/scripts/slurm/sweep.sbatch" \
      "$work/long.yaml" "$work/long.h5")
deadline=$((SECONDS + 120))
until ls "$work"/long.h5.checkpoint/seg-*.runs >/dev/null 2>&1; do
  [ $SECONDS -lt $deadline ] || fail "job $jid wrote no checkpoint within 120 s"
  squeue -h -j "$jid" | grep -q . || fail "job $jid ended before it could be signalled"
  sleep 0.05
done
sent=$SECONDS
scancel --signal=USR1 --batch "${jid}_0" 2>/dev/null || scancel --signal=USR1 --batch "$jid"
wait_job "$jid"
[ $((SECONDS - sent)) -le 15 ] || fail "job $jid took $((SECONDS - sent)) s to stop after SIGUSR1"
grep -q "SIGUSR1 received" "$work"/array-"$jid"_0.out || fail "job $jid did not report SIGUSR1"
exit_code=$(scontrol show job "$jid" | grep -o " ExitCode=[0-9:]*" | head -n 1)
[ "$exit_code" = " ExitCode=75:0" ] || fail "job $jid ended with${exit_code:- no exit code}, not status 75"
[ ! -f "$work/long.h5" ] || fail "an interrupted job left a final-looking file"
echo "slurm_test: SIGUSR1 stopped job $jid in $((SECONDS - sent)) s with status 75"

jid=$(SOFTPOWER="$softpower" "${submit[@]}" --array=0 "$project/scripts/slurm/sweep.sbatch" \
      "$work/long.yaml" "$work/long.h5")
wait_job "$jid"
grep -q "from the checkpoint" "$work"/array-"$jid"_0.out || fail "the resubmitted job did not resume"
"$python" "$compare" "$work/long-reference.h5" "$work/long.h5" || fail "the resumed sweep differs from an uninterrupted one"
echo "slurm_test: the resubmitted job resumed and matches the uninterrupted sweep"

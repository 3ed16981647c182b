#!/usr/bin/env bash
# slurm_one_node.sh - start/stop a private one-node Slurm cluster (munged + slurmctld + slurmd)
# on this machine, for integration tests (tests/apps/slurm_test.sh). No systemd, no cgroups, no
# accounting database. Taken from the team's reference recipe (shared/reference), unchanged in
# behaviour, so that the test harness lives in the repository.
#
#   eval "$(slurm_one_node.sh start [DIR])"   # DIR defaults to a fresh mktemp -d
#   sbatch --array=0-3 --wrap '...'            # uses $SLURM_CONF printed by start
#   slurm_one_node.sh stop DIR                 # cancels jobs, kills the daemons by recorded pid
#                                              # (DIR and its logs are kept; rm -rf it yourself)
#   slurm_one_node.sh status DIR
#
# Everything (config, munge key + socket, state, spool, logs, pid files) lives under DIR.
# stdout of `start` is only `export VAR=...` lines (safe to eval); progress goes to stderr.
# Requires root (SlurmUser=root, slurmd must be able to launch jobs); tested on Debian 12
# (slurm-wlm 22.05.8, munge 0.5.15). Ports: free ones are picked at random unless
# SLURMCTLD_PORT / SLURMD_PORT are set, so several clusters can coexist on one host.
# Timings here (2 cores): start 0.6 s, 4-task array of trivial jobs 3.7 s (waves ~1 s apart),
# stop <0.5 s. Tests should `trap '... stop DIR' EXIT` so a failed test leaks no daemons.
# Facts for tests:  no sacct (accounting off); finished jobs: `scontrol show job ID` (JobState,
# ExitCode; records kept 300 s = default MinJobAge) or grep DIR/log/jobcomp.txt.  `sbatch --wait` works (exit code =
# worst task) but polls slowly (2-10 s); polling output files is faster.  `--signal=B:USR1@N`
# arrives up to ~30 s EARLY (time-limit check is periodic); for a deterministic signal use
# `scancel --signal=USR1 --batch JOBID` (delivered in ~0.1 s).
set -euo pipefail
export PATH="$PATH:/usr/sbin:/sbin"

log() { echo "slurm-one-node: $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

ensure_packages() {
    local missing=()
    command -v munged    >/dev/null 2>&1 || missing+=(munge)
    command -v slurmctld >/dev/null 2>&1 || missing+=(slurmctld)
    command -v slurmd    >/dev/null 2>&1 || missing+=(slurmd)
    command -v sbatch    >/dev/null 2>&1 || missing+=(slurm-client)
    [ ${#missing[@]} -eq 0 ] && return 0
    [ "$(id -u)" -eq 0 ] || die "missing packages: ${missing[*]} (install as root)"
    log "installing ${missing[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y \
        --no-install-recommends "${missing[@]}" >&2
}

port_free() {  # true if nothing listens on 127.0.0.1:$1
    ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

pick_ports() {
    if [ -n "${SLURMCTLD_PORT:-}" ] && [ -n "${SLURMD_PORT:-}" ]; then
        CTLD_PORT=$SLURMCTLD_PORT; SLURMD_PORT_=$SLURMD_PORT; return 0
    fi
    local p
    for _ in $(seq 1 50); do
        p=$(( 20000 + (RANDOM * 32768 + RANDOM) % 40000 ))
        if port_free "$p" && port_free $((p + 1)); then
            CTLD_PORT=$p; SLURMD_PORT_=$((p + 1)); return 0
        fi
    done
    die "could not find two free ports"
}

# true if pid $1 is alive (not a zombie) and, when $2 is given, its command name starts with $2
is_running() {
    local st comm
    [ -n "${1:-}" ] || return 1
    st=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
    case "$st" in Z*) return 1 ;; esac
    if [ -n "${2:-}" ]; then
        comm=$(ps -o comm= -p "$1" 2>/dev/null) || return 1
        case "$comm" in "$2"*) ;; *) return 1 ;; esac
    fi
}

# Start a foreground daemon in its own session, detached from our stdio, and record its pid.
# `setsid` execs in place (we are not a process-group leader), so $! is the daemon itself.
spawn() {
    local name=$1; shift
    setsid "$@" </dev/null >"$DIR/log/$name.out" 2>&1 &
    echo "$!" >"$DIR/run/$name.pid.rec"
    log "$name pid $!"
}

dump_logs() {
    local f
    for f in "$DIR"/log/*; do
        [ -f "$f" ] || continue
        echo "---- $f (tail)" >&2; tail -n 15 "$f" >&2
    done
}

cmd_start() {
    [ "$(id -u)" -eq 0 ] || die "must run as root"
    ensure_packages
    DIR=${1:-$(mktemp -d "${TMPDIR:-/tmp}/slurm-one-node.XXXXXX")}
    mkdir -p "$DIR"
    DIR=$(cd "$DIR" && pwd)
    if [ -f "$DIR/run/slurmctld.pid.rec" ] && is_running "$(cat "$DIR/run/slurmctld.pid.rec")" slurmctld; then
        die "a cluster is already running in $DIR (stop it first)"
    fi
    rm -rf "$DIR/state" "$DIR/spool" "$DIR/run" "$DIR/munge"
    mkdir -p "$DIR/state" "$DIR/spool" "$DIR/run" "$DIR/log" "$DIR/munge"
    # munged insists: socket dir executable by all, key dir private, no group/other-writable dirs.
    chmod 755 "$DIR" "$DIR/run" "$DIR/log"
    chmod 700 "$DIR/munge"

    local host cpus mem t0
    t0=$(date +%s.%N)
    host=$(hostname -s 2>/dev/null || uname -n | cut -d. -f1)
    cpus=$(nproc)
    mem=$(free -m | awk '/^Mem:/{print $2}')
    pick_ports

    # --- munge ---------------------------------------------------------------------------
    if command -v mungekey >/dev/null 2>&1; then
        mungekey --create --keyfile="$DIR/munge/munge.key" >&2
    else
        dd if=/dev/urandom of="$DIR/munge/munge.key" bs=1 count=1024 status=none
    fi
    chmod 600 "$DIR/munge/munge.key"
    spawn munged munged --foreground \
        --key-file="$DIR/munge/munge.key" --socket="$DIR/run/munge.socket" \
        --pid-file="$DIR/run/munged.pid" --seed-file="$DIR/munge/munged.seed" \
        --log-file="$DIR/log/munged.log"

    for _ in $(seq 1 100); do [ -S "$DIR/run/munge.socket" ] && break; sleep 0.1; done
    munge -S "$DIR/run/munge.socket" -n </dev/null | unmunge -S "$DIR/run/munge.socket" >/dev/null \
        || { dump_logs; cmd_stop "$DIR"; die "munged not working"; }

    # --- slurm.conf ------------------------------------------------------------------------
    cat >"$DIR/slurm.conf" <<EOF
# generated by slurm-one-node.sh
ClusterName=onenode
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$CTLD_PORT
SlurmdPort=$SLURMD_PORT_
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$DIR/run/munge.socket
StateSaveLocation=$DIR/state
SlurmdSpoolDir=$DIR/spool
SlurmctldPidFile=$DIR/run/slurmctld.pid
SlurmdPidFile=$DIR/run/slurmd.pid
SlurmctldLogFile=$DIR/log/slurmctld.log
SlurmdLogFile=$DIR/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
MailProg=/bin/true
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
MpiDefault=none
SwitchType=switch/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
# one line per finished job (JobId, JobState, ExitCode, ...): greppable instead of sacct
JobCompType=jobcomp/filetxt
JobCompLoc=$DIR/log/jobcomp.txt
SchedulerType=sched/backfill
# default batch_sched_delay=3 spaces array waves 3 s apart; 0 gives ~1 s
SchedulerParameters=batch_sched_delay=0,sched_min_interval=0
ReturnToService=2
KillWait=5
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF
    export SLURM_CONF="$DIR/slurm.conf"

    # --- daemons ---------------------------------------------------------------------------
    spawn slurmctld slurmctld -D -f "$SLURM_CONF"
    for _ in $(seq 1 100); do scontrol ping >/dev/null 2>&1 && break; sleep 0.2; done
    scontrol ping >/dev/null 2>&1 || { dump_logs; cmd_stop "$DIR"; die "slurmctld did not come up"; }
    spawn slurmd slurmd -D -N "$host" -f "$SLURM_CONF"

    local state=""
    for _ in $(seq 1 150); do
        state=$(sinfo -h -n "$host" -o %T 2>/dev/null || true)
        [ "$state" = idle ] && break
        sleep 0.2
    done
    if [ "$state" != idle ]; then
        dump_logs; cmd_stop "$DIR"; die "node $host not idle (state '$state')"
    fi
    log "cluster up in $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}') s:" \
        "node $host, $cpus CPUs, ${mem} MB, ctld port $CTLD_PORT, dir $DIR"
    echo "export SLURM_CONF=$DIR/slurm.conf"
    echo "export SLURM_ONE_NODE_DIR=$DIR"
}

cmd_stop() {
    DIR=${1:?usage: $0 stop DIR}
    [ -d "$DIR/run" ] || die "$DIR is not a slurm-one-node dir"
    export SLURM_CONF="$DIR/slurm.conf"
    local pid name pids=() names=()
    # Cancel remaining jobs first: slurmstepd processes outlive slurmd otherwise.
    pid=$(cat "$DIR/run/slurmctld.pid.rec" 2>/dev/null || true)
    if is_running "$pid" slurmctld && [ -f "$SLURM_CONF" ]; then
        local jobs
        jobs=$(squeue -h -o %A 2>/dev/null | sort -u || true)
        if [ -n "$jobs" ]; then
            log "cancelling jobs: $(tr "\n" " " <<<"$jobs")"
            # shellcheck disable=SC2086
            scancel $jobs 2>/dev/null || true
            for _ in $(seq 1 100); do [ -z "$(squeue -h 2>/dev/null)" ] && break; sleep 0.2; done
        fi
    fi
    # TERM all recorded daemons at once (each takes 1-2 s to exit), then wait, then KILL stragglers.
    for name in slurmd slurmctld munged; do
        pid=$(cat "$DIR/run/$name.pid.rec" 2>/dev/null || true)
        is_running "$pid" "$name" || continue
        kill -TERM "$pid" 2>/dev/null || true
        pids+=("$pid"); names+=("$name")
    done
    local k
    for k in "${!pids[@]}"; do
        for _ in $(seq 1 100); do is_running "${pids[$k]}" || break; sleep 0.1; done
        if is_running "${pids[$k]}"; then
            log "${names[$k]} (${pids[$k]}) ignored TERM, sending KILL"
            kill -KILL "${pids[$k]}" 2>/dev/null || true
        fi
        log "stopped ${names[$k]} (${pids[$k]})"
    done
    rm -f "$DIR"/run/*.pid.rec
}

cmd_status() {
    DIR=${1:?usage: $0 status DIR}
    local name pid rc=0
    for name in munged slurmctld slurmd; do
        pid=$(cat "$DIR/run/$name.pid.rec" 2>/dev/null || true)
        if is_running "$pid" "$name"; then echo "$name running ($pid)"; else echo "$name not running"; rc=1; fi
    done
    [ $rc -eq 0 ] && SLURM_CONF="$DIR/slurm.conf" sinfo
    return $rc
}

case "${1:-start}" in
    start)  shift || true; cmd_start "$@" ;;
    stop)   shift; cmd_stop "$@" ;;
    status) shift; cmd_status "$@" ;;
    -h|--help|help) sed -n '2,22p' "$0" ;;
    *)      cmd_start "$@" ;;   # bare DIR = start DIR
esac

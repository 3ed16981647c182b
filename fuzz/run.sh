#!/usr/bin/env bash
# Runs libFuzzer harnesses for a bounded time each (`make fuzz`; fuzz/README.md).
# Usage: fuzz/run.sh BUILD_DIR SECONDS [HARNESS...]   (default: every harness)
#   SECONDS > 0: fuzz each harness that long, one after the other, one process (-jobs=1
#   equivalent), starting from fuzz/corpus/NAME; new interesting inputs go to
#   BUILD_DIR/corpus/NAME, crashes to BUILD_DIR/artifacts/NAME/.
#   SECONDS = 0: only replay fuzz/corpus/NAME (the regression cases) through each harness.
# Extra libFuzzer flags: FUZZ_FLAGS (e.g. FUZZ_FLAGS=-runs=10000000).
# Prints one line per harness with its executions; exits 1 if any harness found a crash.
set -uo pipefail
build=${1:?usage: fuzz/run.sh BUILD_DIR SECONDS [HARNESS...]}
seconds=${2:?usage: fuzz/run.sh BUILD_DIR SECONDS [HARNESS...]}
shift 2
here=$(cd "$(dirname "$0")" && pwd)
harnesses=("$@")
[ ${#harnesses[@]} -eq 0 ] && harnesses=(scenario edge_list graphml graph_cache result_reader)
# -rss_limit_mb: a reader must not need more than this for any input of at most -max_len bytes.
common=(-rss_limit_mb=2048 -timeout=30 -print_final_stats=1)
# allocator_may_return_null: a damaged HDF5 file can make libhdf5 itself ask malloc for petabytes;
# in production malloc returns NULL and HDF5 reports an error (an InputError here), so the
# harness must see the same.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$here/lsan.supp}
# The probe (sim/hdf5_probe.cpp) must give up on a looping file before libFuzzer calls it a timeout.
export SOFTPOWER_HDF5_PROBE_SECONDS=${SOFTPOWER_HDF5_PROBE_SECONDS:-5}
failed=0
for name in "${harnesses[@]}"; do
  exe=$build/fuzz/fuzz_$name
  seeds=$here/corpus/$name
  [ -x "$exe" ] || { echo "fuzz: $exe is missing: build with \`cmake --preset fuzz && cmake --build --preset fuzz\`" >&2; exit 2; }
  dict=()
  [ -f "$here/dict/$name.dict" ] && dict=(-dict="$here/dict/$name.dict")
  log=$build/logs/$name.log
  mkdir -p "$build/logs" "$build/corpus/$name" "$build/artifacts/$name"
  if [ "$seconds" -eq 0 ]; then
    # Every file of the seed corpus once: the regression cases of earlier crashes among them.
    "$exe" "${common[@]}" ${FUZZ_FLAGS:-} "$seeds"/* >"$log" 2>&1
  else
    "$exe" "${common[@]}" "${dict[@]}" -max_total_time="$seconds" -artifact_prefix="$build/artifacts/$name/" \
      ${FUZZ_FLAGS:-} "$build/corpus/$name" "$seeds" >"$log" 2>&1
  fi
  status=$?
  execs=$(grep -o 'stat::number_of_executed_units: [0-9]*' "$log" | tail -n 1 | grep -o '[0-9]*$')
  secs=$(grep -o 'Done [0-9]* runs in [0-9]* second' "$log" | tail -n 1 | grep -o 'in [0-9]*' | grep -o '[0-9]*')
  if [ $status -eq 0 ]; then
    printf 'fuzz %-14s ok      %12s executions%s  (log %s)\n' "$name" "${execs:-?}" "${secs:+ in $secs s}" "$log"
  else
    printf 'fuzz %-14s FAILED  exit %s: see %s and %s\n' "$name" "$status" "$log" "$build/artifacts/$name/" >&2
    grep -m 3 -E 'ERROR:|SUMMARY:|runtime error' "$log" >&2
    failed=1
  fi
done
exit $failed

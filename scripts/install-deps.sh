#!/usr/bin/env bash
# Installs the Debian packages softpower needs, and only those that are missing.
# `apt-get update` runs only when something has to be installed, so a warm
# machine pays nothing.
# Usage: install-deps.sh [--test | --bench | --fuzz]
#   (none)   what the build and `make run` need
#   --test   the packages only tests use (Chromium for the report's rendering test, a one-node
#            Slurm cluster for the sbatch test); `make test` installs them before ctest
#   --bench  the packages only `make bench` uses (graph-tool, the comparison point of
#            bench/ic_graph_tool.py); the build, `make test` and `make run` never need them.
#   --fuzz   clang and its runtime libraries (libFuzzer, sanitizers) for `make fuzz`.
set -euo pipefail

packages=(
  build-essential cmake make pkg-config
  libboost-graph-dev libtbb-dev libeigen3-dev libhdf5-dev
  libyaml-cpp-dev libcli11-dev libfmt-dev librandom123-dev
  libgtest-dev libgmock-dev libbenchmark-dev zlib1g-dev
  python3 python3-h5py python3-numpy python3-networkx
  libxml2-utils
  librsvg2-bin
  libopenmpi-dev openmpi-bin
)
test_packages=(chromium munge slurmctld slurmd slurm-client)
bench_packages=(python3-graph-tool)
fuzz_packages=(clang libclang-rt-14-dev)

case "${1:-}" in
  --test) packages=("${test_packages[@]}") ;;
  --bench) packages=("${bench_packages[@]}") ;;
  --fuzz) packages=("${fuzz_packages[@]}") ;;
  "") ;;
  *) echo "usage: $0 [--test | --bench | --fuzz]" >&2; exit 2 ;;
esac

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  sudo_cmd=sudo
else
  sudo_cmd=
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo_cmd apt-get update -qq
$sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}"

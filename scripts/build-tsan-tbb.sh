#!/usr/bin/env bash
# Builds oneTBB with ThreadSanitizer into PREFIX, for `make test-tsan`.
#
# Debian's libtbb.so is not instrumented, so TSan cannot see the synchronisation by which a TBB
# worker hands a task back and reports races on TBB's own objects (docs/reliability.md). This
# builds the very source of the installed libtbb-dev (Debian's source package, its patches
# applied) with -fsanitize=thread. The source comes from the deb-src twin of the machine's own
# Debian sources, through a private apt configuration: the system's apt setup is not changed.
# Runs once: a stamp in PREFIX names the version built, and a later call with the same version
# does nothing.
# Usage: scripts/build-tsan-tbb.sh [PREFIX]   (default build/tbb-tsan)
set -euo pipefail
prefix=$(realpath -m "${1:-build/tbb-tsan}")
jobs=${JOBS:-2}

version=$(dpkg-query -W -f='${source:Package}=${source:Version}' libtbb-dev 2>/dev/null) ||
  { echo "build-tsan-tbb: libtbb-dev is not installed (run scripts/install-deps.sh)" >&2; exit 1; }
stamp=$prefix/softpower-tsan-stamp
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$version" ] && [ -f "$prefix/lib/cmake/TBB/TBBConfig.cmake" ]; then
  exit 0
fi
echo "build-tsan-tbb: building $version with -fsanitize=thread into $prefix (about 2 minutes)"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/apt/sources" "$work/apt/lists/partial" "$work/src"
shopt -s nullglob
sources=(/etc/apt/sources.list.d/*.sources)
lists=(/etc/apt/sources.list /etc/apt/sources.list.d/*.list)
for f in "${sources[@]}"; do  # deb822: every `Types: deb` stanza gets its deb-src twin
  sed -E 's/^Types:.*/Types: deb-src/' "$f" >"$work/apt/sources/$(basename "$f")"
done
for f in "${lists[@]}"; do  # one-line format
  [ -f "$f" ] && sed -nE 's/^deb (.*)/deb-src \1/p' "$f" >>"$work/apt/sources/extra.list"
done
apt_options=(-o "Dir::Etc::SourceParts=$work/apt/sources" -o "Dir::Etc::SourceList=/dev/null"
             -o "Dir::State::Lists=$work/apt/lists" -o "APT::Sandbox::User=root" -qq)
apt-get "${apt_options[@]}" update
(cd "$work/src" && apt-get "${apt_options[@]}" source --download-only "$version")
dsc=("$work"/src/*.dsc)
[ ${#dsc[@]} -eq 1 ] || { echo "build-tsan-tbb: no source package for $version" >&2; exit 1; }
dpkg-source --no-check -x "${dsc[0]}" "$work/src/tbb" >/dev/null

# Only libtbb: tbbmalloc, tests and examples are not used by softpower.
cmake -S "$work/src/tbb" -B "$work/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTBB_SANITIZE=thread \
  -DTBB_TEST=OFF -DTBB_EXAMPLES=OFF -DTBB_STRICT=OFF -DTBBMALLOC_BUILD=OFF -DTBBMALLOC_PROXY_BUILD=OFF \
  -DCMAKE_INSTALL_PREFIX="$prefix" -DCMAKE_INSTALL_LIBDIR=lib >/dev/null
cmake --build "$work/build" -j "$jobs" >"$work/build.log" 2>&1 || { tail -40 "$work/build.log" >&2; exit 1; }
rm -rf "$prefix"
cmake --install "$work/build" >/dev/null
echo "$version" >"$stamp"
echo "build-tsan-tbb: installed $version into $prefix"

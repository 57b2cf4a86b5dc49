#!/bin/sh
# Builds the engine once per source hash and keeps it: <builds>/<hash>/<binary>. Every caller of the same
# hash (the local parties of every job on this machine; the parties of one cloud host) takes one lock;
# the first builds in a private folder and renames the binary into place, the others find it and reuse
# it. A build killed midway leaves only its private folder, which the next holder of the lock removes.
#   build-engine.sh <builds> <hash> <binary> <source folder> [cmake argument...]
# Prints "reused" or "built".
set -eu
builds=$1; hash=$2; binary=$3; src=$4; shift 4
final="$builds/$hash/$binary"
mkdir -p "$builds"
exec 9>"$builds/$hash.lock"
flock 9
if [ -x "$final" ] && "$final" --version >/dev/null 2>&1; then echo reused; exit 0; fi
rm -rf "$builds/$hash.tmp".* "$final"
tmp="$builds/$hash.tmp.$$"
mkdir -p "$tmp"
cp -a "$src/." "$tmp/src/"
rm -rf "$tmp/src/build"
# Paths relative to the private folder, so ccache (when the caller passed it) hits across folders.
export CCACHE_BASEDIR="$tmp"
cmake -S "$tmp/src" -B "$tmp/build" -DCMAKE_BUILD_TYPE=Release "$@" >"$tmp/configure.log" 2>&1 || { cat "$tmp/configure.log" >&2; exit 1; }
cmake --build "$tmp/build" --parallel 2 --target "$binary" >"$tmp/build.log" 2>&1 || { tail -n 40 "$tmp/build.log" >&2; exit 1; }
"$tmp/build/$binary" --version >/dev/null
mkdir -p "$builds/$hash"
mv -f "$tmp/build/$binary" "$builds/$hash/.$binary.new"
mv -f "$builds/$hash/.$binary.new" "$final"
rm -rf "$tmp"
echo built

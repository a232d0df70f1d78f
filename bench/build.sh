#!/usr/bin/env bash
# Builds the C reference server and load client into bench/target/.
#   bench/build.sh            build what changed (compare.sh calls it)
#   CC=clang bench/build.sh   another compiler
set -euo pipefail

bench="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="$bench/target"
cc="${CC:-gcc}"
mkdir -p "$out"

for name in echo-server echo-client flood; do
  src="$bench/c/$name.c"
  if [ ! -x "$out/$name" ] || [ "$src" -nt "$out/$name" ] || [ "$bench/build.sh" -nt "$out/$name" ]; then
    "$cc" -O2 -Wall -Wextra -o "$out/$name" "$src"
  fi
done

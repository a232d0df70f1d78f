#!/usr/bin/env bash
# Builds udpecho's JNI library. Called by Maven (udpecho-core's "native" profile) in process-classes.
#   build.sh SOURCE_DIR JAVA_HOME HEADERS_DIR OUTPUT_DIR
set -euo pipefail
src="$1"; java_home="$2"; headers="$3"; out="$4"
mkdir -p "$out"
gcc -O2 -g -std=gnu11 -Wall -Wextra -Werror -Wno-unused-parameter -fPIC -shared \
    -I"$java_home/include" -I"$java_home/include/linux" -I"$headers" \
    -o "$out/libudpecho-linux-x86_64.so" "$src/udpecho_native.c"

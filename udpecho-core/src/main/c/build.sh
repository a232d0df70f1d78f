#!/usr/bin/env bash
# Builds udpecho's JNI library for the architecture the compiler targets (with the host's gcc, the host's),
# as OUTPUT_DIR/libudpecho-linux-ARCH.so, ARCH in Netty's names (x86_64, aarch_64), which NativeLibrary loads.
#   build.sh SOURCE_DIR JAVA_HOME HEADERS_DIR OUTPUT_DIR [CC]   CC: gcc unless given (musl-gcc, a cross gcc...)
#   build.sh --skip OUTPUT_DIR                                  no library: remove any, and warn
# Called by Maven in process-classes (udpecho-core's native-linux profiles, after the enforcer has checked
# that gcc exists), and by NativeBuildIT with other compilers.
set -euo pipefail

if [ "$1" = "--skip" ]; then
  # A library left by an earlier build would still be packaged.
  rm -f "$2"/libudpecho-linux-*.so
  rmdir "$2" 2>/dev/null || true
  # To stderr, so that it shows even with mvn -q.
  echo "[WARNING] udpecho-core: built WITHOUT the native transport (-Dnative=skip): servers from this build" \
       "use Netty's epoll or NIO" >&2
  exit 0
fi

src="$1"; java_home="$2"; headers="$3"; out="$4"; cc="${5:-gcc}"

fail() {
  echo "[ERROR] udpecho-core: cannot build the native transport: $1" >&2
  exit 1
}

command -v "$cc" >/dev/null 2>&1 || fail "no C compiler '$cc'"
target="$("$cc" -dumpmachine)" || fail "'$cc -dumpmachine' failed"
case "$target" in
  x86_64-*) arch=x86_64 ;;
  aarch64-*) arch=aarch_64 ;;
  *) fail "$cc builds for $target; the native transport is for x86_64 and aarch64" ;;
esac

mkdir -p "$out"
"$cc" -O2 -g -std=gnu11 -Wall -Wextra -Werror -Wno-unused-parameter -fPIC -shared \
    -I"$java_home/include" -I"$java_home/include/linux" -I"$headers" \
    -o "$out/libudpecho-linux-$arch.so" "$src/udpecho_native.c"

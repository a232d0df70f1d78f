#!/usr/bin/env bash
# One worker against two: ./udpecho server --workers 1 and --workers 2, each loaded by two C clients at once
# (one on each CPU), in rounds W1 W2 W1 W2 ...; prints the total replies per second per round and the medians.
# The server is not pinned: with two workers it uses both CPUs, with the clients. Loopback only.
#   bench/workers.sh [ROUNDS] [SECONDS]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
rounds="${1:-5}"
seconds="${2:-5}"
bench/build.sh >/dev/null
work="$(mktemp -d)"
trap 'kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT

run() { # workers -> total replies per second
  ./udpecho server --port 0 --quiet --workers "$1" >"$work/out" 2>&1 &
  local server=$!
  for _ in $(seq 100); do grep -q 'Listening on' "$work/out" && break; sleep 0.1; done
  local port
  port="$(grep -o 'Listening on udp://.*:[0-9]*' "$work/out" | head -n 1 | grep -o '[0-9]*$')"
  taskset -c 0 bench/target/echo-client --port "$port" --duration "$seconds" --warmup 3 >"$work/a" &
  local a=$!
  taskset -c 1 bench/target/echo-client --port "$port" --duration "$seconds" --warmup 3 >"$work/b" &
  local b=$!
  wait "$a" "$b"
  kill "$server"; wait "$server" 2>/dev/null || true
  echo $(( $(grep -o 'rate_rps=[0-9]*' "$work/a" | cut -d= -f2) + $(grep -o 'rate_rps=[0-9]*' "$work/b" | cut -d= -f2) ))
}

declare -a one two
for ((r = 1; r <= rounds; r++)); do
  one+=("$(run 1)")
  two+=("$(run 2)")
  echo "round $r: workers=1 ${one[-1]}/s, workers=2 ${two[-1]}/s"
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
m1="$(median "${one[@]}")"; m2="$(median "${two[@]}")"
echo "median: workers=1 $m1/s, workers=2 $m2/s, ratio $(awk -v a="$m2" -v b="$m1" 'BEGIN {printf "%.2f", a/b}')"

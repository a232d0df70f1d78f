#!/usr/bin/env bash
# One worker against two: ./udpecho server --workers 1 and --workers 2, each loaded by CLIENTS C clients at once
# (default 2, spread over the two CPUs, 64 datagrams in flight in all), in rounds W1 W2 W1 W2 ...; prints the
# total replies per second per round and the medians. The server is not pinned: with two workers it uses both
# CPUs, with the clients. The kernel gives each client (each source port) to one worker by a hash, so two
# clients share one worker in about half the rounds; more clients spread more evenly. Loopback only.
#   bench/workers.sh [ROUNDS] [SECONDS] [CLIENTS]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
rounds="${1:-5}"
seconds="${2:-5}"
clients="${3:-2}"
window=$(( 64 / clients > 0 ? 64 / clients : 1 ))
bench/build.sh >/dev/null
work="$(mktemp -d)"
trap 'kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT

run() { # workers -> total replies per second
  ./udpecho server --port 0 --quiet --workers "$1" >"$work/out" 2>&1 &
  local server=$!
  for _ in $(seq 100); do grep -q 'Listening on' "$work/out" && break; sleep 0.1; done
  local port
  port="$(grep -o 'Listening on udp://.*:[0-9]*' "$work/out" | head -n 1 | grep -o '[0-9]*$')"
  local pids=() c
  for ((c = 0; c < clients; c++)); do
    taskset -c $((c % 2)) bench/target/echo-client --port "$port" --duration "$seconds" --warmup 3 \
      --window "$window" >"$work/client$c" &
    pids+=("$!")
  done
  wait "${pids[@]}"
  kill "$server"; wait "$server" 2>/dev/null || true
  cat "$work"/client* | grep -o 'rate_rps=[0-9]*' | cut -d= -f2 | awk '{t += $1} END {print t}'
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
